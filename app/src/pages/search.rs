//! `/search?q=…`: typo-tolerant product search; the query lives in the URL.
use crate::api::catalog::search;
use crate::components::listing::ListingView;
use crate::components::status::{LoadFailed, LoadingGrid};
use crate::domain::storefront::SearchResults;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        let filters = (q.get("category"), q.get("store"), q.get("price"), q.get("rating"), q.get("stock"));
        (q.get("q").unwrap_or_default(), q.get("page"), q.get("sort"), filters)
    };
    let results = Resource::new(key, |(q, page, sort, (category, store, price, rating, stock))| {
        search(q, page, sort, category, store, price, rating, stock)
    });
    view! {
        <Transition fallback=|| view! { <LoadingGrid /> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(r) => view! { <Results results=r /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Results(results: SearchResults) -> impl IntoView {
    let SearchResults { query, corrected, matches, listing } = results;
    let capped = crate::domain::search::capped_notice(matches);
    let total = listing.products.total;
    let heading =
        if query.is_empty() { "Recommended for you".to_string() } else { format!("Results for “{query}”") };
    view! {
        <Title text=if query.is_empty() { "Search".to_string() } else { format!("Search: {query}") } />
        <Meta name="description" content="Search products from every store on Meridian Market." />
        <header class="mb-5">
            <h1 class="text-2xl font-semibold tracking-tight sm:text-3xl" data-testid="search-heading">{heading}</h1>
            <p class="mt-1 text-sm text-stone-600" data-testid="search-summary">
                {match (query.is_empty(), total) {
                    (true, _) => "Popular picks from every store. Type in the search box to find something specific.".to_string(),
                    (false, 0) => "No products match. Try fewer or different words.".to_string(),
                    (false, 1) => "1 product".to_string(),
                    (false, n) => format!("{n} products"),
                }}
            </p>
            {corrected
                .map(|c| {
                    view! {
                        <p class="mt-2 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="search-corrected">
                            "No products matched “" {query.clone()} "”; showing results for “" <strong>{c}</strong> "”."
                        </p>
                    }
                })}
            {capped
                .map(|n| {
                    view! {
                        <p class="mt-2 text-sm text-stone-600" data-testid="search-capped">{n}</p>
                    }
                })}
        </header>
        <ListingView listing base_path="/search".to_string() fixed=vec![("q", query)] />
    }
}
