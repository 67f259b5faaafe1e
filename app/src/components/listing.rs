//! A filtered, sorted, paged product list: facets, sort choices, the grid and the pager. Every
//! control is a plain link to a URL holding the whole state, so it works without JavaScript,
//! can be shared, and back/forward restore it.
use super::cart::{CardCart, CardCartNotice};
use super::pagination::Pagination;
use super::product_card::ProductCardView;
use crate::domain::facets::{FacetValue, Filters, PriceBand, href, listing_query};
use crate::domain::listing::Sort;
use crate::domain::ranking::Score;
use crate::domain::storefront::{Listing, RankedCard};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `fixed` are the page's own parameters that every link keeps (the search query).
#[component]
pub fn ListingView(
    listing: Listing,
    base_path: String,
    #[prop(optional)] fixed: Vec<(&'static str, String)>,
) -> impl IntoView {
    let Listing { products, facets, filters, sort, can_explain } = listing;
    let query = use_query_map();
    // Read from the URL reactively: toggling it is a client-side navigation that refetches nothing.
    let explain = Signal::derive(move || can_explain && query.read().get("explain").is_some_and(|v| v == "1"));
    let link = {
        let (base, fixed) = (base_path.clone(), fixed.clone());
        move |f: &Filters, s: Sort| href(&base, &listing_query(&fixed, f, s, 1))
    };
    let last = products.total_pages();
    let page = products.page;
    let first = (page as i64 - 1) * products.per_page as i64 + 1;
    let shown_to = first + products.items.len() as i64 - 1;
    let summary = match products.total {
        0 => "No products".to_string(),
        1 => "1 product".to_string(),
        n if last == 1 => format!("{n} products"),
        n => format!("Showing {first}–{shown_to} of {n} products"),
    };
    let active = filters.params().len();
    let sort_links: Vec<(Sort, String)> = Sort::ALL.iter().map(|s| (*s, link(&filters, *s))).collect();
    let clear = link(&Filters::default(), sort);
    let panel = {
        let (facets, filters) = (facets.clone(), filters.clone());
        move || view! { <FacetPanel facets=facets.clone() filters=filters.clone() sort link=link.clone() /> }
    };
    let pager_query = listing_query(&fixed, &filters, sort, 1);
    let explain_href = {
        let q = listing_query(&fixed, &filters, sort, page);
        let with = href(&base_path, &if q.is_empty() { "explain=1".into() } else { format!("{q}&explain=1") });
        let without = href(&base_path, &q);
        move || if explain.get() { without.clone() } else { with.clone() }
    };
    let empty_with_filters = products.total == 0 && active > 0;
    view! {
        <div class="lg:grid lg:grid-cols-[15rem_minmax(0,1fr)] lg:gap-8">
            <aside class="hidden lg:block" aria-label="Filters" data-testid="facets">{panel.clone()()}</aside>
            <div class="min-w-0">
                <details class="mb-4 rounded-xl bg-white ring-1 ring-stone-200 lg:hidden" data-testid="facets-mobile">
                    <summary class="flex cursor-pointer items-center justify-between px-4 py-3 text-sm font-semibold">
                        <span>"Filters"</span>
                        {(active > 0).then(|| view! { <span class="rounded-full bg-emerald-700 px-2 py-0.5 text-xs text-white">{active}" active"</span> })}
                    </summary>
                    <div class="border-t border-stone-200 px-4 py-4">{panel()}</div>
                </details>
                <div class="mb-5 flex flex-col gap-3 border-b border-stone-200 pb-4 xl:flex-row xl:items-center xl:justify-between">
                    <p class="text-sm text-stone-600" data-testid="result-summary">
                        {summary}
                        {can_explain
                            .then(|| {
                                view! {
                                    <a href=explain_href class="ml-3 font-medium text-emerald-800 underline-offset-2 hover:underline" data-testid="explain-toggle">
                                        {move || if explain.get() { "Hide scores" } else { "Why this order?" }}
                                    </a>
                                }
                            })}
                    </p>
                    <SortPicker current=sort links=sort_links />
                </div>
                {empty_with_filters
                    .then(|| {
                        view! {
                            <p class="mb-6 rounded-xl bg-white px-4 py-6 text-center text-sm text-stone-600 ring-1 ring-stone-200">
                                "No products match these filters. "
                                <a href=clear.clone() class="font-medium text-emerald-800 underline">"Clear all filters"</a>
                            </p>
                        }
                    })}
                // The grid's own heading (for screen readers), so the cards' h3 titles follow an h2
                // even where the filter panel's headings are hidden (phones).
                <h2 class="sr-only">"Products"</h2>
                <RankedGrid products=products.items explain />
                <Pagination base_path base_query=pager_query page last />
            </div>
        </div>
    }
}

