//! Starting on a part and shipping its lines.
use super::{ERROR, INPUT, LABEL, OrderFields};
use crate::api::fulfilment::{ShipPart, StartProcessing};
use crate::components::form::{BUTTON, CARD, FormAlert, last_error};
use crate::domain::carriers::Carrier;
use crate::views::orders::OrderPartView;
use leptos::prelude::*;

#[component]
pub(super) fn ProcessForm(
    number: String,
    explicit: Option<i64>,
    action: ServerAction<StartProcessing>,
) -> impl IntoView {
    let errors = last_error(action.value());
    view! {
        <ActionForm action attr:class="flex flex-col gap-2" attr:data-testid="process-form">
            <OrderFields number explicit />
            <p class="text-sm text-stone-600">"Let the shopper know you are preparing the parcel."</p>
            <FormAlert errors />
            <button type="submit" class=format!("{BUTTON} self-start") data-testid="start-processing">"Start processing"</button>
        </ActionForm>
    }
}

/// Carrier, tracking number and how many of each line go in this parcel (a `<select>` per line
/// sending "line id:quantity", so it works without JavaScript).
#[component]
pub(super) fn ShipForm(
    part: OrderPartView,
    number: String,
    explicit: Option<i64>,
    key: String,
    action: ServerAction<ShipPart>,
    carrier: RwSignal<String>,
) -> impl IntoView {
    let errors = last_error(action.value());
    let hint = move || Carrier::parse(&carrier.get()).unwrap_or(Carrier::Other).format_hint();
    let field = move |name: &'static str| move || errors.get().and_then(|e| e.field(name));
    let invalid = move |name: &'static str| move || errors.get().and_then(|e| e.field(name)).map(|_| "true");
    let lines: Vec<_> = part.lines.iter().filter(|l| l.quantity > l.shipped).cloned().collect();
    let partly = part.lines.iter().any(|l| l.shipped > 0);
    view! {
        <section class=CARD aria-labelledby="ship-heading">
            <h2 id="ship-heading" class="text-base font-semibold">{if partly { "Ship the rest" } else { "Ship" }}</h2>
            <ActionForm action attr:class="mt-3 flex flex-col gap-4" attr:data-testid="ship-form">
                <OrderFields number explicit key=key />
                <FormAlert errors />
                <div class="grid gap-4 sm:grid-cols-2">
                    <div class="flex flex-col gap-1">
                        <label for="carrier" class=LABEL>"Carrier"</label>
                        <select
                            id="carrier"
                            name="carrier"
                            class=INPUT
                            aria-invalid=invalid("carrier")
                            prop:value=move || carrier.get()
                            on:change=move |ev| carrier.set(event_target_value(&ev))
                            data-testid="carrier"
                        >
                            {Carrier::ALL
                                .into_iter()
                                .map(|c| view! { <option value=c.code() selected=move || carrier.get() == c.code()>{c.name()}</option> })
                                .collect_view()}
                        </select>
                        <p class=ERROR>{field("carrier")}</p>
                    </div>
                    <div class="flex flex-col gap-1">
                        <label for="tracking_number" class=LABEL>"Tracking number"</label>
                        <input
                            id="tracking_number"
                            name="tracking_number"
                            required
                            autocomplete="off"
                            spellcheck="false"
                            class=format!("{INPUT} font-mono")
                            aria-invalid=invalid("tracking_number")
                            aria-describedby="tracking-hint tracking_number-error"
                        />
                        <p id="tracking_number-error" class=ERROR data-testid="error-tracking_number">{field("tracking_number")}</p>
                    </div>
                </div>
                // The refusal of a number repeats the format, so the hint steps aside meanwhile.
                <p
                    id="tracking-hint"
                    class="-mt-2 text-xs text-stone-500"
                    class:hidden=move || errors.get().and_then(|e| e.field("tracking_number")).is_some()
                    data-testid="carrier-hint"
                >
                    {hint}
                </p>
                <fieldset class="flex flex-col gap-2">
                    <legend class="mb-1 text-sm font-medium text-stone-800">"In this parcel"</legend>
                    {lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let left = l.quantity - l.shipped;
                            let id = format!("ship-line-{}", l.id);
                            view! {
                                <div class="flex items-center justify-between gap-3 rounded-lg px-3 py-2 ring-1 ring-stone-200">
                                    <label for=id.clone() class="min-w-0 text-sm">
                                        <span class="text-stone-900">{l.title.clone()}</span>
                                        <span class="block text-xs text-stone-500">
                                            {format!("{} · {} of {} left to ship", l.sku, left, l.quantity)}
                                        </span>
                                    </label>
                                    <select id=id name=format!("lines[{i}]") class="rounded-lg border border-stone-300 bg-white px-2 py-1.5 text-sm tabular-nums" data-testid="ship-quantity">
                                        {(0..=left)
                                            .rev()
                                            .map(|q| {
                                                let value = if q == 0 { String::new() } else { format!("{}:{q}", l.id) };
                                                view! { <option value=value selected=q == left>{q.to_string()}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                </div>
                            }
                        })
                        .collect_view()}
                    <p class=ERROR data-testid="error-lines">{field("lines")}</p>
                </fieldset>
                <button type="submit" class=format!("{BUTTON} self-start") data-testid="ship">"Mark as shipped"</button>
            </ActionForm>
        </section>
    }
}
