//! `/s/{store}`: a store's public page — its name and description, how shoppers rate it, how it
//! ships (its own zones, or the marketplace's default), how to reach it, and its products, with
//! the whole range one click away in the search filtered to the store. 404 for a store that does
//! not exist or is not open.
use crate::api::catalog::get_store_page;
use crate::components::form::CARD;
use crate::components::listing::RankedGrid;
use crate::components::status::LoadFailed;
use crate::domain::storefront::StorePage as StoreData;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn StorePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("store").unwrap_or_default();
    let data = Resource::new(slug, get_store_page);
    view! {
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Ok(Some(store)) => view! { <Store store /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Store(store: StoreData) -> impl IntoView {
    let rating = match store.rating {
        Some(r) if store.review_count > 0 => format!("★ {r:.1} from {} reviews", store.review_count),
        _ => "No reviews yet".to_string(),
    };
    let all = format!("/search?store={}", crate::domain::search::url_encode(&store.slug));
    let mail = format!("mailto:{}", store.support_email);
    let summary: String = store.description.chars().take(160).collect();
    view! {
        <Title text=store.name.clone() />
        <Meta name="description" content=summary />
        <header class="mb-8 grid gap-6 md:grid-cols-3" data-testid="store-header">
            <div class="md:col-span-2">
                <p class="text-sm font-medium text-emerald-700">"Store"</p>
                <h1 class="text-2xl font-semibold tracking-tight sm:text-3xl">{store.name.clone()}</h1>
                <p class="mt-1 text-sm text-stone-600" data-testid="store-rating">{rating}</p>
                <p class="mt-3 max-w-2xl text-stone-700">{store.description.clone()}</p>
            </div>
            <aside class=format!("{CARD} text-sm") aria-labelledby="policies-heading" data-testid="store-policies">
                <h2 id="policies-heading" class="font-semibold">"Shipping and help"</h2>
                <ul class="mt-2 space-y-1 text-stone-700">
                    {store.shipping.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}
                </ul>
                <p class="mt-3 text-stone-600">
                    {format!(
                        "Returns within {} days of delivery, from your order page.",
                        crate::domain::returns::DEFAULT_RETURN_WINDOW_DAYS
                    )}
                </p>
                {(!store.support_email.is_empty()).then(|| view! {
                    <p class="mt-1 text-stone-600">
                        "Questions: "
                        <a href=mail class="font-medium text-emerald-700 hover:underline">{store.support_email.clone()}</a>
                    </p>
                })}
            </aside>
        </header>
        <div class="mb-4 flex items-baseline justify-between gap-3">
            <h2 class="text-lg font-semibold">{format!("Products ({})", store.product_count)}</h2>
            <a href=all class="text-sm font-medium text-emerald-700 hover:underline" data-testid="store-all">
                "All products, with filters →"
            </a>
        </div>
        <RankedGrid products=store.products explain=false />
    }
}
