//! Recommendation blocks: "Customers also bought" (product page), "Frequently bought together"
//! (cart page), "Buy it again" (home page and order history) and "Recommended for you" /
//! "Popular right now" (home page). Each has its own
//! resource, made by the page outside any Suspend (the product page's by `also_bought_resource`),
//! rendered on the server (the routes are `SsrMode::Async`) and hydrated with the
//! listing's product cards. A block with nothing to show renders nothing; a failed load hides the
//! block rather than the page.
use super::cart::{CardCart, CardCartNotice};
use super::product_card::ProductCardView;
use crate::api::recommendations::{also_bought, buy_again, for_you, together};
use crate::domain::catalog::ProductCard;
use crate::domain::errors::AppError;
use leptos::prelude::*;

/// A titled row of cards: a horizontal scroller on phones and tablets (cards keep a readable
/// width and snap), a four-column grid on laptops.
#[component]
pub fn RecommendationRow(title: &'static str, testid: &'static str, products: Vec<ProductCard>) -> impl IntoView {
    let heading = format!("{testid}-title");
    let labelled_by = heading.clone();
    view! {
        <section aria-labelledby=labelled_by class="mt-12" data-testid=testid>
            <h2 id=heading class="mb-4 text-xl font-semibold tracking-tight">{title}</h2>
            <ul class="-mx-4 flex snap-x snap-mandatory gap-3 overflow-x-auto px-4 pb-3 sm:gap-5 lg:mx-0 lg:grid lg:grid-cols-4 lg:overflow-visible lg:px-0 lg:pb-0">
                {products
                    .into_iter()
                    .map(|p| {
                        view! {
                            <li class="w-[44%] max-w-56 shrink-0 snap-start sm:w-52 lg:w-auto lg:max-w-none" data-testid="recommended">
                                <ProductCardView product=p />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

fn row(
    title: &'static str,
    testid: &'static str,
    products: Result<Vec<ProductCard>, impl std::fmt::Display>,
) -> AnyView {
    match products {
        Ok(p) if !p.is_empty() => view! { <RecommendationRow title testid products=p /> }.into_any(),
        Ok(_) => ().into_any(),
        Err(e) => {
            leptos::logging::warn!("recommendations could not be loaded: {e}");
            ().into_any()
        }
    }
}

/// "Customers also bought" for a product: made by the product page, outside the Suspend that
/// renders the product (see `ReviewsData` for why, and for `when_known`).
pub fn also_bought_resource<F, Fut>(product_id: Signal<Option<i64>>, when_known: F) -> AlsoBoughtData
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<i64>> + Send + 'static,
{
    Resource::new(
        move || product_id.get(),
        move |id| async move {
            match id {
                Some(id) => also_bought(id).await,
                None => match when_known().await {
                    Some(id) => also_bought(id).await,
                    None => Ok(Vec::new()),
                },
            }
        },
    )
}

pub type AlsoBoughtData = Resource<Result<Vec<ProductCard>, AppError>>;

/// "Customers also bought" under a product.
#[component]
pub fn AlsoBought(recs: AlsoBoughtData) -> impl IntoView {
    CardCart::provide();
    view! {
        <CardCartNotice />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { row("Customers also bought", "also-bought", recs.await) })}
        </Suspense>
    }
}

/// "Frequently bought together" under the cart; reloads when the cart changes (`version`).
#[component]
pub fn BoughtTogether(#[prop(into)] version: Signal<(usize, usize)>) -> impl IntoView {
    let cards = CardCart::provide();
    let recs = Resource::new(move || (version.get(), cards.add.version().get()), |_| together());
    view! {
        <CardCartNotice />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { row("Frequently bought together", "bought-together", recs.await) })}
        </Transition>
    }
}

/// The home page's personal block for a signed-in shopper with history; popular products
/// otherwise.
#[component]
pub fn RecommendedForYou() -> impl IntoView {
    CardCart::provide();
    let recs = Resource::new(|| (), |_| for_you());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match recs.await {
                    Ok(block) => {
                        let title = if block.personal { "Recommended for you" } else { "Popular right now" };
                        let testid = if block.personal { "for-you" } else { "popular" };
                        row(title, testid, Ok::<_, String>(block.products))
                    }
                    Err(e) => row("", "for-you", Err::<Vec<ProductCard>, _>(e)),
                }
            })}
        </Suspense>
    }
}

/// "Buy it again": a signed-in shopper's own purchases still on sale, most bought (recently)
/// first; nothing for anyone else. Render it outside any Suspend (its resource is its own).
#[component]
pub fn BuyAgain() -> impl IntoView {
    CardCart::provide();
    let recs = Resource::new(|| (), |_| buy_again());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { row("Buy it again", "buy-again", recs.await) })}
        </Suspense>
    }
}