/// Sort choices as links that keep the filters.
#[component]
fn SortPicker(current: Sort, links: Vec<(Sort, String)>) -> impl IntoView {
    view! {
        <div class="flex min-w-0 items-center gap-2 text-sm">
            <span id="sort-label" class="whitespace-nowrap text-stone-500">"Sort by"</span>
            // One scrollable row on phones rather than a ragged wrap.
            <ul class="-my-1 flex min-w-0 gap-1 overflow-x-auto py-1 whitespace-nowrap" aria-labelledby="sort-label" data-testid="sort-options">
                {links
                    .into_iter()
                    .map(|(s, href)| {
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

#[component]
fn FacetPanel<L>(facets: crate::domain::facets::Facets, filters: Filters, sort: Sort, link: L) -> impl IntoView
where
    L: Fn(&Filters, Sort) -> String + Clone + Send + Sync + 'static,
{
    let group = |title: &'static str, testid: &'static str, values: Vec<FacetValue>, to: &dyn Fn(&str) -> Filters| {
        (!values.is_empty()).then(|| {
            let items: Vec<_> = values.into_iter().map(|v| (link(&to(&v.value), sort), v)).collect();
            view! {
                <section class="border-b border-stone-200 py-4 first:pt-0" data-testid=testid>
                    <h2 class="mb-2 text-xs font-semibold uppercase tracking-wide text-stone-500">{title}</h2>
                    <ul class="space-y-0.5">{items.into_iter().map(|(href, v)| view! { <li><FacetLink href value=v /></li> }).collect_view()}</ul>
                </section>
            }
        })
    };
    let in_stock = FacetValue {
        value: "1".into(),
        label: "In stock only".into(),
        count: facets.in_stock,
        selected: filters.in_stock,
    };
    let f = filters.clone();
    let stock_href = link(&f.toggle_in_stock(), sort);
    let has_filters = !filters.is_empty();
    let clear = link(&Filters::default(), sort);
    view! {
        <div class="text-sm">
            {has_filters
                .then(|| {
                    view! {
                        <a href=clear class="mb-3 inline-block font-medium text-emerald-800 underline-offset-2 hover:underline" data-testid="clear-filters">
                            "Clear all filters"
                        </a>
                    }
                })}
            <section class="border-b border-stone-200 pb-4" data-testid="facet-stock">
                <FacetLink href=stock_href value=in_stock />
            </section>
            {group("Category", "facet-category", facets.categories, &|v| filters.toggle_category(v))}
            {group("Store", "facet-store", facets.stores, &|v| filters.toggle_store(v))}
            {group("Price", "facet-price", facets.prices, &|v| {
                PriceBand::parse(v).map(|b| filters.toggle_price(b)).unwrap_or_else(|| filters.clone())
            })}
            {group("Customer rating", "facet-rating", facets.ratings, &|v| {
                v.parse().map(|r| filters.toggle_rating(r)).unwrap_or_else(|_| filters.clone())
            })}
        </div>
    }
}

/// A facet choice: a link that toggles it, drawn as a checkbox with the count it would give.
#[component]
fn FacetLink(href: String, value: FacetValue) -> impl IntoView {
    let FacetValue { label, count, selected, .. } = value;
    view! {
        <a
            href=href
            rel="nofollow"
            aria-current=selected.then_some("true")
            class="group flex items-center gap-2.5 rounded-md px-1.5 py-1.5 text-stone-700 hover:bg-stone-100"
        >
            <span
                aria-hidden="true"
                class=if selected {
                    "flex h-4 w-4 shrink-0 items-center justify-center rounded border border-emerald-700 bg-emerald-700 text-[10px] text-white"
                } else {
                    "flex h-4 w-4 shrink-0 items-center justify-center rounded border border-stone-300 bg-white"
                }
            >
                {selected.then_some("✓")}
            </span>
            <span class="min-w-0 flex-1 truncate" class:font-semibold=selected>{label}</span>
            {selected.then(|| view! { <span class="sr-only">"(selected)"</span> })}
            <span class="text-xs tabular-nums text-stone-500">{count}</span>
        </a>
    }
}

/// Product cards in the server's order; with `explain`, each shows how its score was made.
#[component]
pub fn RankedGrid(products: Vec<RankedCard>, #[prop(into)] explain: Signal<bool>) -> impl IntoView {
    CardCart::provide();
    view! {
        <CardCartNotice />
        <ul class="grid grid-cols-2 gap-3 sm:gap-5 md:grid-cols-3 xl:grid-cols-4" data-testid="product-grid">
            {products
                .into_iter()
                .map(|RankedCard { card, score }| {
                    view! {
                        <li class="flex flex-col gap-2">
                            <ProductCardView product=card />
                            {move || {
                                score.clone().filter(|_| explain.get()).map(|s| view! { <Explanation score=s /> })
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// "Why this order": each signal's value, weight and share; the shares add up to the score.
#[component]
fn Explanation(score: Score) -> impl IntoView {
    view! {
        <div class="rounded-lg bg-stone-50 p-2 text-[11px] leading-tight text-stone-600 ring-1 ring-stone-200" data-testid="explanation">
            <p class="mb-1 flex justify-between font-semibold text-stone-900">
                <span>"Score"</span>
                <span data-testid="score">{format!("{:.3}", score.score)}</span>
            </p>
            <ul class="space-y-0.5">
                {score
                    .contributions
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li class="flex justify-between gap-2" data-testid="contribution">
                                <span class="truncate">{c.signal.label()}</span>
                                <span class="tabular-nums" title=format!("value {:.2} × weight {}", c.value, c.weight)>
                                    <span data-testid="share">{format!("{:.3}", c.share)}</span>
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}
