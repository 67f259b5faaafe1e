//! `/admin/orders` and `/admin/orders/{number}`: a store's queue of order parts, filtered by
//! status, and one order as the store sees it: its part, the address to ship to, and how the
//! payment stands for its part (never other stores' lines or the order's totals), and what the
//! store can do with its part: start processing, ship
//! lines with a carrier and tracking number, cancel before shipping, refund the part or lines,
//! and decide, receive and refund the shopper's returns. Every action is an `ActionForm`, so it
//! works without JavaScript; with it, the page reloads its data after each action.
//! `?store=ID` picks the store for the platform admin.
use crate::api::fulfilment::{
    ApproveReturn, CancelPart, ReceiveReturn, RefundPart, RefundReturn, RejectReturn, ShipPart, StartProcessing,
};
use crate::api::store_orders::{StoreOrderQueue, store_order, store_orders};
use crate::components::admin_nav::AdminLayout;
use crate::components::form::{BUTTON, BUTTON_SECONDARY, CARD, FormAlert, last_error};
use crate::components::shipments::ReturnSummary;
use crate::components::status::LoadFailed;
use crate::domain::carriers::Carrier;
use crate::domain::errors::AppError;
use crate::domain::money::Money;
use crate::domain::order::PartStatus;
use crate::domain::order_view::MerchantOrderView;
use crate::domain::order_view::{OrderPartView, RefundOutcome, ReturnView};
use crate::components::forbidden::Forbidden;
use crate::pages::not_found::NotFound;
use crate::pages::order::{Part, scoped_errors};
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
                                <th class="px-3 py-3 sm:px-4">"Order"</th>
                                <th class="hidden px-4 py-3 sm:table-cell">"Customer"</th>
                                <th class="hidden px-4 py-3 md:table-cell">"Items"</th>
                                <th class="px-4 py-3">"Status"</th>
                                <th class="hidden px-4 py-3 md:table-cell">"Payment"</th>
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
    let actions = Actions::new();
    let order = Resource::new(move || (args(), actions.version()), |((store, number), _)| store_order(store, number));
    view! {
        <AdminLayout>
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let explicit = args().0;
                match order.await {
                    Ok(o) => view! { <StoreOrder order=o explicit actions /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin/orders" /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        </AdminLayout>
    }
}

/// Everything a store can do to its part of an order; the page reloads its data after each.
#[derive(Clone, Copy)]
struct Actions {
    process: ServerAction<StartProcessing>,
    ship: ServerAction<ShipPart>,
    cancel: ServerAction<CancelPart>,
    refund: ServerAction<RefundPart>,
    approve: ServerAction<ApproveReturn>,
    reject: ServerAction<RejectReturn>,
    receive: ServerAction<ReceiveReturn>,
    refund_return: ServerAction<RefundReturn>,
    /// What the last action that went through did, for the page's notice.
    done: RwSignal<Option<String>>,
    /// The ship form's carrier; kept here so its hint survives the page's data reloading.
    carrier: RwSignal<String>,
}

impl Actions {
    fn new() -> Actions {
        let a = Actions {
            process: ServerAction::new(),
            ship: ServerAction::new(),
            cancel: ServerAction::new(),
            refund: ServerAction::new(),
            approve: ServerAction::new(),
            reject: ServerAction::new(),
            receive: ServerAction::new(),
            refund_return: ServerAction::new(),
            done: RwSignal::new(None),
            carrier: RwSignal::new(Carrier::ALL[0].code().to_string()),
        };
        let done = a.done;
        // A success says what it did; a refusal takes the last success's notice away.
        let note = move |outcome: Option<Result<String, ()>>| match outcome {
            Some(Ok(t)) => done.set(Some(t)),
            Some(Err(())) => done.set(None),
            None => {}
        };
        fn outcome<T>(v: Option<Result<T, AppError>>, say: impl FnOnce(T) -> String) -> Option<Result<String, ()>> {
            v.map(|r| r.map(say).map_err(|_| ()))
        }
        Effect::new(move |_| note(outcome(a.process.value().get(), |_| "Marked as being prepared.".into())));
        Effect::new(move |_| {
            note(outcome(a.ship.value().get(), |o| {
                format!("Shipped with {} · {}.", o.shipment.carrier_name, o.shipment.tracking_number)
            }))
        });
        Effect::new(move |_| {
            note(outcome(a.cancel.value().get(), |o| match o.refund {
                Some(r) => format!("Cancelled; {} refunded to the shopper ({}).", r.amount, r.status),
                None if o.voided => "Cancelled; the payment was released.".to_string(),
                None => "Cancelled.".to_string(),
            }))
        });
        Effect::new(move |_| note(outcome(a.refund.value().get(), refund_note)));
        Effect::new(move |_| note(outcome(a.approve.value().get(), |_| "Return approved.".into())));
        Effect::new(move |_| note(outcome(a.reject.value().get(), |_| "Return rejected.".into())));
        Effect::new(move |_| {
            note(outcome(a.receive.value().get(), |_| "Return received; the items are back in stock.".into()))
        });
        Effect::new(move |_| note(outcome(a.refund_return.value().get(), refund_note)));
        a
    }

    fn version(&self) -> usize {
        self.process.version().get()
            + self.ship.version().get()
            + self.cancel.version().get()
            + self.refund.version().get()
            + self.approve.version().get()
            + self.reject.version().get()
            + self.receive.version().get()
            + self.refund_return.version().get()
    }
}

fn refund_note(r: RefundOutcome) -> String {
    match r.status.as_str() {
        "succeeded" => format!("Refunded {}.", r.amount),
        "pending" => format!("A refund of {} is waiting for the payment gateway; submit again to finish it.", r.amount),
        _ => format!("The payment gateway declined the refund of {}; nothing was refunded.", r.amount),
    }
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

#[component]
fn StoreOrder(order: MerchantOrderView, explicit: Option<i64>, actions: Actions) -> impl IntoView {
    let a = order.ship_to.clone();
    let back = match explicit {
        Some(id) => format!("/admin/orders?store={id}"),
        None => "/admin/orders".into(),
    };
    let part = order.part.clone();
    let status = PartStatus::parse(&part.status);
    let number = order.number.clone();
    let key = order.action_key.clone();
    let can_process = status == Some(PartStatus::Paid);
    let can_ship = matches!(status, Some(PartStatus::Paid | PartStatus::Processing | PartStatus::PartiallyShipped))
        && part.lines.iter().any(|l| l.quantity > l.shipped);
    let can_cancel = matches!(status, Some(PartStatus::Paid | PartStatus::Processing));
    let captured = order.payment.as_ref().is_some_and(|p| p.captured.minor > 0);
    let can_refund = captured
        && matches!(
            status,
            Some(
                PartStatus::Paid
                    | PartStatus::Processing
                    | PartStatus::PartiallyShipped
                    | PartStatus::Shipped
                    | PartStatus::Delivered
            )
        )
        && part.refunded.minor < part.total.minor;
    let returns = part.returns.clone();
    let has_actions = can_process || can_cancel || can_refund;
    view! {
        <Title text=format!("Order {}", order.number) />
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700"><a href=back class="hover:underline">"Orders"</a></p>
            <h1 class="mt-1 text-2xl font-semibold tracking-tight">
                "Order " <span class="font-mono" data-testid="order-number">{order.number.clone()}</span>
            </h1>
            <p class="mt-1 text-sm text-stone-600">
                {format!("Placed {} by {}", crate::domain::dates::ymd_hm(order.created_at), order.email)}
                {(order.other_stores > 0).then(|| {
                    format!(
                        " · {} other {} the rest of this order",
                        order.other_stores,
                        if order.other_stores == 1 { "store ships" } else { "stores ship" }
                    )
                })}
            </p>
        </header>
        {move || {
            actions.done.get().map(|t| {
                view! {
                    <p role="status" class="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200" data-testid="action-notice">
                        {t}
                    </p>
                }
            })
        }}
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="flex flex-col gap-6 lg:col-span-2">
                <Part part=part.clone() />
                {can_ship.then(|| view! { <ShipForm part=part.clone() number=number.clone() explicit key=key.clone() action=actions.ship carrier=actions.carrier /> })}
                {(!returns.is_empty()).then(|| view! { <ReturnsPanel returns explicit actions /> })}
            </div>
            // Beside the part on a laptop; two side by side below it on a tablet.
            <div class="grid content-start gap-4 md:grid-cols-2 lg:grid-cols-1">
                {has_actions.then(|| {
                    view! {
                        <section class=format!("{CARD} flex flex-col gap-5") aria-labelledby="actions-heading" data-testid="part-actions">
                            <h2 id="actions-heading" class="text-base font-semibold">"Actions"</h2>
                            {can_process.then(|| view! { <ProcessForm number=number.clone() explicit action=actions.process /> })}
                            {can_cancel.then(|| view! { <CancelForm number=number.clone() explicit key=key.clone() action=actions.cancel /> })}
                            {can_refund.then(|| view! { <RefundForms part=part.clone() number=number.clone() explicit key=key.clone() action=actions.refund /> })}
                        </section>
                    }
                })}
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
                        <section class=CARD data-testid="payment">
                            <h2 class="text-base font-semibold">"Payment"</h2>
                            <p class="mt-1 text-sm text-stone-700">
                                <span class="font-semibold" data-testid="payment-status">{p.status.replace('_', " ")}</span>
                                {format!(" · {} taken for your part", p.captured)}
                            </p>
                            <p class="mt-1 text-xs text-stone-500">
                                "One payment covers the whole order; only your part of it is shown here."
                            </p>
                        </section>
                    }
                })}
            </div>
        </div>
    }
}

