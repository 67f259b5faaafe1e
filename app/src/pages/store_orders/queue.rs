//! The store's queue of order parts: filtered by status, searched by order number, e-mail,
//! ship-to name or SKU (a plain GET form), 25 a page by cursor (`domain::paging`), and exported
//! as CSV for accounting (`/admin/orders.csv`, the same filters).
use super::store_param;
use crate::api::store_orders::store_orders;
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON, CARD};
use crate::components::pagination::CursorPager;
use crate::components::status::LoadFailed;
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::errors::AppError;
use crate::domain::order::PartStatus;
use crate::domain::paging::{Cursor, link_query};
use crate::views::orders::StoreOrderQueue;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn StoreOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("store").and_then(|s| s.parse::<i64>().ok()),
            q.get("status").filter(|s| !s.is_empty()),
            q.get("q").filter(|s| !s.trim().is_empty()),
            Cursor::from_params(q.get("before").as_deref(), q.get("after").as_deref()),
        )
    };
    let orders = Resource::new(args, |(store, status, q, cursor)| {
        let (before, after) = cursor.keys();
        store_orders(store, status, q, before, after)
    });
    view! {
        <Title text="Orders" />
        <AdminLayout>
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let (explicit, .., cursor) = args();
                match orders.await {
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin/orders" /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }.into_any(),
                    Ok(o) => view! { <Queue orders=o explicit paged=cursor != Cursor::Newest /> }.into_any(),
                }
            })}
        </Suspense>
        </AdminLayout>
    }
}

#[component]
pub(super) fn Queue(orders: StoreOrderQueue, explicit: Option<i64>, paged: bool) -> impl IntoView {
    let StoreOrderQueue { store_name, status, search, search_error, page, .. } = orders;
    let store = store_param(explicit);
    let store_id = explicit.map(|s| s.to_string()).unwrap_or_default();
    // A status link keeps the search; the pager and the export keep both.
    let filter_link = |s: Option<&str>| {
        let q = link_query(&[("store", &store_id), ("status", s.unwrap_or_default()), ("q", &search)], Cursor::Newest);
        if q.is_empty() { "/admin/orders".to_string() } else { format!("/admin/orders?{q}") }
    };
    let list_params =
        vec![("store", store_id.clone()), ("status", status.clone().unwrap_or_default()), ("q", search.clone())];
    let export_href = {
        let q = link_query(
            &[("store", &store_id), ("status", status.as_deref().unwrap_or_default()), ("q", &search)],
            Cursor::Newest,
        );
        if q.is_empty() { "/admin/orders.csv".to_string() } else { format!("/admin/orders.csv?{q}") }
    };
    let parts = page.rows;
    let searched = !search.is_empty() && search_error.is_none();
    let filters: Vec<(Option<&'static str>, &'static str)> =
        std::iter::once((None, "All")).chain(PartStatus::ALL.iter().map(|s| (Some(s.as_str()), s.label()))).collect();
    view! {
        <header class="mb-4">
            <p class="text-sm font-medium text-emerald-700"><a href="/admin" class="hover:underline">"Dashboard"</a></p>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-semibold tracking-tight">{format!("Orders · {store_name}")}</h1>
                <a href=export_href rel="external" download class="text-sm font-medium text-emerald-800 hover:underline" data-testid="orders-export">
                    "Export CSV"
                </a>
            </div>
        </header>
        <form method="get" action="/admin/orders" role="search" aria-label="Search orders" class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3")>
            {explicit.map(|s| view! { <input type="hidden" name="store" value=s /> })}
            {status.clone().map(|s| view! { <input type="hidden" name="status" value=s /> })}
            <label class="min-w-0 flex-1 text-sm font-medium text-stone-800">
                "Search orders"
                <input
                    type="search"
                    name="q"
                    value=search.clone()
                    maxlength="100"
                    placeholder="Order number, e-mail, name or SKU"
                    aria-invalid=search_error.is_some().then_some("true")
                    aria-describedby=search_error.is_some().then_some("order-search-error")
                    class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500"
                />
            </label>
            <button type="submit" class=BUTTON>"Search"</button>
            {search_error.clone().map(|m| view! { <p id="order-search-error" class="w-full text-sm text-rose-700" role="alert">{m}</p> })}
        </form>
        <nav aria-label="Filter by status" class="mb-4 flex flex-wrap gap-2 text-sm">
            {filters
                .into_iter()
                .map(|(s, label)| {
                    let current = status.as_deref() == s;
                    view! {
                        <a
                            href=filter_link(s)
                            aria-current=current.then_some("page")
                            class="rounded-full px-3 py-1 ring-1 ring-stone-300 hover:bg-stone-100 aria-[current=page]:bg-stone-900 aria-[current=page]:text-white aria-[current=page]:ring-stone-900"
                        >
                            {label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        {if parts.is_empty() {
            let message = if searched { format!("No orders match “{search}”.") } else { "No orders here yet.".to_string() };
            view! { <p class=format!("{CARD} text-stone-600") data-testid="no-store-orders">{message}</p> }.into_any()
        } else {
            view! {
                <div class=format!("{CARD} overflow-x-auto p-0")>
                    <DataTable head=HEAD_RULED testid="store-orders" cols=vec![
                        Col::new("Order", "px-3 py-3 sm:px-4"),
                        Col::new("Customer", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("Items", "hidden px-4 py-3 md:table-cell"),
                        Col::new("Status", "px-4 py-3"),
                        Col::new("Payment", "hidden px-4 py-3 md:table-cell"),
                        Col::new("Your part", "px-4 py-3 text-right"),
                    ]>
                        {parts
                            .into_iter()
                            .map(|p| {
                                let href = if store.is_empty() {
                                    format!("/admin/orders/{}", p.number)
                                } else {
                                    format!("/admin/orders/{}?{store}", p.number)
                                };
                                view! {
                                    <tr data-testid="store-order-row">
                                        <td class="px-4 py-3">
                                            <a href=href class="whitespace-nowrap font-mono font-semibold text-emerald-800 hover:underline">{p.number.clone()}</a>
                                            <div class="text-xs text-stone-500">{crate::domain::dates::ymd_hm(p.created_at)}</div>
                                        </td>
                                        <td class="hidden px-4 py-3 text-stone-700 sm:table-cell">
                                            <div>{p.ship_name.clone()}</div>
                                            <div class="text-xs text-stone-500" data-testid="row-email">{p.email.clone()}</div>
                                        </td>
                                        <td class="hidden px-4 py-3 tabular-nums md:table-cell">{p.items}</td>
                                        <td class="px-4 py-3">{p.status.replace('_', " ")}</td>
                                        <td class="hidden px-4 py-3 md:table-cell" data-testid="row-payment-status">
                                            {p.payment_status.clone().map(|s| s.replace('_', " ")).unwrap_or_else(|| "—".into())}
                                        </td>
                                        <td class="px-4 py-3 text-right font-semibold tabular-nums">{p.total.to_string()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </DataTable>
                </div>
            }
                .into_any()
        }}
        <CursorPager base_path="/admin/orders" params=list_params older=page.older newer=page.newer paged />
    }
}
