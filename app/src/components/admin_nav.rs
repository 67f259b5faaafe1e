//! The dashboard's frame: `AdminLayout` puts `AdminNav` beside (laptop) or above (tablet, phone)
//! an /admin page. Every store section (Overview, Products, Inventory, Orders, Payments, Earnings,
//! Reviews, Analytics, Shipping, Discounts, Staff, Settings; staff do not see Earnings, Staff and
//! Settings) and, for the platform admin (who has no store of their own), the
//! marketplace sections (Merchants, Payouts, Users, Ranking) and a store picker whose links carry `?store=ID`. The current page is marked `aria-current="page"`,
//! the chosen store `aria-current="true"`.
use crate::api::admin::get_dashboard;
use crate::components::forbidden::Forbidden;
use crate::components::status::LoadFailed;
use crate::domain::errors::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_query_map};

/// The dashboard's sections, in nav order: (label, path).
pub const SECTIONS: [(&str, &str); 12] = [
    ("Overview", "/admin"),
    ("Products", "/admin/products"),
    ("Inventory", "/admin/inventory"),
    ("Orders", "/admin/orders"),
    ("Payments", "/admin/payments"),
    ("Earnings", "/admin/earnings"),
    ("Reviews", "/admin/reviews"),
    ("Analytics", "/admin/analytics"),
    ("Shipping", "/admin/shipping"),
    ("Discounts", "/admin/discounts"),
    ("Staff", "/admin/staff"),
    ("Settings", "/admin/settings"),
];

/// The sections only a store's owner (or the platform admin) may open; the server refuses them to
/// staff (`Access::StoreOwner`), and the nav does not offer them.
pub const OWNER_SECTIONS: [&str; 3] = ["/admin/earnings", "/admin/staff", "/admin/settings"];

/// Whether the nav offers `href` to this caller.
pub fn offered(href: &str, principal: &crate::domain::account::Principal) -> bool {
    let owner = principal.is_admin
        || principal.store.as_ref().is_some_and(|s| s.role == crate::domain::account::StoreRole::Owner);
    owner || !OWNER_SECTIONS.contains(&href)
}

/// The platform admin's own sections: they concern the whole marketplace, never one store.
pub const MARKETPLACE_SECTIONS: [(&str, &str); 5] = [
    ("Merchants", "/admin/merchants"),
    ("Payouts", "/admin/payouts"),
    ("Taxes", "/admin/taxes"),
    ("Users", "/admin/users"),
    ("Ranking", "/admin/ranking"),
];

/// The section a path belongs to (`/admin/orders/MM-…` is in Orders).
pub fn section_of(path: &str) -> &'static str {
    SECTIONS
        .iter()
        .chain(MARKETPLACE_SECTIONS.iter())
        .rev()
        .find(|(_, href)| path == *href || (*href != "/admin" && path.starts_with(&format!("{href}/"))))
        .map(|(_, href)| *href)
        .unwrap_or("/admin")
}

/// `path`, for the store the admin picked (if any).
pub fn with_store(path: &str, store: Option<i64>) -> String {
    match store {
        Some(id) => format!("{path}?store={id}"),
        None => path.to_string(),
    }
}

/// What an /admin page shows when its data did not load: sign-in (coming back to `path`), the 403
/// page, or the reason (for the platform admin without a chosen store, the `store` field's).
pub fn load_error(e: AppError, path: &str) -> AnyView {
    match e {
        AppError::Unauthenticated => {
            view! { <Redirect path=crate::domain::safe_path::sign_in_then(path) /> }.into_any()
        }
        AppError::Forbidden => view! { <Forbidden /> }.into_any(),
        e => view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }.into_any(),
    }
}

/// An /admin page with the dashboard navigation.
#[component]
pub fn AdminLayout(children: Children) -> impl IntoView {
    // Dashboard pages are lazy routes: their code arrives after the shop's layout has hydrated,
    // so the layout's `data-hydrated` says nothing about this page's forms. This flag turns true
    // once the page itself has hydrated (effects run only then); until it does, a form here is a
    // plain post. The e2e `hydrated` helper waits for it.
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    view! {
        <div class="lg:flex lg:items-start lg:gap-8" data-page-hydrated=move || ready.get().to_string()>
            <AdminNav />
            <div class="min-w-0 flex-1">{children()}</div>
        </div>
    }
}

