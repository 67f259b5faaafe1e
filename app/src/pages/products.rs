//! `/admin/products`: the store's products (drafts too) as a table — title, status, category,
//! price (or range), stock, variants and when it last changed — with a GET filter form (search in
//! titles and SKUs, status, category, stock: in / low / out, sort by last change, title, price or
//! stock) and pages of 25 by cursor (`domain::paging`). Works without JavaScript. `?store=ID` picks the store for the
//! platform admin.
use crate::api::products::admin_products;
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON, BUTTON_SECONDARY, CARD, FILTER_INPUT};
use crate::components::pagination::{CursorPager, PagerLabels};
use crate::components::status::LoadFailed;
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::errors::AppError;
use crate::domain::money::Money;
use crate::domain::paging::Cursor;
use crate::domain::product_form::{AdminProductList, AdminProductRow, ProductFilter};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

type Args = (Option<i64>, ProductFilter, Cursor);

#[component]
pub fn ProductsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || -> Args {
        let q = query.read();
        let text = |k: &str| q.get(k).unwrap_or_default();
        let store = q.get("store").and_then(|s| s.parse::<i64>().ok());
        let filter = ProductFilter {
            q: text("q"),
            status: text("status"),
            category_id: q.get("category").and_then(|s| s.parse().ok()),
            stock: text("stock"),
            sort: text("sort"),
        };
        (store, filter, Cursor::from_params(q.get("before").as_deref(), q.get("after").as_deref()))
    };
    let list = Resource::new(args, |(store, f, cursor)| {
        let (before, after) = cursor.keys();
        admin_products(store, Some(f.q), Some(f.status), f.category_id, Some(f.stock), Some(f.sort), before, after)
    });
    view! {
        <Title text="Products" />
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let (store, _, cursor) = args();
                match list.await {
                    Err(AppError::Unauthenticated) => {
                        view! { <Redirect path="/login?next=/admin/products" /> }.into_any()
                    }
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }.into_any(),
                    Ok(list) => view! { <Table list store paged=cursor != Cursor::Newest /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn price_text(row: &AdminProductRow) -> String {
    let currency = row.currency;
    let low = Money::new(row.min_price_minor, currency).to_string();
    if row.max_price_minor != row.min_price_minor {
        format!("{low} – {}", Money::new(row.max_price_minor, currency))
    } else {
        low
    }
}

const STATUS_OPTIONS: &[(&str, &str)] = &[("", "Any"), ("draft", "Draft"), ("published", "Published")];
const STOCK_OPTIONS: &[(&str, &str)] =
    &[("", "Any"), ("in", "In stock"), ("low", "Low stock"), ("out", "Out of stock")];
const SORT_OPTIONS: &[(&str, &str)] =
    &[("updated", "Last changed"), ("title", "Title"), ("price", "Price"), ("stock", "Stock")];

/// One filter of the form: a labelled `<select>` with the option equal to `current` chosen.
#[component]
fn Choice(id: &'static str, label: &'static str, options: Vec<(String, String)>, current: String) -> impl IntoView {
    view! {
        <div>
            <label for=id class="text-sm font-medium text-stone-800">{label}</label>
            <select id=id name=id class=FILTER_INPUT data-testid=format!("products-{id}")>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

fn owned(options: &[(&str, &str)]) -> Vec<(String, String)> {
    options.iter().map(|(v, t)| (v.to_string(), t.to_string())).collect()
}

#[component]
fn Table(list: AdminProductList, store: Option<i64>, paged: bool) -> impl IntoView {
    let f = list.filter.clone();
    let new_href = match store {
        Some(s) => format!("/admin/products/new?store={s}"),
        None => "/admin/products/new".into(),
    };
    let category_options: Vec<(String, String)> = std::iter::once((String::new(), "Any".to_string()))
        .chain(list.categories.iter().map(|(id, name)| (id.to_string(), name.clone())))
        .collect();
    // Each filter: its field name, label, chosen value and options (value, label), in form order.
    let filters = [
        ("status", "Status", f.status.clone(), owned(STATUS_OPTIONS)),
        ("category", "Category", f.category_id.map(|id| id.to_string()).unwrap_or_default(), category_options),
        ("stock", "Stock", f.stock.clone(), owned(STOCK_OPTIONS)),
        ("sort", "Sort", f.sort.clone(), owned(SORT_OPTIONS)),
    ];
    let params: Vec<(&'static str, String)> =
        std::iter::once(("store", store.map(|s| s.to_string()).unwrap_or_default())).chain(f.params()).collect();
    let (older, newer) = (list.page.older, list.page.newer);
    let shown = list.page.rows.len();
    // Nothing counts the store's products; the number is known when they fit on this one page.
    let count = if older.is_none() && newer.is_none() && !paged {
        format!("{shown} product{}", if shown == 1 { "" } else { "s" })
    } else {
        format!("{shown} products on this page")
    };
    let empty = list.page.rows.is_empty();
    view! {
        <header class="mb-4 flex flex-wrap items-end justify-between gap-3">
            <div>
                <p class="text-sm font-medium text-emerald-700"><a href="/admin" class="hover:underline">"Dashboard"</a></p>
                <h1 class="text-2xl font-semibold tracking-tight" data-testid="products-title">
                    {format!("Products · {}", list.store_name)}
                </h1>
                <p class="mt-1 text-sm text-stone-600" data-testid="products-total">
                    {count}
                </p>
            </div>
            <div class="flex flex-wrap gap-2">
                <a
                    href=store.map(|s| format!("/admin/products/import?store={s}")).unwrap_or_else(|| "/admin/products/import".into())
                    class=BUTTON_SECONDARY
                    data-testid="import-products"
                >
                    "Import / export CSV"
                </a>
                <a href=new_href class=BUTTON data-testid="new-product">"New product"</a>
            </div>
        </header>
        <form method="get" action="/admin/products" class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3") aria-label="Filter products">
            {store.map(|id| view! { <input type="hidden" name="store" value=id /> })}
            <div class="grow">
                <label for="q" class="text-sm font-medium text-stone-800">"Search"</label>
                <input id="q" name="q" type="search" value=f.q.clone() placeholder="Title or SKU" class=format!("{FILTER_INPUT} w-full") data-testid="products-q" />
            </div>
            {filters.into_iter().map(|(id, label, current, options)| view! { <Choice id label current options /> }).collect_view()}
            <button type="submit" class=BUTTON_SECONDARY>"Apply"</button>
        </form>
        <div class=format!("{CARD} overflow-x-auto p-0 sm:p-0")>
            <DataTable head=HEAD_RULED class="w-full min-w-[40rem] text-left text-sm" body="" testid="products-table" cols=vec![
                Col::new("Product", "px-4 py-3"),
                Col::new("Status", "px-4 py-3"),
                Col::new("Category", "px-4 py-3"),
                Col::new("Price", "px-4 py-3 text-right"),
                Col::new("Stock", "px-4 py-3 text-right"),
                Col::new("Variants", "px-4 py-3 text-right"),
            ]>
                {list
                    .page
                    .rows
                    .iter()
                    .map(|row| {
                        let href = match store {
                            Some(s) => format!("/admin/products/{}?store={s}", row.id),
                            None => format!("/admin/products/{}", row.id),
                        };
                        let stock_class = if row.total_stock == 0 {
                            "px-4 py-3 text-right tabular-nums text-rose-700"
                        } else if row.total_stock <= crate::domain::catalog::LOW_STOCK {
                            "px-4 py-3 text-right tabular-nums text-amber-700"
                        } else {
                            "px-4 py-3 text-right tabular-nums"
                        };
                        view! {
                            <tr class="border-b border-stone-100 last:border-0" data-testid="product-row">
                                <td class="px-4 py-3">
                                    <a href=href class="font-medium text-stone-900 hover:underline">{row.title.clone()}</a>
                                    <div class="text-xs text-stone-500">{row.slug.clone()}</div>
                                </td>
                                <td class="px-4 py-3">
                                    {if row.published {
                                        view! { <span class="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-200">"Published"</span> }.into_any()
                                    } else {
                                        view! { <span class="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-700 ring-1 ring-stone-300">"Draft"</span> }.into_any()
                                    }}
                                </td>
                                <td class="px-4 py-3">{row.category.clone()}</td>
                                <td class="px-4 py-3 text-right tabular-nums">{price_text(row)}</td>
                                <td class=stock_class>{row.total_stock}</td>
                                <td class="px-4 py-3 text-right tabular-nums">{row.variant_count}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
            {empty.then(|| view! { <p class="px-4 py-6 text-center text-sm text-stone-600">"No products match."</p> })}
        </div>
        <CursorPager base_path="/admin/products" params older newer paged labels=PagerLabels::IN_ORDER />
    }
}
