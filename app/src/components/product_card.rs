use super::cart::{CardCart, CardCartAction, CardCartNotice, CardCartStatus};
use super::price::Price;
use crate::domain::catalog::ProductCard;
use leptos::prelude::*;

#[component]
pub fn ProductGrid(products: Vec<ProductCard>) -> impl IntoView {
    CardCart::provide();
    view! {
        <CardCartNotice />
        <ul class="grid grid-cols-2 gap-3 sm:gap-5 md:grid-cols-3 lg:grid-cols-4" data-testid="product-grid">
            {products.into_iter().map(|p| view! { <li><ProductCardView product=p /></li> }).collect_view()}
        </ul>
    }
}

/// A product in a grid. The title is the link, stretched over the whole card; the button at the
/// bottom (add to cart, choose options, sold out) sits above it and works on its own.
#[component]
pub fn ProductCardView(product: ProductCard) -> impl IntoView {
    let in_stock = product.in_stock();
    let image = product.image.clone();
    let rating = product.average_rating();
    let reviews = product.review_count;
    let href = format!("/products/{}", product.slug);
    view! {
        <article
            class="group relative flex h-full flex-col overflow-hidden rounded-xl bg-white ring-1 ring-stone-200 transition hover:shadow-md hover:ring-stone-300"
            data-testid="product-card"
        >
            <div class="relative aspect-square overflow-hidden bg-stone-100">
                {image
                    .map(|img| {
                        // Uploads have 400 and 1200 px versions (domain::product_image); others as they are.
                        let (src, srcset) = crate::domain::product_image::sized_src(&img.url, 400);
                        view! {
                            <img
                                src=src
                                srcset=srcset
                                sizes="(min-width: 1024px) 22vw, (min-width: 768px) 30vw, 45vw"
                                alt=img.alt
                                loading="lazy"
                                width="480"
                                height="480"
                                class="h-full w-full object-cover transition duration-300 group-hover:scale-[1.03]"
                                class:opacity-60=!in_stock
                            />
                        }
                    })}
                <CardCartStatus single_variant_id=product.single_variant_id />
            </div>
            <div class="flex flex-1 flex-col gap-1 px-3 pt-3">
                // Above the card's whole-card link (its `after:` overlay), so the store's name
                // opens the store's page rather than the product's.
                <p class="relative z-10 truncate text-xs text-stone-500">
                    <a href=format!("/s/{}", product.merchant_slug) class="hover:text-stone-800 hover:underline" data-testid="card-store-link">
                        {product.merchant_name}
                    </a>
                </p>
                <h3 class="line-clamp-2 text-sm font-medium leading-snug text-stone-900">
                    <a
                        href=href.clone()
                        class="after:absolute after:inset-0 after:rounded-xl group-hover:underline focus-visible:outline-none focus-visible:after:ring-2 focus-visible:after:ring-emerald-600"
                        data-testid="card-link"
                    >
                        {product.title.clone()}
                    </a>
                </h3>
                {rating
                    .map(|avg| {
                        view! {
                            <p class="flex items-center gap-1 text-xs text-stone-500" data-testid="card-rating">
                                <super::reviews::Stars rating=avg size="h-3.5 w-3.5" />
                                <span class="tabular-nums">{format!("{avg:.1}")}</span>
                                <span class="tabular-nums">{format!("({})", reviews)}</span>
                            </p>
                        }
                    })}
                <div class="mt-auto pt-1">
                    <Price price=product.price compare_at=product.compare_at from=product.varied_price />
                </div>
            </div>
            <div class="relative z-10 p-3 pt-2.5">
                <CardCartAction single_variant_id=product.single_variant_id in_stock href title=product.title />
            </div>
        </article>
    }
}
