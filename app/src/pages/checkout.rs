//! `/checkout`: contact, shipping address, a shipping speed per store, the card, and the order
//! review grouped by store. One `ActionForm`, so it also works without JavaScript; the form
//! carries an idempotency key made when the page was rendered, so a double submit places one
//! order. A declined card keeps the cart and shows why, and the page gets a fresh key.
use crate::api::checkout::{PlaceOrder, checkout_page, checkout_quote};
use crate::components::form::{BUTTON, CARD, Field, FormAlert, last_error};
use crate::components::price::Price;
use crate::components::status::LoadFailed;
use crate::domain::checkout::OrderQuote;
use crate::pages::account::AddressFields;
use crate::views::checkout::CheckoutData;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let place = ServerAction::<PlaceOrder>::new();
    // A failed attempt re-renders with a new idempotency key (the old one holds that outcome).
    let data = Resource::new(move || place.version().get(), |_| checkout_page());
    let errors = last_error(place.value());
    view! {
        <Title text="Checkout" />
        <h1 class="text-2xl font-semibold tracking-tight sm:text-3xl">"Checkout"</h1>
        <Suspense fallback=|| view! { <div class="mt-6 h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                    Ok(d) if !d.blocked.is_empty() => view! { <Blocked reasons=d.blocked /> }.into_any(),
                    Ok(d) => view! { <CheckoutForm data=d place errors /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Blocked(reasons: Vec<String>) -> impl IntoView {
    view! {
        <div class=format!("{CARD} mt-6 max-w-xl") data-testid="checkout-blocked">
            <ul class="list-disc space-y-1 pl-5 text-stone-700">
                {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
            <a href="/cart" class=format!("{BUTTON} mt-4")>"Back to your cart"</a>
        </div>
    }
}

#[component]
fn CheckoutForm(
    data: CheckoutData,
    place: ServerAction<PlaceOrder>,
    #[prop(into)] errors: Signal<Option<crate::domain::errors::AppError>>,
) -> impl IntoView {
    let CheckoutData { groups, quote, email, address, idempotency_key, test_cards, hosted_by, .. } = data;
    // Back from the provider's page without a payment (`?payment=…`, set by our return route).
    let notice =
        leptos_router::hooks::use_query_map().with_untracked(|q| q.get("payment")).and_then(|p| return_notice(&p));
    // What changes the total (shipping per store, destination, discount code): with JavaScript
    // the review is re-priced by the server on every change, so "Pay" always shows the charge.
    let country = RwSignal::new(address.country.clone());
    let region = RwSignal::new(address.region.clone());
    let code = RwSignal::new(String::new());
    let shipping = RwSignal::new(
        groups
            .iter()
            .map(|g| format!("{}:{}", g.merchant_id, g.options.first().map_or("standard", |o| o.speed.as_str())))
            .collect::<Vec<_>>(),
    );
    let requote = Action::new(move |(c, r, d, s): &(String, String, String, Vec<String>)| {
        let (c, r, d, s) = (c.clone(), r.clone(), d.clone(), s.clone());
        async move { checkout_quote(c, Some(r), Some(d), Some(s)).await }
    });
    let current = RwSignal::new(quote);
    let quote_error = RwSignal::new(None::<String>);
    Effect::new(move |_| match requote.value().get() {
        Some(Ok(q)) => {
            current.set(Some(q));
            quote_error.set(None);
        }
        Some(Err(e)) => {
            let message = e
                .field("discount_code")
                .or_else(|| e.field("country"))
                .or_else(|| e.field("form"))
                .unwrap_or_else(|| e.to_string());
            quote_error.set(Some(message));
        }
        None => {}
    });
    let on_change = move |ev: leptos::ev::Event| {
        let name = event_target::<leptos::web_sys::Element>(&ev).get_attribute("name").unwrap_or_default();
        let value = event_target_value(&ev);
        if name == "country" {
            country.set(value);
        } else if name == "region" {
            region.set(value);
        } else if name == "discount_code" {
            code.set(value);
        } else if let Some(i) =
            name.strip_prefix("shipping[").and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok())
        {
            shipping.update(|s| {
                if let Some(slot) = s.get_mut(i) {
                    *slot = value;
                }
            });
        } else {
            return;
        }
        requote.dispatch((
            country.get_untracked(),
            region.get_untracked(),
            code.get_untracked(),
            shipping.get_untracked(),
        ));
    };
    // Without JavaScript the review cannot follow the choices; say so (hidden once hydrated).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <ActionForm action=place attr:class="mt-6 grid gap-8 lg:grid-cols-5" attr:data-testid="checkout-form">
            <input type="hidden" name="idempotency_key" value=idempotency_key />
            <div class="flex flex-col gap-6 lg:col-span-3" on:change=on_change>
                <FormAlert errors />
                {notice.map(|n| view! {
                    <p class="rounded-xl border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900" role="status" data-testid="payment-notice">{n}</p>
                })}
                <section class=CARD aria-labelledby="contact-heading">
                    <h2 id="contact-heading" class="text-lg font-semibold">"Contact"</h2>
                    <div class="mt-3">
                        <Field label="Email for your receipt" name="email" kind="email" value=email autocomplete="email" errors />
                    </div>
                </section>
                <section class=CARD aria-labelledby="address-heading">
                    <h2 id="address-heading" class="text-lg font-semibold">"Shipping address"</h2>
                    <div class="mt-3 flex flex-col gap-3">
                        <AddressFields value=address errors suffix=String::new() />
                    </div>
                </section>
                <section class=CARD aria-labelledby="shipping-heading">
                    <h2 id="shipping-heading" class="text-lg font-semibold">"Shipping"</h2>
                    <p class="mt-1 text-sm text-stone-600">"Each store ships its own items."</p>
                    <div class="mt-3 flex flex-col gap-4">
                        {groups
                            .iter()
                            .enumerate()
                            .map(|(i, g)| {
                                let name = format!("shipping[{i}]");
                                view! {
                                    <fieldset class="flex flex-col gap-2" data-testid="shipping-choice">
                                        <legend class="mb-1 text-sm font-semibold text-stone-800">{g.merchant_name.clone()}</legend>
                                        {g
                                            .options
                                            .iter()
                                            .enumerate()
                                            .map(|(k, o)| {
                                                view! {
                                                    <label class="flex items-center gap-3 rounded-lg px-3 py-2 ring-1 ring-stone-200 has-[:checked]:ring-2 has-[:checked]:ring-emerald-600">
                                                        <input
                                                            type="radio"
                                                            name=name.clone()
                                                            value=format!("{}:{}", g.merchant_id, o.speed.as_str())
                                                            checked=k == 0
                                                        />
                                                        <span class="flex-1 text-sm">
                                                            <span class="font-medium">{o.speed.label()}</span>
                                                            <span class="text-stone-500">{format!(" · {}", o.window)}</span>
                                                        </span>
                                                        <span class="text-sm font-semibold tabular-nums">
                                                            {if o.price.minor == 0 { "Free".to_string() } else { o.price.to_string() }}
                                                        </span>
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                    </fieldset>
                                }
                            })
                            .collect_view()}
                    </div>
                </section>
                <section class=CARD aria-labelledby="payment-heading">
                    <h2 id="payment-heading" class="text-lg font-semibold">"Payment"</h2>
                    <div class="mt-3 flex flex-col gap-3">
                        {match hosted_by {
                            Some(provider) => view! {
                                <p class="text-sm text-stone-700" data-testid="hosted-payment">
                                    {format!("You pay on {provider}'s secure page after this step; your card details never reach this shop.")}
                                </p>
                            }.into_any(),
                            None => view! { <CardFields test_cards errors /> }.into_any(),
                        }}
                        <Field label="Discount code" name="discount_code" required=false autocomplete="off" errors />
                    </div>
                </section>
            </div>
            <aside class="lg:col-span-2">
                <div class=format!("{CARD} flex flex-col gap-4 lg:sticky lg:top-4") data-testid="order-review">
                    <h2 class="text-lg font-semibold">"Order review"</h2>
                    {groups
                        .iter()
                        .map(|g| {
                            view! {
                                <div class="border-b border-stone-200 pb-3" data-testid="review-group">
                                    <p class="text-sm font-semibold text-stone-800">{g.merchant_name.clone()}</p>
                                    <ul class="mt-1 space-y-1 text-sm text-stone-700">
                                        {g
                                            .lines
                                            .iter()
                                            .map(|l| {
                                                view! {
                                                    <li class="flex justify-between gap-3">
                                                        <span>{format!("{} × {}", l.quantity, l.title)}</span>
                                                        <span class="tabular-nums">{l.line_total.to_string()}</span>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })
                        .collect_view()}
                    {move || current.get().map(|q| view! { <Totals quote=q /> })}
                    <p class="text-sm text-rose-700" role="alert" data-testid="quote-error">{move || quote_error.get()}</p>
                    <p class="text-xs text-stone-500" class:hidden=move || hydrated.get()>
                        "Totals shown are for standard shipping without a discount; your choices are applied when you pay."
                    </p>
                    <button type="submit" class=format!("{BUTTON} w-full py-3 text-base") data-testid="pay">
                        {move || current.get().map(|q| format!("Pay {}", q.total)).unwrap_or_else(|| "Pay".into())}
                    </button>
                </div>
            </aside>
        </ActionForm>
    }
}

/// The card form of the built-in test gateway (a hosted provider takes the card on its own page).
#[component]
fn CardFields(
    test_cards: Vec<(String, String)>,
    #[prop(into)] errors: Signal<Option<crate::domain::errors::AppError>>,
) -> impl IntoView {
    view! {
        <Field label="Card number" name="card_number" value=String::new() autocomplete="cc-number" errors />
        <div class="grid grid-cols-2 gap-3">
            <Field label="Expiry (MM/YY)" name="card_expiry" autocomplete="cc-exp" errors />
            <Field label="Security code" name="card_cvc" autocomplete="cc-csc" errors />
        </div>
        <details class="text-sm text-stone-600">
            <summary class="cursor-pointer font-medium text-emerald-800">"Test cards (this shop uses a test gateway)"</summary>
            <ul class="mt-2 space-y-1" data-testid="test-cards">
                {test_cards
                    .into_iter()
                    .map(|(n, d)| view! { <li><code class="font-mono">{n}</code>" — "{d}</li> })
                    .collect_view()}
            </ul>
        </details>
    }
}

/// What the checkout says when the provider's page sent the shopper back without a payment.
fn return_notice(payment: &str) -> Option<&'static str> {
    match payment {
        "cancelled" => Some("You left the payment page, so nothing was charged. Your cart is as you left it."),
        "failed" => Some(
            "The payment was not completed, so nothing was charged and the order was not placed. Your cart is as you \
             left it.",
        ),
        "unconfirmed" => Some(
            "We could not confirm your payment with the provider yet. If you paid, the order confirmation will reach \
             you by email shortly; please do not pay again.",
        ),
        _ => None,
    }
}

/// Items, shipping, discount, tax and total of a priced cart.
#[component]
fn Totals(quote: OrderQuote) -> impl IntoView {
    let q = quote;
    let express = q.parts.iter().any(|p| p.shipping.speed != crate::domain::checkout::ShippingSpeed::Standard);
    view! {
        <dl class="space-y-1 text-sm" data-testid="totals">
            <div class="flex justify-between"><dt>"Items"</dt><dd class="tabular-nums">{q.subtotal.to_string()}</dd></div>
            <div class="flex justify-between">
                <dt>{if express { "Shipping (incl. express)" } else { "Shipping (standard)" }}</dt>
                <dd class="tabular-nums" data-testid="shipping-total">
                    {if q.shipping.minor == 0 { "Free".to_string() } else { q.shipping.to_string() }}
                </dd>
            </div>
            {q.discount_code
                .clone()
                .filter(|_| q.discount.minor > 0)
                .map(|c| {
                    view! {
                        <div class="flex justify-between text-emerald-800" data-testid="discount-line">
                            <dt>{format!("Discount ({c})")}</dt>
                            <dd class="tabular-nums">{format!("−{}", q.discount)}</dd>
                        </div>
                    }
                })}
            <div class="flex justify-between">
                <dt>
                    {format!(
                        "{} ({}, {})",
                        if q.prices_include_tax { "Tax included" } else { "Tax" },
                        crate::domain::money::percent_text(i64::from(q.tax_rate_bps)),
                        q.country
                    )}
                </dt>
                <dd class="tabular-nums" data-testid="tax-total">{q.tax.to_string()}</dd>
            </div>
            <div class="flex justify-between border-t border-stone-200 pt-2 text-base font-semibold">
                <dt>"Total"</dt>
                <dd data-testid="order-total"><Price price=q.total /></dd>
            </div>
        </dl>
    }
}
