//! Cancelling a part and refunding it or its lines.
use super::{DANGER, ERROR, INPUT, LABEL, OrderFields};
use crate::api::fulfilment::{CancelPart, RefundPart};
use crate::components::form::{BUTTON_SECONDARY, FormAlert, last_error};
use crate::domain::money::Money;
use crate::views::orders::OrderPartView;
use leptos::prelude::*;

#[component]
pub(super) fn CancelForm(
    number: String,
    explicit: Option<i64>,
    key: String,
    action: ServerAction<CancelPart>,
) -> impl IntoView {
    let errors = last_error(action.value());
    view! {
        <details class="group border-t border-stone-200 pt-4" open=move || errors.get().is_some()>
            <summary class="cursor-pointer text-sm font-semibold text-rose-700">"Cancel this part…"</summary>
            <ActionForm action attr:class="mt-3 flex flex-col gap-2" attr:data-testid="cancel-form">
                <OrderFields number explicit key=key />
                <p class="text-sm text-stone-600">"The items go back into stock and the shopper gets their money back."</p>
                <FormAlert errors />
                <label for="cancel-reason" class=LABEL>"Reason (the shopper sees it)"</label>
                <textarea id="cancel-reason" name="reason" rows="2" required maxlength="500" class=INPUT
                    aria-invalid=move || errors.get().and_then(|e| e.field("reason")).map(|_| "true")></textarea>
                <p class=ERROR>{move || errors.get().and_then(|e| e.field("reason"))}</p>
                <button type="submit" class=format!("{DANGER} self-start") data-testid="cancel">"Cancel part"</button>
            </ActionForm>
        </details>
    }
}

/// Refund the whole part, or some lines (all that is left on them, or an amount). Each line is a
/// checkbox sending its id; with JavaScript an amount typed next to it is added ("id:12.50").
/// Without JavaScript the amount box stays disabled, so a checked line refunds what is left on it.
#[component]
pub(super) fn RefundForms(
    part: OrderPartView,
    number: String,
    explicit: Option<i64>,
    key: String,
    action: ServerAction<RefundPart>,
) -> impl IntoView {
    let errors = last_error(action.value());
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let left = Money::new(part.total.minor - part.refunded.minor, part.total.currency);
    let (whole_number, whole_key) = (number.clone(), key.clone());
    view! {
        <details class="group border-t border-stone-200 pt-4" open=move || errors.get().is_some()>
            <summary class="cursor-pointer text-sm font-semibold text-stone-900">"Refund…"</summary>
            <div class="mt-3 flex flex-col gap-4">
                <FormAlert errors />
                <ActionForm action attr:class="flex flex-col gap-2" attr:data-testid="refund-whole-form">
                    <OrderFields number=whole_number explicit key=whole_key />
                    <input type="hidden" name="whole" value="true" />
                    <p class="text-sm text-stone-600">{format!("Everything left on this part: {left}.")}</p>
                    <button type="submit" class=format!("{BUTTON_SECONDARY} self-start") data-testid="refund-whole">
                        "Refund the whole part"
                    </button>
                </ActionForm>
                <ActionForm action attr:class="flex flex-col gap-2 border-t border-stone-100 pt-4" attr:data-testid="refund-lines-form">
                    <OrderFields number explicit key=key />
                    <p class="text-sm text-stone-600">"Or refund lines (leave the amount empty for all that is left on the line):"</p>
                    {part
                        .lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let amount = RwSignal::new(String::new());
                            let check = NodeRef::<leptos::html::Input>::new();
                            let id = l.id;
                            let value = move || {
                                let a = amount.get();
                                if a.trim().is_empty() { id.to_string() } else { format!("{id}:{}", a.trim()) }
                            };
                            let check_id = format!("refund-line-{id}");
                            view! {
                                <div class="flex flex-wrap items-center gap-x-3 gap-y-1" data-testid="refund-line">
                                    <input
                                        type="checkbox"
                                        id=check_id.clone()
                                        name=format!("lines[{i}]")
                                        prop:value=value
                                        value=id.to_string()
                                        node_ref=check
                                        class="h-4 w-4 accent-emerald-700"
                                    />
                                    <label for=check_id class="min-w-0 flex-1 text-sm">
                                        {format!("{} × {}", l.quantity, l.title)}
                                        {(l.refunded.minor > 0).then(|| view! { <span class="block text-xs text-emerald-800">{format!("{} refunded so far", l.refunded)}</span> })}
                                    </label>
                                    <input
                                        type="text"
                                        inputmode="decimal"
                                        placeholder="Amount"
                                        aria-label=format!("Amount to refund on {}", l.title)
                                        disabled=move || !hydrated.get()
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            if let (false, Some(c)) = (v.trim().is_empty(), check.get()) {
                                                c.set_checked(true);
                                            }
                                            amount.set(v);
                                        }
                                        class="w-24 rounded-lg border border-stone-300 bg-white px-2 py-1.5 text-sm tabular-nums disabled:bg-stone-100"
                                        data-testid="refund-amount"
                                    />
                                </div>
                            }
                        })
                        .collect_view()}
                    <p class=ERROR>{move || errors.get().and_then(|e| e.field("lines"))}</p>
                    <button type="submit" class=format!("{BUTTON_SECONDARY} self-start") data-testid="refund-lines">"Refund selected lines"</button>
                </ActionForm>
            </div>
        </details>
    }
}