// Narrow padding below laptop width. On a phone the sections scroll sideways in one row; from
// tablet width they wrap into rows, so none sits past the window's edge.
const LINK: &str = "block whitespace-nowrap rounded-lg px-2 py-2 text-sm lg:px-3 font-medium text-stone-700 hover:bg-stone-100 hover:text-stone-950 aria-[current=page]:bg-stone-900 aria-[current=page]:text-white aria-[current=true]:bg-emerald-50 aria-[current=true]:text-emerald-900 aria-[current=true]:ring-1 aria-[current=true]:ring-emerald-600";

#[component]
pub fn AdminNav() -> impl IntoView {
    let location = use_location();
    let query = use_query_map();
    let dashboard = Resource::new(|| (), |_| get_dashboard(Some(false)));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(d) = dashboard.await else { return ().into_any() };
                let path = location.pathname.get();
                let section = section_of(&path);
                let store = query.read().get("store").and_then(|s| s.parse::<i64>().ok());
                // Only the platform admin chooses a store; a merchant's links stay plain.
                let carried = if d.principal.is_admin { store } else { None };
                let stores = d.stores.clone().unwrap_or_default();
                view! {
                    <nav
                        aria-label="Dashboard"
                        class="-mx-4 mb-6 border-b border-stone-200 px-4 sm:-mx-6 sm:px-6 lg:sticky lg:top-32 lg:mx-0 lg:mb-0 lg:w-52 lg:shrink-0 lg:border-b-0 lg:px-0"
                        data-testid="admin-nav"
                    >
                        <p class="hidden px-3 pb-2 text-xs font-semibold uppercase tracking-wide text-stone-500 lg:block">
                            {d.store.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "Marketplace".into())}
                        </p>
                        <ul class="-mb-px flex gap-1 overflow-x-auto pb-2 sm:flex-wrap sm:overflow-visible lg:flex-col lg:pb-0">
                            {SECTIONS
                                .iter()
                                .filter(|(_, href)| offered(href, &d.principal))
                                .map(|(label, href)| {
                                    let current = (*href == section).then_some("page");
                                    view! {
                                        <li class="shrink-0">
                                            <a href=with_store(href, carried) class=LINK aria-current=current>
                                                {*label}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                            {d.principal.is_admin.then(|| {
                                MARKETPLACE_SECTIONS
                                    .iter()
                                    .enumerate()
                                    .map(|(i, (label, href))| {
                                        let current = (*href == section).then_some("page");
                                        // A gap on a laptop sets the marketplace apart from the store.
                                        let class = if i == 0 { "shrink-0 lg:mt-4 lg:border-t lg:border-stone-200 lg:pt-4" } else { "shrink-0" };
                                        view! {
                                            <li class=class>
                                                <a href=*href class=LINK aria-current=current>{*label}</a>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            })}
                        </ul>
                        {(!stores.is_empty()).then(|| {
                            let target = if section == "/admin" { "/admin/orders" } else { section };
                            view! {
                                <div class="pb-3 lg:mt-5 lg:pb-0">
                                    <p id="store-picker" class="px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-stone-500">
                                        "Act for store"
                                    </p>
                                    <ul aria-labelledby="store-picker" class="flex gap-1 overflow-x-auto lg:max-h-80 lg:flex-col lg:overflow-y-auto" data-testid="store-picker">
                                        {stores
                                            .into_iter()
                                            .map(|s| {
                                                let current = (carried == Some(s.id)).then_some("true");
                                                view! {
                                                    <li class="shrink-0">
                                                        <a href=with_store(target, Some(s.id)) class=format!("{LINK} lg:truncate") aria-current=current title=s.name.clone()>
                                                            {s.name.clone()}
                                                        </a>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })}
                    </nav>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_the_path() {
        assert_eq!(section_of("/admin"), "/admin");
        assert_eq!(section_of("/admin/orders"), "/admin/orders");
        assert_eq!(section_of("/admin/orders/MM-1234"), "/admin/orders");
        assert_eq!(section_of("/admin/inventory"), "/admin/inventory");
        assert_eq!(section_of("/admin/products/new"), "/admin/products");
        assert_eq!(section_of("/admin/ordersx"), "/admin");
        assert_eq!(section_of("/admin/users"), "/admin/users");
        assert_eq!(section_of("/admin/payments"), "/admin/payments");
        assert_eq!(with_store("/admin/analytics", Some(3)), "/admin/analytics?store=3");
        assert_eq!(with_store("/admin", None), "/admin");
    }
}
