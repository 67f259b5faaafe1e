use crate::api::catalog::get_category;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::pagination::Pagination;
use crate::components::product_card::ProductGrid;
use crate::components::status::{LoadFailed, LoadingGrid};
use crate::domain::listing::Sort;
use crate::domain::storefront::CategoryListing;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (params.read().get("slug").unwrap_or_default(), q.get("sort"), q.get("page"))
    };
    let listing = Resource::new(key, |(slug, sort, page)| get_category(slug, sort, page));
    view! {
        <Transition fallback=|| view! { <LoadingGrid /> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(Some(data)) => view! { <Listing data /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Listing(data: CategoryListing) -> impl IntoView {
    let CategoryListing { category, mut breadcrumbs, subcategories, sort, products } = data;
    breadcrumbs.pop(); // the current category is shown as the last, unlinked crumb
    let base_path = format!("/c/{}", category.slug);
    let sort_query = if sort == Sort::default() { String::new() } else { format!("sort={}", sort.param()) };
    let last = products.total_pages();
    let page = products.page;
    let first = (page as i64 - 1) * products.per_page as i64 + 1;
    let shown_to = first + products.items.len() as i64 - 1;
    let summary = if products.total == 0 {
        "No products yet".to_string()
    } else {
        format!("Showing {first}–{shown_to} of {} products", products.total)
    };
    let title = if page > 1 { format!("{} – page {page}", category.name) } else { category.name.clone() };
    let description = if category.description.is_empty() {
        format!("Shop {} from independent stores.", category.name)
    } else {
        category.description.clone()
    };
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <Breadcrumbs trail=breadcrumbs current=category.name.clone() />
        <header class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight sm:text-3xl">{category.name.clone()}</h1>
            {(!category.description.is_empty())
                .then(|| view! { <p class="mt-2 max-w-2xl text-stone-600">{category.description.clone()}</p> })}
        </header>
        {(!subcategories.is_empty())
            .then(|| {
                view! {
                    <ul class="mb-6 flex flex-wrap gap-2" aria-label="Subcategories">
                        {subcategories
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li>
                                        <a
                                            href=format!("/c/{}", c.slug)
                                            class="inline-flex items-center gap-1.5 rounded-full bg-white px-3.5 py-1.5 text-sm font-medium ring-1 ring-stone-200 hover:bg-stone-100"
                                        >
                                            {c.name}
                                            <span class="text-stone-400">{c.product_count}</span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        <div class="mb-5 flex flex-col gap-3 border-b border-stone-200 pb-4 sm:flex-row sm:items-center sm:justify-between">
            <p class="text-sm text-stone-600" data-testid="result-summary">{summary}</p>
            <SortPicker base_path=base_path.clone() current=sort />
        </div>
        <ProductGrid products=products.items />
        <Pagination base_path base_query=sort_query page last />
    }
}

/// Sort choices as links: they work without JavaScript and keep the URL shareable.
#[component]
fn SortPicker(base_path: String, current: Sort) -> impl IntoView {
    view! {
        <div class="flex items-center gap-2 text-sm">
            <span id="sort-label" class="whitespace-nowrap text-stone-500">"Sort by"</span>
            <ul class="flex flex-wrap gap-1" aria-labelledby="sort-label" data-testid="sort-options">
                {Sort::ALL
                    .into_iter()
                    .map(|s| {
                        let href = if s == Sort::default() {
                            base_path.clone()
                        } else {
                            format!("{base_path}?sort={}", s.param())
                        };
                        let active = s == current;
                        view! {
                            <li>
                                <a
                                    href=href
                                    aria-current=active.then_some("true")
                                    class=if active {
                                        "block rounded-lg bg-stone-900 px-3 py-1.5 font-medium text-white"
                                    } else {
                                        "block rounded-lg bg-white px-3 py-1.5 font-medium text-stone-700 ring-1 ring-stone-200 hover:bg-stone-100"
                                    }
                                >
                                    {s.label()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}
