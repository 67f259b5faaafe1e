//! The frame around every page: header with the category navigation, and the footer.
use crate::SHOP_NAME;
use crate::api::auth::get_session;
use crate::api::catalog::get_nav;
use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // Effects never run on the server: the flag turns true only once WASM has hydrated the page
    // (end-to-end tests wait for it).
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    crate::components::cart::AddedNotice::provide();
    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-white focus:px-4 focus:py-2 focus:shadow"
        >
            "Skip to content"
        </a>
        <div class="flex min-h-screen flex-col" data-hydrated=move || hydrated.get().to_string()>
            <Header />
            <main id="main" class="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
                {children()}
            </main>
            <Footer />
        </div>
    }
}

#[component]
fn Header() -> impl IntoView {
    let nav = Resource::new(|| (), |_| get_nav());
    view! {
        <header class="sticky top-0 z-40 border-b border-stone-200 bg-white/95 backdrop-blur">
            // Below laptop widths the search takes a row of its own, so a signed-in merchant's links
            // (Dashboard, their name, the cart) fit beside the shop's name without overflowing.
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3 sm:px-6 lg:flex-nowrap lg:gap-6">
                <a href="/" class="flex shrink-0 items-center gap-2 rounded-md" aria-label="Meridian Market home">
                    <Logo />
                    <span class="whitespace-nowrap text-base font-semibold tracking-tight sm:text-lg">{SHOP_NAME}</span>
                </a>
                <div class="order-last w-full lg:order-none lg:w-auto lg:min-w-0 lg:max-w-md lg:flex-1">
                    <super::search_box::SearchBox />
                </div>
                <AccountLinks />
                <super::cart::CartBadge />
            </div>
            <nav aria-label="Categories" class="border-t border-stone-100">
                <Transition fallback=|| view! { <div class="h-11"></div> }>
                    <ul class="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-2 py-1.5 text-sm sm:px-4">
                        {move || Suspend::new(async move {
                            nav.await
                                .map(|nav| {
                                    nav.categories
                                        .into_iter()
                                        .map(|c| {
                                            view! {
                                                <li class="shrink-0">
                                                    <a
                                                        href=format!("/c/{}", c.slug)
                                                        class="block rounded-md px-2.5 py-1.5 font-medium text-stone-700 sm:px-3 hover:bg-stone-100 hover:text-stone-950 aria-[current=page]:bg-stone-900 aria-[current=page]:text-white"
                                                    >
                                                        {c.name}
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()
                                })
                                .unwrap_or_default()
                        })}
                    </ul>
                </Transition>
            </nav>
        </header>
    }
}

/// "Sign in", or the signed-in user's links; refreshed after signing in or out.
#[component]
fn AccountLinks() -> impl IntoView {
    let refresh = use_context::<crate::AuthRefresh>().map(|r| r.0);
    // Asked again on every page change too: signing out redirects, and the page that held the
    // form (and its effects) may be gone before the answer arrives.
    let location = leptos_router::hooks::use_location();
    let session = Resource::new(move || (refresh.map(|r| r.get()), location.pathname.get()), |_| get_session());
    let link = "whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium text-stone-700 hover:bg-stone-100 hover:text-stone-950 sm:px-3";
    view! {
        <div class="ml-auto flex items-center gap-1" data-testid="account-links">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(Some(p)) => {
                            let staff = p.is_admin || p.store.is_some();
                            view! {
                                {staff.then(|| view! { <a href="/admin" class=link>"Dashboard"</a> })}
                                <a href="/account" class=format!("{link} max-w-40 truncate") data-testid="account-link">
                                    // Phones have no room for a long name next to the shop's.
                                    <span class="sm:hidden">"Account"</span>
                                    <span class="hidden sm:inline">
                                        <span class="sr-only">"Account: "</span>
                                        {p.display_name}
                                    </span>
                                </a>
                            }
                                .into_any()
                        }
                        _ => view! {
                            <a href="/login" class=link>"Sign in"</a>
                            <a href="/register" class="hidden whitespace-nowrap rounded-md bg-stone-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-stone-700 sm:block">
                                "Create account"
                            </a>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Logo() -> impl IntoView {
    view! {
        <svg viewBox="0 0 32 32" class="h-8 w-8" aria-hidden="true">
            <rect width="32" height="32" rx="8" class="fill-emerald-700" />
            <path d="M8 22V10l8 7 8-7v12" fill="none" stroke="white" stroke-width="2.5" stroke-linejoin="round" />
        </svg>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="border-t border-stone-200 bg-white">
            <div class="mx-auto grid max-w-6xl gap-6 px-4 py-8 text-sm text-stone-600 sm:grid-cols-3 sm:px-6">
                <div>
                    <p class="font-semibold text-stone-900">{SHOP_NAME}</p>
                    <p class="mt-1">"Independent stores, one checkout."</p>
                </div>
                <div>
                    <p class="font-semibold text-stone-900">"Shopping with us"</p>
                    <ul class="mt-1 space-y-1">
                        <li>"Prices include the seller's listed price; shipping is shown at checkout."</li>
                        <li>"Each store ships its own items."</li>
                    </ul>
                </div>
                <div>
                    <p class="font-semibold text-stone-900">"Demo shop"</p>
                    <p class="mt-1">"Products and stores here are generated sample data."</p>
                </div>
            </div>
        </footer>
    }
}
