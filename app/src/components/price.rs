use crate::domain::money::{Currency, Money};
use leptos::prelude::*;

/// An amount stored as minor units and a currency code, for the dashboard's tables. A code that
/// does not parse is shown as it is stored, never passed off as another currency.
pub fn stored_amount(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => Money::new(minor, c).to_string(),
        Err(_) => format!("{minor} (minor units of unknown currency {currency:?})"),
    }
}

/// A price as shoppers read it: "From" when variants differ, the old price struck through.
#[component]
pub fn Price(
    price: Money,
    #[prop(default = None)] compare_at: Option<Money>,
    #[prop(optional)] from: bool,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let off = compare_at.and_then(|was| price.percent_off(was).map(|pct| (was, pct)));
    let size = if large { "text-2xl" } else { "text-base" };
    view! {
        <span class="inline-flex flex-wrap items-baseline gap-x-2">
            {from.then(|| view! { <span class="text-sm text-stone-500">"From"</span> })}
            <span class=format!("{size} font-semibold tabular-nums text-stone-950") data-testid="price-current">
                {price.to_string()}
            </span>
            {off
                .map(|(was, pct)| {
                    view! {
                        <span class="text-sm tabular-nums text-stone-500 line-through">
                            <span class="sr-only">"Was "</span>
                            {was.to_string()}
                        </span>
                        <span class="rounded bg-rose-50 px-1.5 py-0.5 text-xs font-semibold text-rose-700">
                            {format!("−{pct}%")}
                        </span>
                    }
                })}
        </span>
    }
}
