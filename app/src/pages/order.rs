//! `/orders/{number}`: the confirmation and status of one order, a part per store with its
//! parcels (each with its timeline and a link to the public tracking page), refunds and returns,
//! and the order's payment with every event. Once a part is delivered, and within the return
//! window, the shopper can ask to return items of it. Someone else's order answers as not found.
//! A guest's order opens with its access key (`?key=…`, or the cookie of the browser that placed
//! it). Other sites never see the key as a referrer: the shop's `Referrer-Policy` sends them the
//! origin only (server/src/security.rs), and links to carriers are `noreferrer`.
use crate::api::checkout::get_order;
use crate::api::fulfilment::RequestReturn;
use crate::components::form::{BUTTON_SECONDARY, CARD, FormAlert, last_error};
use crate::components::shipments::{Badge, Returns, Shipments};
use crate::components::status::LoadFailed;
use crate::domain::errors::AppError;
use crate::domain::returns::ReturnWindow;
use crate::pages::not_found::NotFound;
use crate::views::orders::{OrderPartView, OrderView, PaymentView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Unix seconds now, the same way on the server and in the browser.
pub(crate) fn now_secs() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    }
}

/// The errors of an action shared by several forms, shown only by the form that was sent last
/// (`target` remembers which); without JavaScript (no record of the sender) every form shows them.
pub(crate) fn scoped_errors<I, T>(
    action: ServerAction<I>,
    key: impl Fn(&I) -> i64 + Send + Sync + 'static,
    me: i64,
) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    let target = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if let Some(i) = action.input().get() {
            target.set(Some(key(&i)));
        }
    });
    let errors = last_error(action.value());
    Signal::derive(move || errors.get().filter(|_| target.get().is_none_or(|t| t == me)))
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.read().get("number").unwrap_or_default();
    // A guest's access key, from the confirmation link or e-mail (`?key=`); the browser that
    // placed the order also has it in its cookie.
    let key = move || query.read().get("key").filter(|k| !k.is_empty());
    let ask = ServerAction::<RequestReturn>::new();
    let order = Resource::new(move || (number(), key(), ask.version().get()), |(n, k, _)| get_order(n, k));
    view! {
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <Order order=o ask key=key() /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Order(order: OrderView, ask: ServerAction<RequestReturn>, key: Option<String>) -> impl IntoView {
    let paid = order.status == "paid";
    let a = order.ship_to.clone();
    let number = order.number.clone();
    let refunded: i64 = order.parts.iter().map(|p| p.refunded.minor).sum();
    let refunded = (refunded > 0).then(|| crate::domain::money::Money::new(refunded, order.total.currency));
    view! {
        <Title text=format!("Order {}", order.number) />
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700" data-testid="order-status">{crate::domain::order::status_headline(&order.status)}</p>
            <h1 class="mt-1 text-2xl font-semibold tracking-tight sm:text-3xl">
                {if paid { "Thank you for your order" } else { "Your order" }}
            </h1>
            <p class="mt-1 text-stone-600">
                "Order " <span class="font-mono font-semibold text-stone-900" data-testid="order-number">{order.number.clone()}</span>
                " · a receipt goes to " {order.email.clone()}
            </p>
        </header>
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="flex flex-col gap-4 lg:col-span-2">
                {order
                    .parts
                    .iter()
                    .cloned()
                    .map(|p| {
                        let returns = p.returns.clone();
                        let form = returnable(&p)
                            .then(|| view! { <ReturnForm number=number.clone() key=key.clone() part=p.clone() ask /> });
                        view! {
                            <Part part=p public_links=true>
                                {(!returns.is_empty()).then(|| {
                                    view! {
                                        <div class="mt-4 flex flex-col gap-2">
                                            <h3 class="text-sm font-semibold text-stone-900">"Returns"</h3>
                                            <Returns returns />
                                        </div>
                                    }
                                })}
                                {form}
                            </Part>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="grid content-start gap-4 md:grid-cols-2 lg:grid-cols-1">
                <section class=CARD>
                    <h2 class="text-base font-semibold">"Total"</h2>
                    <dl class="mt-2 space-y-1 text-sm">
                        <div class="flex justify-between"><dt>"Items"</dt><dd class="tabular-nums">{order.subtotal.to_string()}</dd></div>
                        <div class="flex justify-between"><dt>"Shipping"</dt><dd class="tabular-nums">{order.shipping.to_string()}</dd></div>
                        {(order.discount.minor > 0).then(|| view! {
                            <div class="flex justify-between text-emerald-800" data-testid="order-discount">
                                <dt>"Discount"</dt><dd class="tabular-nums">{format!("−{}", order.discount)}</dd>
                            </div>
                        })}
                        <div class="flex justify-between"><dt>"Tax"</dt><dd class="tabular-nums">{order.tax.to_string()}</dd></div>
                        <div class="flex justify-between border-t border-stone-200 pt-2 text-base font-semibold">
                            <dt>"Total"</dt><dd class="tabular-nums" data-testid="order-total">{order.total.to_string()}</dd>
                        </div>
                        {refunded.map(|r| {
                            view! {
                                <div class="flex justify-between text-emerald-800">
                                    <dt>"Refunded to your card"</dt><dd class="tabular-nums" data-testid="order-refunded">{format!("−{r}")}</dd>
                                </div>
                            }
                        })}
                    </dl>
                </section>
                <section class=CARD>
                    <h2 class="text-base font-semibold">"Shipping to"</h2>
                    <address class="mt-2 text-sm not-italic text-stone-700">
                        {a.name} <br /> {a.line1} <br /> {format!("{} {}", a.postal_code, a.city)} <br /> {a.country}
                    </address>
                </section>
                {order.payment.map(|p| view! { <Payment payment=p /> })}
            </div>
        </div>
    }
}

/// Items of the part still returnable: (line id, title, how many).
fn returnable_lines(part: &OrderPartView) -> Vec<(i64, String, i64)> {
    part.lines
        .iter()
        .map(|l| (l.id, l.title.clone(), l.shipped - l.returned))
        .filter(|(_, _, left)| *left > 0)
        .collect()
}

/// Delivered, within the window, with something left to send back.
fn returnable(part: &OrderPartView) -> bool {
    part.status == "delivered"
        && part.delivered_at.is_some_and(|d| now_secs() < ReturnWindow::default().closes_at(d))
        && !returnable_lines(part).is_empty()
}

/// "Return items": how many of each line, and why. A `<select>` per line sends "line id:quantity"
/// (nothing for none), so the form works without JavaScript too.
#[component]
fn ReturnForm(
    number: String,
    /// The guest's access key the page was opened with, sent along so the request is theirs.
    key: Option<String>,
    part: OrderPartView,
    ask: ServerAction<RequestReturn>,
) -> impl IntoView {
    let merchant_id = part.merchant_id;
    let errors = scoped_errors(ask, |i: &RequestReturn| i.merchant_id, merchant_id);
    let closes = part.delivered_at.map(|d| crate::domain::dates::ymd(ReturnWindow::default().closes_at(d)));
    let lines = returnable_lines(&part);
    let reason_id = format!("return-reason-{merchant_id}");
    view! {
        <details class="mt-4 rounded-xl ring-1 ring-stone-200 open:bg-stone-50" data-testid="return-details" open=move || errors.get().is_some()>
            <summary class="cursor-pointer list-none px-4 py-3 text-sm font-semibold text-emerald-800 [&::-webkit-details-marker]:hidden">
                "Return items"
                {closes.map(|c| view! { <span class="font-normal text-stone-500">{format!(" · until {c}")}</span> })}
            </summary>
            <ActionForm action=ask attr:class="flex flex-col gap-3 px-4 pb-4" attr:data-testid="return-form">
                <input type="hidden" name="number" value=number />
                {key.map(|k| view! { <input type="hidden" name="key" value=k /> })}
                <input type="hidden" name="merchant_id" value=merchant_id.to_string() />
                <FormAlert errors />
                <fieldset class="flex flex-col gap-2">
                    <legend class="mb-1 text-sm font-medium text-stone-800">"What are you sending back?"</legend>
                    {lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, (id, title, left))| {
                            let select_id = format!("return-{merchant_id}-{id}");
                            view! {
                                <div class="flex items-center justify-between gap-3">
                                    <label for=select_id.clone() class="min-w-0 text-sm text-stone-700">{title}</label>
                                    <select
                                        id=select_id
                                        name=format!("lines[{i}]")
                                        class="rounded-lg border border-stone-300 bg-white px-2 py-1.5 text-sm"
                                        data-testid="return-quantity"
                                    >
                                        <option value="" selected>"None"</option>
                                        {(1..=left).map(|q| view! { <option value=format!("{id}:{q}")>{q.to_string()}</option> }).collect_view()}
                                    </select>
                                </div>
                            }
                        })
                        .collect_view()}
                    <p class="text-sm text-rose-700">{move || errors.get().and_then(|e| e.field("lines"))}</p>
                </fieldset>
                <div class="flex flex-col gap-1">
                    <label for=reason_id.clone() class="text-sm font-medium text-stone-800">"Why are you returning them?"</label>
                    <textarea
                        id=reason_id
                        name="reason"
                        rows="2"
                        required
                        maxlength="500"
                        class="rounded-lg border border-stone-300 bg-white px-3 py-2 text-base"
                    ></textarea>
                    <p class="text-sm text-rose-700">{move || errors.get().and_then(|e| e.field("reason"))}</p>
                </div>
                <button type="submit" class=format!("{BUTTON_SECONDARY} self-start") data-testid="request-return">
                    "Ask to return"
                </button>
            </ActionForm>
        </details>
    }
}

/// One store's part: its lines (with what shipped, came back and was refunded), its parcels and
/// whatever the page adds below (returns, actions).
#[component]
pub(crate) fn Part(
    part: OrderPartView,
    /// Link each parcel to its public tracking page (the shopper's view).
    #[prop(default = false)]
    public_links: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let label = crate::domain::order::status_label(&part.status);
    view! {
        <section class=CARD data-testid="order-part">
            <div class="flex items-baseline justify-between gap-3">
                <h2 class="text-base font-semibold">{part.merchant_name.clone()}</h2>
                <Badge status=part.status.clone() label=label testid="part-status" />
            </div>
            <ul class="mt-3 divide-y divide-stone-100 text-sm">
                {part
                    .lines
                    .into_iter()
                    .map(|l| {
                        let mut notes = Vec::new();
                        if l.shipped > 0 {
                            notes.push(if l.shipped >= l.quantity { "shipped".to_string() } else { format!("{} of {} shipped", l.shipped, l.quantity) });
                        }
                        if l.returned > 0 {
                            notes.push(format!("{} returned", l.returned));
                        }
                        if l.refunded.minor > 0 {
                            notes.push(format!("{} refunded", l.refunded));
                        }
                        view! {
                            <li class="flex justify-between gap-3 py-2" data-testid="order-line">
                                <span class="min-w-0">
                                    {format!("{} × {}", l.quantity, l.title)}
                                    {(!notes.is_empty()).then(|| view! { <span class="block text-xs text-stone-500" data-testid="line-notes">{notes.join(" · ")}</span> })}
                                </span>
                                <span class="tabular-nums">{l.line_total.to_string()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="mt-2 text-sm text-stone-600">
                {format!("{} shipping {} · part total {}", part.shipping_speed, part.shipping, part.total)}
            </p>
            {(part.refunded.minor > 0).then(|| {
                view! {
                    <p class="mt-1 text-sm font-medium text-emerald-800" data-testid="part-refunded">
                        {format!("Refunded {}", part.refunded)}
                    </p>
                }
            })}
            <Shipments shipments=part.shipments public_links />
            {children.map(|c| c())}
        </section>
    }
}

#[component]
pub(crate) fn Payment(payment: PaymentView) -> impl IntoView {
    view! {
        <section class=CARD data-testid="payment">
            <h2 class="text-base font-semibold">"Payment"</h2>
            <p class="mt-1 text-sm text-stone-700">
                {format!("{} · ", crate::domain::card::method_label(&payment.card_brand, &payment.card_last4))}
                <span class="font-semibold" data-testid="payment-status">{payment.status.replace('_', " ")}</span>
            </p>
            <ol class="mt-2 space-y-1 text-xs text-stone-600" data-testid="payment-events">
                {payment
                    .events
                    .into_iter()
                    .map(|e| view! { <li>{format!("{} {} — {}", e.kind, e.amount, e.outcome.replace('_', " "))}</li> })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// `/account/orders`: the signed-in shopper's orders.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| crate::api::checkout::my_orders());
    view! {
        <Title text="Your orders" />
        <h1 class="text-2xl font-semibold tracking-tight sm:text-3xl">"Your orders"</h1>
        <Suspense fallback=|| view! { <div class="mt-6 h-48 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Err(crate::domain::errors::AppError::Unauthenticated) => {
                        view! { <leptos_router::components::Redirect path="/login?next=/account/orders" /> }.into_any()
                    }
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p class=format!("{CARD} mt-6 text-stone-600") data-testid="no-orders">
                                "You have not placed an order yet. " <a href="/" class="font-medium text-emerald-800 underline">"Start shopping"</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ul class="mt-6 flex flex-col gap-3" data-testid="order-list">
                                {list
                                    .into_iter()
                                    .map(|o| {
                                        view! {
                                            <li>
                                                <a href=format!("/orders/{}", o.number) class=format!(
                                                        "{CARD} grid grid-cols-2 items-center gap-x-4 gap-y-2 hover:ring-stone-300 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_9rem_7rem]"
                                                    )>
                                                    <span class="flex flex-col">
                                                        <span class="font-mono font-semibold">{o.number.clone()}</span>
                                                        <span class="text-xs text-stone-500">{crate::domain::dates::ymd(o.created_at)}</span>
                                                    </span>
                                                    <span class="text-right text-sm text-stone-600 sm:text-left">
                                                        {format!("{} {} from {} {}", o.items, if o.items == 1 { "item" } else { "items" }, o.stores, if o.stores == 1 { "store" } else { "stores" })}
                                                    </span>
                                                    <Badge status=o.status.clone() label=crate::domain::order::status_label(&o.status) testid="order-list-status" />
                                                    <span class="text-right font-semibold tabular-nums">{o.total.to_string()}</span>
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        // Outside the Suspense: the block's resource must not be made inside a Suspend.
        <crate::components::recommendations::BuyAgain />
    }
}
