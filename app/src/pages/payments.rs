//! `/admin/payments`: the payments of orders with a part of the store (every payment for the
//! platform admin without a chosen store), newest first, filtered by status with plain links,
//! searched by order number or e-mail (a plain GET form), 25 a page by cursor (`domain::paging`). Each row shows the order, the card, the amount, captured and refunded: for a store
//! only its own part of the order (never another store's money), for the marketplace the whole
//! payment; an authorized payment the caller may capture has a Capture button (an
//! ActionForm with an idempotency key, so it works without JavaScript and a double click charges
//! once). The marketplace's capture mode is stated at the top; it is changed under Settings.
use crate::api::payments::{CapturePayment, store_payments};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{BUTTON, CARD, FormAlert, last_error};
use crate::components::pagination::CursorPager;
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::admin_pages::{CaptureMode, PaymentList, PaymentRow, can_capture};
use crate::domain::dates::ymd_hm;
use crate::domain::money::{Currency, Money};
use crate::domain::paging::{Cursor, link_query};
use crate::domain::payment::PaymentStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const FILTERS: [(&str, Option<PaymentStatus>); 5] = [
    ("All", None),
    ("Authorized", Some(PaymentStatus::Authorized)),
    ("Paid", Some(PaymentStatus::Captured)),
    ("Refunded", Some(PaymentStatus::Refunded)),
    ("Failed", Some(PaymentStatus::Failed)),
];

fn money(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).to_string()
}

