//! Loading and failure states shared by pages.
use leptos::prelude::*;

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
