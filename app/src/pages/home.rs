use crate::api::catalog::get_home;
use crate::components::product_card::ProductGrid;
use crate::components::status::{LoadFailed, LoadingGrid};
use crate::domain::catalog::Category;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Title text="Independent stores, one checkout" />
        <Meta
            name="description"
            content="Shop home goods, fashion, electronics and outdoor gear from independent stores, with one cart and one checkout."
        />
        <section class="mb-10 overflow-hidden rounded-2xl bg-gradient-to-br from-emerald-800 to-emerald-950 px-6 py-10 text-white sm:px-10 sm:py-14">
            <p class="text-sm font-semibold uppercase tracking-wider text-emerald-200">"New this season"</p>
            <h1 class="mt-2 max-w-xl text-3xl font-semibold tracking-tight sm:text-4xl">
                "Well-made things from independent stores"
            </h1>
            <p class="mt-3 max-w-lg text-emerald-100">
                "Browse hundreds of products from makers and small shops, with clear prices and live stock."
            </p>
        </section>
        <Suspense fallback=|| view! { <LoadingGrid /> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(data) => {
                        view! {
                            <section aria-labelledby="shop-by-category" class="mb-12">
                                <h2 id="shop-by-category" class="mb-4 text-xl font-semibold tracking-tight">
                                    "Shop by category"
                                </h2>
                                <ul class="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
                                    {data.categories.into_iter().map(|c| view! { <li><CategoryTile category=c /></li> }).collect_view()}
                                </ul>
                            </section>
                            <section aria-labelledby="new-arrivals">
                                <h2 id="new-arrivals" class="mb-4 text-xl font-semibold tracking-tight">"New arrivals"</h2>
                                <ProductGrid products=data.new_arrivals />
                            </section>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        // Outside the Suspense above, so its resource belongs to the page: created inside the
        // Suspend, it could be dropped and made again while its request to the server was still
        // running, which then ran without the request's context (seen as "Popular right now" for
        // a signed-in shopper, and "Shop missing from context" in the log).
        <crate::components::recommendations::BuyAgain />
        <crate::components::recommendations::RecommendedForYou />
    }
}

#[component]
fn CategoryTile(category: Category) -> impl IntoView {
    view! {
        <a
            href=format!("/c/{}", category.slug)
            class="flex h-full flex-col justify-between rounded-xl bg-white p-4 ring-1 ring-stone-200 transition hover:shadow-md hover:ring-stone-300 sm:p-5"
            data-testid="category-tile"
        >
            <span class="text-base font-semibold text-stone-900">{category.name}</span>
            <span class="mt-1 line-clamp-2 text-sm text-stone-600">{category.description}</span>
            <span class="mt-3 text-xs font-medium text-emerald-700">
                {format!("{} products →", category.product_count)}
            </span>
        </a>
    }
}