fn badge(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Captured => "bg-emerald-50 text-emerald-800 ring-emerald-200",
        PaymentStatus::Authorized | PaymentStatus::Pending => "bg-amber-50 text-amber-800 ring-amber-200",
        PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded => "bg-sky-50 text-sky-800 ring-sky-200",
        PaymentStatus::Voided | PaymentStatus::Failed => "bg-stone-100 text-stone-700 ring-stone-300",
    }
}

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("store").and_then(|s| s.parse::<i64>().ok()),
            q.get("status").filter(|s| PaymentStatus::parse(s).is_some()),
            q.get("q").filter(|s| !s.trim().is_empty()),
            Cursor::from_params(q.get("before").as_deref(), q.get("after").as_deref()),
        )
    };
    let capture = ServerAction::<CapturePayment>::new();
    let list = Resource::new(
        move || (args(), capture.version().get()),
        |((store, status, q, cursor), _)| {
            let (before, after) = cursor.keys();
            store_payments(store, status, q, before, after)
        },
    );
    view! {
        <Title text="Payments" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => load_error(e, "/admin/payments"),
                        Ok(list) => view! { <Payments list capture paged=args().3 != Cursor::Newest /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Payments(list: PaymentList, capture: ServerAction<CapturePayment>, paged: bool) -> impl IntoView {
    let errors = last_error(capture.value());
    let store_id = list.merchant_id.filter(|_| list.is_admin).map(|id| id.to_string()).unwrap_or_default();
    // A status link keeps the store and the search; the pager keeps the status too.
    let href = {
        let (store_id, search) = (store_id.clone(), list.search.clone());
        move |status: Option<PaymentStatus>| {
            let status = status.map(|s| s.as_str()).unwrap_or_default();
            let q = link_query(&[("store", &store_id), ("status", status), ("q", &search)], Cursor::Newest);
            if q.is_empty() { "/admin/payments".to_string() } else { format!("/admin/payments?{q}") }
        }
    };
    let list_params = vec![
        ("store", store_id.clone()),
        ("status", list.status.map(|s| s.as_str().to_string()).unwrap_or_default()),
        ("q", list.search.clone()),
    ];
    let mode_note = match list.capture_mode {
        CaptureMode::Automatic => "Payments are captured at checkout.",
        CaptureMode::Manual => {
            "Checkout only authorizes the card: capture each payment here once you are ready to ship."
        }
    };
    let (older, newer) = (list.page.older, list.page.newer);
    let searched = !list.search.is_empty() && list.search_error.is_none();
    let is_admin = list.is_admin;
    let merchant_id = list.merchant_id;
    let key = list.action_key.clone();
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Payments"</p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="payments-title">{format!("Payments · {}", list.title)}</h1>
            <p class="mt-1 text-sm text-stone-600" data-testid="capture-mode">{mode_note}</p>
        </header>
        <nav aria-label="Payment status" class="mb-4 flex flex-wrap gap-2">
            {FILTERS
                .into_iter()
                .map(|(label, status)| {
                    let current = (status == list.status).then_some("page");
                    view! {
                        <a
                            href=href(status)
                            aria-current=current
                            class="rounded-full px-3 py-1 text-sm font-medium text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100 aria-[current=page]:bg-stone-900 aria-[current=page]:text-white aria-[current=page]:ring-stone-900"
                        >
                            {label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        <form method="get" action="/admin/payments" role="search" aria-label="Search payments" class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3")>
            {(!store_id.is_empty()).then(|| view! { <input type="hidden" name="store" value=store_id.clone() /> })}
            {list.status.map(|s| view! { <input type="hidden" name="status" value=s.as_str() /> })}
            <label class="min-w-0 flex-1 text-sm font-medium text-stone-800">
                "Search payments"
                <input
                    type="search"
                    name="q"
                    value=list.search.clone()
                    maxlength="100"
                    placeholder="Order number or e-mail"
                    aria-invalid=list.search_error.is_some().then_some("true")
                    aria-describedby=list.search_error.is_some().then_some("payment-search-error")
                    class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500"
                />
            </label>
            <button type="submit" class=BUTTON>"Search"</button>
            {list.search_error.clone().map(|m| view! { <p id="payment-search-error" class="w-full text-sm text-rose-700" role="alert">{m}</p> })}
        </form>
        <FormAlert errors />
        <Show when=move || matches!(capture.value().get(), Some(Ok(_)))>
            <p role="status" class="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="capture-done">
                {move || capture.value().get().and_then(|r| r.ok()).map(|r| format!("Captured {} for order {}.", money(r.captured_minor, r.currency), r.order_number))}
            </p>
        </Show>
        {if list.page.rows.is_empty() {
            let message = if searched { format!("No payments match “{}”.", list.search) } else { "No payments here yet.".to_string() };
            view! { <p class=format!("{CARD} text-stone-600") data-testid="no-payments">{message}</p> }.into_any()
        } else {
            view! {
                <div class=format!("{CARD} overflow-x-auto p-0 sm:p-0")>
                    <DataTable head=HEAD_RULED cols=vec![
                        Col::new("Order", "px-3 py-3 sm:px-4"),
                        Col::new("Status", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("Captured", "hidden px-4 py-3 text-right sm:table-cell"),
                        Col::new(if merchant_id.is_some() { "Your part" } else { "Amount" }, "px-3 py-3 text-right sm:px-4"),
                        Col::new("Card", "hidden px-4 py-3 md:table-cell"),
                        Col::unseen("Action", "px-3 py-3 sm:px-4"),
                    ]>
                        {list
                            .page
                            .rows
                            .into_iter()
                            .map(|row| view! { <PaymentLine row is_admin merchant_id key=key.clone() capture /> })
                            .collect_view()}
                    </DataTable>
                </div>
            }
                .into_any()
        }}
        <CursorPager base_path="/admin/payments" params=list_params older newer paged />
    }
}

#[component]
fn PaymentLine(
    row: PaymentRow,
    is_admin: bool,
    merchant_id: Option<i64>,
    key: String,
    capture: ServerAction<CapturePayment>,
) -> impl IntoView {
    let capturable = can_capture(&row, is_admin);
    let shared = row.store_count > 1 && row.status == PaymentStatus::Authorized && !is_admin;
    let number = row.order_number.clone();
    let form_number = number.clone();
    let order_href = match merchant_id {
        Some(id) if is_admin => format!("/admin/orders/{}?store={id}", row.order_number),
        Some(_) => format!("/admin/orders/{}", row.order_number),
        None => format!("/orders/{}", row.order_number),
    };
    let refunded = (row.refunded_minor > 0).then(|| format!("refunded {}", money(row.refunded_minor, row.currency)));
    // A store's figures are its part only; say so when the order is shared.
    let shared_note =
        (merchant_id.is_some() && row.store_count > 1).then(|| format!("Shared order · {} stores", row.store_count));
    view! {
        <tr data-testid="payment-row" data-order=number>
            <td class="px-3 py-3 sm:px-4">
                <a href=order_href class="whitespace-nowrap font-medium text-stone-900 hover:underline">{row.order_number.clone()}</a>
                <p class="text-xs text-stone-500">{ymd_hm(row.placed_at)}</p>
                // On a phone the status sits under the order instead of in its own column.
                <span class=format!("mt-1 inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-semibold ring-1 sm:hidden {}", badge(row.status))>
                    {row.status.label()}
                </span>
            </td>
            <td class="hidden px-4 py-3 sm:table-cell">
                <span class=format!("whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 {}", badge(row.status)) data-testid="payment-status">
                    {row.status.label()}
                </span>
            </td>
            <td class="hidden px-4 py-3 text-right tabular-nums sm:table-cell" data-testid="payment-captured">
                {money(row.captured_minor, row.currency)}
                {refunded.map(|r| view! { <p class="text-xs text-stone-500">{r}</p> })}
            </td>
            <td class="px-3 py-3 text-right font-medium tabular-nums sm:px-4" data-testid="payment-amount">
                {money(row.amount_minor, row.currency)}
                {shared_note.map(|n| view! { <p class="text-xs font-normal text-stone-500">{n}</p> })}
            </td>
            <td class="hidden px-4 py-3 text-stone-600 md:table-cell">{crate::domain::card::method_label(&row.card_brand, &row.card_last4)}</td>
            <td class="px-3 py-3 text-right sm:px-4">
                {capturable.then(|| view! {
                    <ActionForm action=capture>
                        {merchant_id.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
                        <input type="hidden" name="order_number" value=form_number />
                        <input type="hidden" name="idempotency_key" value=format!("{key}{}", row.payment_id) />
                        <button type="submit" class=format!("{BUTTON} py-1.5") data-testid="capture">"Capture"</button>
                    </ActionForm>
                })}
                {shared.then(|| view! {
                    <span class="text-xs text-stone-500" title="Orders with items from several stores are captured by the marketplace.">
                        "Marketplace captures"
                    </span>
                })}
            </td>
        </tr>
    }
}
