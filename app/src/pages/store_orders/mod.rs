//! `/admin/orders` and `/admin/orders/{number}`: a store's queue of order parts, filtered by
//! status, and one order as the store sees it: its part, the address to ship to, and how the
//! payment stands for its part (never other stores' lines or the order's totals), and what the
//! store can do with its part: start processing, ship
//! lines with a carrier and tracking number, cancel before shipping, refund the part or lines,
//! and decide, receive and refund the shopper's returns. Every action is an `ActionForm`, so it
//! works without JavaScript; with it, the page reloads its data after each action.
//! `?store=ID` picks the store for the platform admin.
mod actions;
mod money_forms;
mod order;
mod queue;
mod returns;
mod ship_forms;

pub use order::StoreOrderPage;
pub use queue::StoreOrdersPage;

use leptos::prelude::*;

fn store_param(id: Option<i64>) -> String {
    id.map(|id| format!("store={id}")).unwrap_or_default()
}

/// The hidden fields every action form of this order carries.
#[component]
fn OrderFields(number: String, explicit: Option<i64>, #[prop(optional)] key: Option<String>) -> impl IntoView {
    view! {
        <input type="hidden" name="number" value=number />
        {explicit.map(|id| view! { <input type="hidden" name="merchant_id" value=id.to_string() /> })}
        {key.map(|k| view! { <input type="hidden" name="idempotency_key" value=k /> })}
    }
}

const INPUT: &str = "w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500";
const LABEL: &str = "text-sm font-medium text-stone-800";
const ERROR: &str = "text-sm text-rose-700";
const DANGER: &str = "inline-flex items-center justify-center rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-rose-700 ring-1 ring-rose-300 hover:bg-rose-50";