#[component]
fn ProcessForm(number: String, explicit: Option<i64>, action: ServerAction<StartProcessing>) -> impl IntoView {
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
fn ShipForm(
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

#[component]
fn CancelForm(number: String, explicit: Option<i64>, key: String, action: ServerAction<CancelPart>) -> impl IntoView {
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
fn RefundForms(
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

/// The shopper's returns of this part, each with what the store can do next.
#[component]
fn ReturnsPanel(returns: Vec<ReturnView>, explicit: Option<i64>, actions: Actions) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="returns-heading" data-testid="store-returns">
            <h2 id="returns-heading" class="text-base font-semibold">"Returns"</h2>
            <ul class="mt-3 flex flex-col gap-3">
                {returns
                    .into_iter()
                    .map(|r| {
                        let id = r.id;
                        let status = r.status.clone();
                        view! {
                            <li>
                                <ReturnSummary ret=r>
                                    <ReturnActions id status=status.clone() explicit actions />
                                </ReturnSummary>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ReturnActions(id: i64, status: String, explicit: Option<i64>, actions: Actions) -> impl IntoView {
    let approve_errors = scoped_errors(actions.approve, |i: &ApproveReturn| i.return_id, id);
    let reject_errors = scoped_errors(actions.reject, |i: &RejectReturn| i.return_id, id);
    let receive_errors = scoped_errors(actions.receive, |i: &ReceiveReturn| i.return_id, id);
    let refund_errors = scoped_errors(actions.refund_return, |i: &RefundReturn| i.return_id, id);
    let hidden = move || {
        view! {
            <input type="hidden" name="return_id" value=id.to_string() />
            {explicit.map(|m| view! { <input type="hidden" name="merchant_id" value=m.to_string() /> })}
        }
    };
    let reason_id = format!("reject-reason-{id}");
    match status.as_str() {
        "requested" => view! {
            <div class="mt-3 flex flex-col gap-3 border-t border-stone-200 pt-3">
                <FormAlert errors=approve_errors />
                <ActionForm action=actions.approve attr:data-testid="approve-return-form">
                    {hidden()}
                    <button type="submit" class=BUTTON data-testid="approve-return">"Approve return"</button>
                </ActionForm>
                <ActionForm action=actions.reject attr:class="flex flex-col gap-2" attr:data-testid="reject-return-form">
                    {hidden()}
                    <FormAlert errors=reject_errors />
                    <label for=reason_id.clone() class=LABEL>"Or reject it, saying why"</label>
                    <div class="flex flex-wrap gap-2">
                        <input id=reason_id name="reason" required maxlength="500" class=format!("{INPUT} min-w-0 flex-1") />
                        <button type="submit" class=DANGER data-testid="reject-return">"Reject"</button>
                    </div>
                    <p class=ERROR>{move || reject_errors.get().and_then(|e| e.field("reason"))}</p>
                </ActionForm>
            </div>
        }
        .into_any(),
        "approved" => view! {
            <ActionForm action=actions.receive attr:class="mt-3 flex flex-col gap-2 border-t border-stone-200 pt-3" attr:data-testid="receive-return-form">
                {hidden()}
                <FormAlert errors=receive_errors />
                <p class="text-sm text-stone-600">"When the parcel arrives, the items go back into stock."</p>
                <button type="submit" class=format!("{BUTTON} self-start") data-testid="receive-return">"Mark received"</button>
            </ActionForm>
        }
        .into_any(),
        "received" => view! {
            <ActionForm action=actions.refund_return attr:class="mt-3 flex flex-col gap-2 border-t border-stone-200 pt-3" attr:data-testid="refund-return-form">
                {hidden()}
                <FormAlert errors=refund_errors />
                <button type="submit" class=format!("{BUTTON} self-start") data-testid="refund-return">"Refund the returned items"</button>
            </ActionForm>
        }
        .into_any(),
        _ => ().into_any(),
    }
}
