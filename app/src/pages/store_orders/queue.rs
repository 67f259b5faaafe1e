//! The store's queue of order parts, filtered by status.
use super::store_param;
use crate::api::store_orders::store_orders;
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::CARD;
use crate::components::status::LoadFailed;
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::errors::AppError;
use crate::domain::order::PartStatus;
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
        (q.get("store").and_then(|s| s.parse::<i64>().ok()), q.get("status").filter(|s| !s.is_empty()))
    };
    let orders = Resource::new(args, |(store, status)| store_orders(store, status));
    view! {
        <Title text="Orders" />
        <AdminLayout>
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let explicit = args().0;
                match orders.await {
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin/orders" /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }.into_any(),
                    Ok(o) => view! { <Queue orders=o explicit /> }.into_any(),
                }
            })}
        </Suspense>
        </AdminLayout>
    }
}

#[component]
pub(super) fn Queue(orders: StoreOrderQueue, explicit: Option<i64>) -> impl IntoView {
    let StoreOrderQueue { store_name, status, parts, .. } = orders;
    let store = store_param(explicit);
    let filter_link = |s: Option<&str>| {
        let params: Vec<String> = [store.clone(), s.map(|s| format!("status={s}")).unwrap_or_default()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        if params.is_empty() { "/admin/orders".to_string() } else { format!("/admin/orders?{}", params.join("&")) }
    };
    let filters: Vec<(Option<&'static str>, &'static str)> =
        std::iter::once((None, "All")).chain(PartStatus::ALL.iter().map(|s| (Some(s.as_str()), s.label()))).collect();
    view! {
        <header class="mb-4">
            <p class="text-sm font-medium text-emerald-700"><a href="/admin" class="hover:underline">"Dashboard"</a></p>
            <h1 class="text-2xl font-semibold tracking-tight">{format!("Orders · {store_name}")}</h1>
        </header>
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
            view! { <p class=format!("{CARD} text-stone-600") data-testid="no-store-orders">"No orders here yet."</p> }.into_any()
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
                                            <a href=href class="font-mono font-semibold text-emerald-800 hover:underline">{p.number.clone()}</a>
                                            <div class="text-xs text-stone-500">{crate::domain::dates::ymd_hm(p.created_at)}</div>
                                        </td>
                                        <td class="hidden px-4 py-3 text-stone-700 sm:table-cell">{p.email.clone()}</td>
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
    }
}
