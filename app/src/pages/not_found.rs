use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// Rendered for unknown URLs and unknown slugs; answers with HTTP 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    crate::components::status::set_http_status(404);
    view! {
        <Title text="Page not found" />
        <Meta name="description" content="The page you were looking for is not here." />
        <section class="mx-auto max-w-lg py-16 text-center" data-testid="not-found">
            <p class="text-sm font-semibold uppercase tracking-wider text-emerald-700">"404"</p>
            <h1 class="mt-2 text-3xl font-semibold tracking-tight">"We couldn't find that page"</h1>
            <p class="mt-3 text-stone-600">
                "The product or category may have been removed, or the link may be mistyped."
            </p>
            <a
                href="/"
                class="mt-6 inline-block rounded-lg bg-stone-900 px-5 py-2.5 text-sm font-semibold text-white hover:bg-stone-700"
            >
                "Back to the shop"
            </a>
        </section>
    }
}
