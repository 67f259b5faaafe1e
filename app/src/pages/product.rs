use crate::api::catalog::get_product;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::cart::AddToCartForm;
use crate::components::price::Price;
use crate::components::recommendations::{AlsoBought, AlsoBoughtData, also_bought_resource};
use crate::components::reviews::{Reviews, ReviewsData};
use crate::components::status::LoadFailed;
use crate::domain::catalog::{Image, ProductDetail, StockStatus, stock_status};
use crate::domain::errors::AppError;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let product = Resource::new(slug, get_product);
    // The blocks under the product load with it but are made here, not inside the Suspend that
    // renders the product: the server walks a Suspense's children more than once, and a resource
    // made there is made again while its first copy's call runs without the request's context.
    // Read only inside those resources' sources (not a memo): the browser would warn of a resource
    // read outside a Suspense.
    let product_id = Signal::derive(move || product.with(|p| loaded_id(p.as_ref())));
    let when_known = move || async move { product.await.ok().flatten().map(|p| p.id) };
    let recs = also_bought_resource(product_id, when_known);
    let reviews = ReviewsData::new(product_id, when_known);
    view! {
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(Some(p)) => view! { <ProductView product=p recs reviews /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn loaded_id(product: Option<&Result<Option<ProductDetail>, AppError>>) -> Option<i64> {
    product?.as_ref().ok()?.as_ref().map(|p| p.id)
}

#[component]
fn ProductView(product: ProductDetail, recs: AlsoBoughtData, reviews: ReviewsData) -> impl IntoView {
    let query = use_query_map();
    // The chosen variant lives in the URL (?variant=ID): shareable, and the picker works as plain links.
    let requested = Memo::new(move |_| query.read().get("variant").and_then(|v| v.parse::<i64>().ok()));
    let description = first_sentence(&product.description);
    let title = product.title.clone();
    let images = product.images.clone();
    let breadcrumbs = product.breadcrumbs.clone();
    let merchant = product.merchant.name.clone();
    let merchant_page = format!("/s/{}", crate::domain::search::url_encode(&product.merchant.slug));
    // Rendered from Markdown to safe HTML by the server (raw HTML shows as text, only http(s) and
    // mailto links); the same string hydrates, so the bundle needs no Markdown parser.
    let description_html = product.description_html.clone();
    let product = StoredValue::new(product);

    let selected = move || product.with_value(|p| p.pick_variant(requested.get()).cloned());

    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description />
        <Breadcrumbs trail=breadcrumbs current=title.clone() />
        <div class="grid gap-8 md:grid-cols-2 lg:gap-12">
            <Gallery images title=title.clone() />
            <section aria-labelledby="product-title" class="flex flex-col gap-5">
                <div>
                    <p class="text-sm font-medium text-emerald-700">
                        <a href=merchant_page class="hover:underline" data-testid="store-link">{merchant}</a>
                    </p>
                    <h1 id="product-title" class="mt-1 text-2xl font-semibold tracking-tight sm:text-3xl">{title}</h1>
                </div>
                {move || {
                    selected()
                        .map(|v| {
                            view! {
                                <div class="flex flex-col gap-2" data-testid="variant-summary">
                                    <div data-testid="price"><Price price=v.price compare_at=v.compare_at large=true /></div>
                                    <StockBadge stock=v.stock />
                                    <p class="text-xs text-stone-500">
                                        "SKU " <span data-testid="sku">{v.sku.clone()}</span>
                                    </p>
                                </div>
                            }
                        })
                }}
                {move || product.with_value(|p| p.option_names.clone())
                    .into_iter()
                    .enumerate()
                    .map(|(index, name)| view! { <OptionPicker product index name selected_id=Signal::derive(move || selected().map(|v| v.id)) /> })
                    .collect_view()}
                <AddToCartForm variant=Signal::derive(selected) />
                <div class="prose-sm max-w-none space-y-3 border-t border-stone-200 pt-5 text-stone-700">
                    <h2 class="text-base font-semibold text-stone-900">"About this product"</h2>
                    <div
                        class="space-y-3 [&_a]:text-emerald-700 [&_a]:underline [&_li]:ml-5 [&_ol]:list-decimal [&_strong]:font-semibold [&_ul]:list-disc"
                        data-testid="product-description"
                        inner_html=description_html
                    ></div>
                </div>
            </section>
        </div>
        <AlsoBought recs />
        <Reviews
            reviews
            slug=product.with_value(|p| p.slug.clone())
            merchant_name=product.with_value(|p| p.merchant.name.clone())
        />
    }
}

/// One option (Size, Colour…) as a row of links to the matching variant.
#[component]
fn OptionPicker(
    product: StoredValue<ProductDetail>,
    index: usize,
    name: String,
    selected_id: Signal<Option<i64>>,
) -> impl IntoView {
    let values = product.with_value(|p| p.option_values(index));
    let current_value = move || {
        product.with_value(|p| {
            selected_id
                .get()
                .and_then(|id| p.variants.iter().find(|v| v.id == id))
                .and_then(|v| v.options.get(index).cloned())
        })
    };
    let label = name.clone();
    view! {
        <fieldset data-testid=format!("option-{}", name.to_lowercase())>
            <legend class="mb-2 text-sm font-medium text-stone-900">
                {label} ": " <span class="font-normal text-stone-600">{current_value}</span>
            </legend>
            <div class="flex flex-wrap gap-2">
                {values
                    .into_iter()
                    .map(|value| {
                        let shown = value.clone();
                        let value = StoredValue::new(value);
                        let target = Signal::derive(move || {
                            product.with_value(|p| {
                                let current = selected_id.get().and_then(|id| p.variants.iter().find(|v| v.id == id).cloned());
                                value.with_value(|value| current.and_then(|c| p.variant_with_option(&c, index, value).cloned()))
                            })
                        });
                        let slug = product.with_value(|p| p.slug.clone());
                        let is_current = Signal::derive(move || value.with_value(|value| current_value().as_deref() == Some(value.as_str())));
                        let href = move || match target.get() {
                            Some(v) => format!("/products/{slug}?variant={}", v.id),
                            None => format!("/products/{slug}"),
                        };
                        let sold_out = move || target.get().map(|v| v.stock <= 0).unwrap_or(true);
                        let class = move || {
                            let base = "inline-flex min-w-12 items-center justify-center rounded-lg px-3.5 py-2 text-sm font-medium ring-1 transition";
                            match (is_current.get(), sold_out()) {
                                (true, _) => format!("{base} bg-stone-900 text-white ring-stone-900"),
                                (false, true) => format!("{base} bg-white text-stone-400 line-through ring-stone-200 hover:ring-stone-400"),
                                (false, false) => format!("{base} bg-white text-stone-800 ring-stone-300 hover:ring-stone-900"),
                            }
                        };
                        view! {
                            <A href=href scroll=false attr:class=class attr:aria-current=move || is_current.get().then_some("true")>
                                {shown}
                            </A>
                        }
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

#[component]
fn StockBadge(stock: i64) -> impl IntoView {
    let (text, class) = match stock_status(stock) {
        StockStatus::InStock => ("In stock".to_string(), "text-emerald-700"),
        StockStatus::Low(n) => (format!("Only {n} left"), "text-amber-700"),
        StockStatus::SoldOut => ("Sold out".to_string(), "text-rose-700"),
    };
    view! {
        <p class=format!("flex items-center gap-1.5 text-sm font-medium {class}") data-testid="stock">
            <span class="inline-block h-2 w-2 rounded-full bg-current" aria-hidden="true"></span>
            {text}
        </p>
    }
}

/// Main image plus thumbnails; choosing a thumbnail is handled in the browser.
#[component]
fn Gallery(images: Vec<Image>, title: String) -> impl IntoView {
    let (active, set_active) = signal(0usize);
    let count = images.len();
    let images = StoredValue::new(images);
    let main = move || images.with_value(|imgs| imgs.get(active.get()).or(imgs.first()).cloned());
    view! {
        <section aria-label="Product images" class="flex flex-col gap-3">
            <div class="aspect-square overflow-hidden rounded-2xl bg-stone-100 ring-1 ring-stone-200">
                {move || {
                    main()
                        .map(|img| {
                            let (src, srcset) = crate::domain::product_image::sized_src(&img.url, 1200);
                            view! { <img src=src srcset=srcset sizes="(min-width: 768px) 50vw, 100vw" alt=img.alt class="h-full w-full object-cover" data-testid="main-image" /> }
                        })
                }}
            </div>
            {(count > 1)
                .then(|| {
                    view! {
                        <ul class="grid grid-cols-4 gap-2 sm:gap-3">
                            {(0..count)
                                .map(|i| {
                                    let img = images.with_value(|imgs| imgs[i].clone());
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class=move || {
                                                    if active.get() == i {
                                                        "block w-full overflow-hidden rounded-lg ring-2 ring-stone-900"
                                                    } else {
                                                        "block w-full overflow-hidden rounded-lg ring-1 ring-stone-200 hover:ring-stone-400"
                                                    }
                                                }
                                                aria-label=format!("Show image {} of {}", i + 1, count)
                                                aria-pressed=move || if active.get() == i { "true" } else { "false" }
                                                on:click=move |_| set_active.set(i)
                                                data-testid="thumbnail"
                                            >
                                                <img src=crate::domain::product_image::sized_src(&img.url, 400).0 alt="" loading="lazy" class="aspect-square w-full object-cover" />
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <p class="sr-only">{title}</p>
        </section>
    }
}

fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map(|i| i + 1).unwrap_or(text.len()).min(160);
    let mut s: String = text.chars().take(end).collect();
    if s.is_empty() {
        s = "Product details, price and availability.".into();
    }
    s
}
