use leptos::prelude::*;
use leptos_meta::Title;

/// Shown to a signed-in user who lacks the role a page needs; answers with HTTP 403.
#[component]
pub fn Forbidden() -> impl IntoView {
    crate::components::status::set_http_status(403);
    view! {
        <Title text="Access denied" />
        <section class="mx-auto max-w-lg py-16 text-center" data-testid="forbidden">
            <p class="text-sm font-semibold uppercase tracking-wider text-rose-700">"403"</p>
            <h1 class="mt-2 text-3xl font-semibold tracking-tight">"You don't have access to this page"</h1>
            <p class="mt-3 text-stone-600">
                "The dashboard is for a store's people, and a store's earnings, payouts, staff and settings for its owner. If you sell here, sign in with your store account, or open a store from your account page."
            </p>
            <a href="/account" class="mt-6 inline-block rounded-lg bg-stone-900 px-5 py-2.5 text-sm font-semibold text-white hover:bg-stone-700">
                "Go to your account"
            </a>
        </section>
    }
}
