//! Loading and failure states shared by pages.
use leptos::prelude::*;

/// Sets the HTTP status of the page being rendered on the server (404, 403…); a no-op in the
/// browser, where the status was already sent.
pub fn set_http_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn LoadingGrid() -> impl IntoView {
    view! {
        <div class="grid grid-cols-2 gap-4 md:grid-cols-4" aria-busy="true" aria-label="Loading">
            {(0..8).map(|_| view! { <div class="aspect-[3/4] animate-pulse rounded-xl bg-stone-200/70"></div> }).collect_view()}
        </div>
    }
}

#[component]
pub fn LoadFailed(message: String) -> impl IntoView {
    // An error is this request's, never a copy for the next visitor.
    #[cfg(feature = "ssr")]
    crate::api::page_cache::private();
    view! {
        <div role="alert" class="mx-auto max-w-lg rounded-xl bg-white p-6 text-center ring-1 ring-stone-200">
            <h1 class="text-lg font-semibold">"This page could not be loaded"</h1>
            <p class="mt-2 text-stone-600">{message}</p>
            <a href="" class="mt-4 inline-block rounded-lg bg-stone-900 px-4 py-2 text-sm font-semibold text-white">
                "Try again"
            </a>
        </div>
    }
}
