use crate::api::catalog::get_category;
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::listing::ListingView;
use crate::components::status::{LoadFailed, LoadingGrid};
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
        let filters = (q.get("category"), q.get("store"), q.get("price"), q.get("rating"), q.get("stock"));
        (params.read().get("slug").unwrap_or_default(), q.get("sort"), q.get("page"), filters)
    };
    let listing = Resource::new(key, |(slug, sort, page, (category, store, price, rating, stock))| {
        get_category(slug, sort, page, category, store, price, rating, stock)
    });
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
    let CategoryListing { category, mut breadcrumbs, subcategories, listing } = data;
    breadcrumbs.pop(); // the current category is shown as the last, unlinked crumb
    let base_path = format!("/c/{}", category.slug);
    let page = listing.products.page;
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
                                            <span class="text-stone-500">{c.product_count}</span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        <ListingView listing base_path />
    }
}
