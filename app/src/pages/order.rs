//! `/orders/{number}`: the confirmation and status of one order, a part per store, and its
//! payment with every event. Someone else's order answers as not found.
use crate::api::checkout::get_order;
use crate::components::form::CARD;
use crate::components::status::LoadFailed;
use crate::domain::order_view::{OrderPartView, OrderView, PaymentView};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let order = Resource::new(number, get_order);
    view! {
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <Order order=o /> }.into_any(),
                    Err(crate::domain::errors::AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Order(order: OrderView) -> impl IntoView {
    let paid = order.status == "paid";
    let a = order.ship_to.clone();
    view! {
        <Title text=format!("Order {}", order.number) />
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700" data-testid="order-status">{order.status_label()}</p>
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
                {order.parts.iter().cloned().map(|p| view! { <Part part=p /> }).collect_view()}
            </div>
            <div class="flex flex-col gap-4">
                <section class=CARD>
                    <h2 class="text-base font-semibold">"Total"</h2>
                    <dl class="mt-2 space-y-1 text-sm">
                        <div class="flex justify-between"><dt>"Items"</dt><dd class="tabular-nums">{order.subtotal.to_string()}</dd></div>
                        <div class="flex justify-between"><dt>"Shipping"</dt><dd class="tabular-nums">{order.shipping.to_string()}</dd></div>
                        <div class="flex justify-between"><dt>"Tax"</dt><dd class="tabular-nums">{order.tax.to_string()}</dd></div>
                        <div class="flex justify-between border-t border-stone-200 pt-2 text-base font-semibold">
                            <dt>"Total"</dt><dd class="tabular-nums" data-testid="order-total">{order.total.to_string()}</dd>
                        </div>
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

#[component]
pub(crate) fn Part(part: OrderPartView) -> impl IntoView {
    view! {
        <section class=CARD data-testid="order-part">
            <div class="flex items-baseline justify-between gap-3">
                <h2 class="text-base font-semibold">{part.merchant_name.clone()}</h2>
                <span class="rounded-full bg-stone-100 px-2.5 py-0.5 text-xs font-semibold text-stone-700">
                    {part.status.replace('_', " ")}
                </span>
            </div>
            <ul class="mt-3 divide-y divide-stone-100 text-sm">
                {part
                    .lines
                    .into_iter()
                    .map(|l| {
                        view! {
                            <li class="flex justify-between gap-3 py-2">
                                <span>{format!("{} × {}", l.quantity, l.title)}</span>
                                <span class="tabular-nums">{l.line_total.to_string()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="mt-2 text-sm text-stone-600">
                {format!("{} shipping {} · part total {}", part.shipping_speed, part.shipping, part.total)}
            </p>
        </section>
    }
}

#[component]
pub(crate) fn Payment(payment: PaymentView) -> impl IntoView {
    view! {
        <section class=CARD data-testid="payment">
            <h2 class="text-base font-semibold">"Payment"</h2>
            <p class="mt-1 text-sm text-stone-700">
                {format!("{} •••• {} · ", payment.card_brand, payment.card_last4)}
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
                                                <a href=format!("/orders/{}", o.number) class=format!("{CARD} flex flex-wrap items-center justify-between gap-3 hover:ring-stone-300")>
                                                    <span class="font-mono font-semibold">{o.number.clone()}</span>
                                                    <span class="text-sm text-stone-600">
                                                        {format!("{} item(s) from {} store(s) · {}", o.items, o.stores, o.status.replace('_', " "))}
                                                    </span>
                                                    <span class="font-semibold tabular-nums">{o.total.to_string()}</span>
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
    }
}
