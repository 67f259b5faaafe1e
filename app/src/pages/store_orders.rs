//! `/admin/orders` and `/admin/orders/{number}`: a store's queue of order parts, filtered by
//! status, and one order as the store sees it: its part, the address to ship to, and the order's
//! payment with every event. `?store=ID` picks the store for the platform admin.
use crate::api::store_orders::{StoreOrderQueue, store_order, store_orders};
use crate::components::form::CARD;
use crate::components::status::LoadFailed;
use crate::domain::errors::AppError;
use crate::domain::order::PartStatus;
use crate::domain::order_view::MerchantOrderView;
use crate::pages::forbidden::Forbidden;
use crate::pages::not_found::NotFound;
use crate::pages::order::{Part, Payment};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

fn store_param(id: Option<i64>) -> String {
    id.map(|id| format!("store={id}")).unwrap_or_default()
}

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
    }
}

#[component]
fn Queue(orders: StoreOrderQueue, explicit: Option<i64>) -> impl IntoView {
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
                    <table class="w-full text-left text-sm" data-testid="store-orders">
                        <thead class="border-b border-stone-200 text-xs uppercase tracking-wide text-stone-500">
                            <tr>
                                <th class="px-4 py-3">"Order"</th>
                                <th class="px-4 py-3">"Customer"</th>
                                <th class="px-4 py-3">"Items"</th>
                                <th class="px-4 py-3">"Status"</th>
                                <th class="px-4 py-3">"Payment"</th>
                                <th class="px-4 py-3 text-right">"Your part"</th>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-stone-100">
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
                                            <td class="px-4 py-3 text-stone-700">{p.email.clone()}</td>
                                            <td class="px-4 py-3 tabular-nums">{p.items}</td>
                                            <td class="px-4 py-3">{p.status.replace('_', " ")}</td>
                                            <td class="px-4 py-3" data-testid="row-payment-status">
                                                {p.payment_status.clone().map(|s| s.replace('_', " ")).unwrap_or_else(|| "—".into())}
                                            </td>
                                            <td class="px-4 py-3 text-right font-semibold tabular-nums">{p.total.to_string()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}
    }
}

#[component]
pub fn StoreOrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let args = move || {
        (query.read().get("store").and_then(|s| s.parse::<i64>().ok()), params.read().get("number").unwrap_or_default())
    };
    let order = Resource::new(args, |(store, number)| store_order(store, number));
    view! {
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let explicit = args().0;
                match order.await {
                    Ok(o) => view! { <StoreOrder order=o explicit /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin/orders" /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StoreOrder(order: MerchantOrderView, explicit: Option<i64>) -> impl IntoView {
    let a = order.ship_to.clone();
    let back = match explicit {
        Some(id) => format!("/admin/orders?store={id}"),
        None => "/admin/orders".into(),
    };
    view! {
        <Title text=format!("Order {}", order.number) />
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700"><a href=back class="hover:underline">"Orders"</a></p>
            <h1 class="mt-1 text-2xl font-semibold tracking-tight">
                "Order " <span class="font-mono" data-testid="order-number">{order.number.clone()}</span>
            </h1>
            <p class="mt-1 text-sm text-stone-600">
                {format!("Placed {} by {}", crate::domain::dates::ymd_hm(order.created_at), order.email)}
                {(order.other_stores > 0).then(|| format!(" · {} other store(s) ship the rest of this order", order.other_stores))}
            </p>
        </header>
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="lg:col-span-2"><Part part=order.part.clone() /></div>
            <div class="flex flex-col gap-4">
                <section class=CARD>
                    <h2 class="text-base font-semibold">"Ship to"</h2>
                    <address class="mt-2 text-sm not-italic text-stone-700" data-testid="ship-to">
                        {a.name} <br /> {a.line1} <br />
                        {(!a.line2.is_empty()).then(|| view! { {a.line2.clone()} <br /> })}
                        {format!("{} {}", a.postal_code, a.city)} <br /> {a.country}
                    </address>
                </section>
                {order.payment.map(|p| {
                    view! {
                        <Payment payment=p />
                        <p class="-mt-2 px-1 text-xs text-stone-500">
                            "One payment covers the whole order; your part's share is its total above."
                        </p>
                    }
                })}
            </div>
        </div>
    }
}
