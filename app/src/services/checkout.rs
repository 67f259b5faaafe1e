//! Placing an order: validate everything first (nothing is written for bad input), reserve stock
//! and write the order in one transaction under the request's idempotency key, then authorize
//! and capture with the gateway and record every payment event. A declined payment gives the
//! stock and the discount code's use back; a repeated request with the same key returns the
//! first outcome. A guest's order gets a secret access key (only its hash is stored): the order
//! number alone never opens it. An order whose reservation ran out while the gateway was deciding
//! is never marked paid (its stock is already back on sale): the money is given back through the
//! gateway and the shopper is told (`give_back_late_payment`).
use super::order_store::{
    NewOrder, NewOrderLine, NewOrderPart, OrderStore, PaymentRecorded, PaymentReversal, PaymentUpdate, PlaceResult,
    Shortage,
};
use super::payment_provider::{BeginPayment, NextAction, PaymentProvider};
use crate::domain::address::{AddressInput, validate_address};
use crate::domain::card::{CardInput, YearMonth, validate_card};
use crate::domain::cart::MAX_QTY_PER_LINE;
use crate::domain::checkout::{
    AppliedDiscount, Eligible, OrderQuote, PartInput, ShippingRates, ShippingSpeed, apply_discount_to, quote_to,
};
use crate::domain::errors::{AppError, FieldErrors};
use crate::domain::idempotency::{CONFLICT_MESSAGE, Fingerprint, IdempotencyClaim, IdempotencyKey};
use crate::domain::money::{Currency, Money};
use crate::domain::notification::{Message, MessageLine};
use crate::domain::order::{OrderNumber, OrderStatus, PartStatus};
use crate::domain::payment::{DeclineReason, EventOutcome, Payment, PaymentEvent, PaymentEventKind, PaymentStatus};
use crate::domain::shipping_zones::rates_for;

pub const IDEMPOTENCY_SCOPE: &str = "checkout";
/// Where the provider sends the browser after paying, and after "cancel and go back".
pub const RETURN_PATH: &str = "/api/checkout/return";
pub const CANCEL_PATH: &str = "/checkout?payment=cancelled";
/// The stored "last four digits" of a card we never saw (paid on the provider's page): four
/// characters, as the column requires, and not digits, so pages show the method's name alone.
pub const NO_CARD_DIGITS: &str = "····";

/// Stored outcomes of a checkout whose order closed (its reservation ran out and its stock went
/// back on sale) while the gateway was deciding: the hold released, the charge refunded, or a
/// refund owed.
const LATE_VOIDED: &str = "reservation_expired";
const LATE_REFUNDED: &str = "reservation_expired_refunded";
const LATE_REFUND_DUE: &str = "reservation_expired_refund_due";
pub const LATE_VOIDED_MESSAGE: &str = "Your reservation ran out before your payment went through, so the order was \
     not placed and nothing was charged. Please check out again.";
pub const LATE_REFUNDED_MESSAGE: &str = "Your reservation ran out before your payment went through, so the order \
     was not placed; the amount taken has been refunded to your card in full. Please check out again.";
pub const LATE_REFUND_DUE_MESSAGE: &str = "Your reservation ran out before your payment went through, so the order \
     was not placed. The charge could not be cancelled automatically; it is marked for a refund to your card. Please \
     check out again.";

pub struct CheckoutRequest {
    /// (variant id, quantity); repeated variants are added together.
    pub lines: Vec<(i64, i64)>,
    /// The shipping speed chosen per store; standard when missing.
    pub speeds: Vec<(i64, ShippingSpeed)>,
    pub email: String,
    pub user_id: Option<i64>,
    pub address: AddressInput,
    pub card: CardInput,
    /// As typed; empty for none.
    pub discount_code: String,
    pub idempotency_key: String,
    pub now: i64,
    /// Fresh random bytes for the order number (the domain stays free of randomness).
    pub random: [u8; 8],
    /// Only authorize: the marketplace takes the money later (`/admin/payments`).
    pub manual_capture: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckoutOutcome {
    Paid {
        number: String,
    },
    Declined {
        number: String,
        message: String,
    },
    /// A repeat of a request whose payment is still being processed.
    Processing {
        number: String,
    },
    /// The shopper pays on the provider's page at `url`; the order waits for it.
    Redirect {
        number: String,
        url: String,
    },
}

pub struct CheckoutSettings {
    /// The marketplace's default shipping, for stores without zones of their own.
    pub rates: ShippingRates,
    /// How long an unpaid order keeps its stock.
    pub reservation_secs: i64,
    /// Where a paid order's confirmation is queued; `None` queues none (benchmarks, tests).
    pub confirmations: Option<super::notifications::Confirmations>,
}

impl Default for CheckoutSettings {
    fn default() -> Self {
        CheckoutSettings { rates: ShippingRates::default(), reservation_secs: 15 * 60, confirmations: None }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut e = FieldErrors::default();
    e.add(field, message);
    AppError::Validation(e)
}

fn internal(e: super::StoreError) -> AppError {
    super::errors::store_err(e)
}

/// "Only 2 of “Linen Tee” left." for each line that could not be reserved.
pub fn shortage_message(short: &[Shortage]) -> String {
    short
        .iter()
        .map(|s| match s.available {
            0 => format!("“{}” is sold out.", s.title),
            n => format!("Only {n} of “{}” left; you asked for {}.", s.title, s.requested),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Stored while a hosted payment is under way: a retry of the checkout goes to the same page.
const REDIRECT_PREFIX: &str = "redirect:";

fn outcome_from_stored(number: String, stored: &str) -> CheckoutOutcome {
    if let Some(url) = stored.strip_prefix(REDIRECT_PREFIX) {
        return CheckoutOutcome::Redirect { number, url: url.to_string() };
    }
    match stored {
        LATE_VOIDED => return CheckoutOutcome::Declined { number, message: LATE_VOIDED_MESSAGE.into() },
        LATE_REFUNDED => return CheckoutOutcome::Declined { number, message: LATE_REFUNDED_MESSAGE.into() },
        LATE_REFUND_DUE => return CheckoutOutcome::Declined { number, message: LATE_REFUND_DUE_MESSAGE.into() },
        _ => {}
    }
    match EventOutcome::parse(stored) {
        Some(EventOutcome::Succeeded) => CheckoutOutcome::Paid { number },
        Some(EventOutcome::Declined(reason)) => CheckoutOutcome::Declined { number, message: reason.message().into() },
        None => CheckoutOutcome::Processing { number },
    }
}

/// What the shopper is told about a payment that did not pay for its order, from its stored
/// outcome.
pub(super) fn stored_message(stored: &str) -> String {
    match outcome_from_stored(String::new(), stored) {
        CheckoutOutcome::Declined { message, .. } => message,
        _ => DeclineReason::NotCompleted.message().into(),
    }
}

/// Where an order goes, as far as its price is concerned.
#[derive(Clone, Copy, Debug)]
pub struct Destination<'a> {
    /// ISO code as typed.
    pub country: &'a str,
    /// State or region as typed; may be empty.
    pub region: &'a str,
}

/// A cart priced from the catalog as it is now (never from the request): lines merged by
/// variant, one part per store with its shipping speed, the discount checked, tax for `country`.
pub struct Priced {
    pub lines: Vec<(i64, i64)>,
    pub parts: Vec<(PartInput, Vec<NewOrderLine>)>,
    pub discount: Option<AppliedDiscount>,
    pub quote: OrderQuote,
}

pub async fn price(
    store: &dyn OrderStore,
    settings: &CheckoutSettings,
    requested: &[(i64, i64)],
    speeds: &[(i64, ShippingSpeed)],
    to: Destination<'_>,
    discount_code: &str,
    now: i64,
) -> Result<Priced, AppError> {
    let Destination { country, region } = to;
    let mut lines: Vec<(i64, i64)> = Vec::new();
    for (variant, qty) in requested {
        match lines.iter_mut().find(|(v, _)| v == variant) {
            Some((_, q)) => *q += qty,
            None => lines.push((*variant, *qty)),
        }
    }
    if lines.is_empty() {
        return Err(invalid("form", "Your cart is empty."));
    }
    if let Some((_, q)) = lines.iter().find(|(_, q)| !(1..=MAX_QTY_PER_LINE).contains(q)) {
        return Err(invalid("form", format!("A quantity of {q} is not possible; choose 1 to {MAX_QTY_PER_LINE}.")));
    }

    // Price from the catalog as it is now, never from the request.
    let ids: Vec<i64> = lines.iter().map(|(v, _)| *v).collect();
    let variants = store.variants_for_order(&ids).await.map_err(internal)?;
    let mut parts: Vec<(PartInput, Vec<NewOrderLine>)> = Vec::new();
    let mut currency: Option<Currency> = None;
    for (variant_id, qty) in &lines {
        let Some(v) = variants.iter().find(|v| v.variant_id == *variant_id) else {
            return Err(invalid("form", "A product in your cart is no longer sold; remove it and try again."));
        };
        if !v.sellable() {
            return Err(invalid("form", format!("“{}” is no longer available; remove it and try again.", v.title)));
        }
        let cur = v.currency;
        if currency.is_some_and(|c| c != cur) {
            return Err(invalid("form", "Products priced in different currencies cannot be paid in one order."));
        }
        currency = Some(cur);
        let line_total =
            v.unit_price_minor.checked_mul(*qty).ok_or_else(|| invalid("form", "The order is too large."))?;
        let line = NewOrderLine {
            product_id: v.product_id,
            variant_id: v.variant_id,
            title: v.title.clone(),
            sku: v.sku.clone(),
            unit_price_minor: v.unit_price_minor,
            quantity: *qty,
            line_total_minor: line_total,
        };
        match parts.iter_mut().find(|(p, _)| p.merchant_id == v.merchant_id) {
            Some((p, l)) => {
                p.subtotal =
                    p.subtotal.checked_add(Money::new(line_total, cur)).map_err(|e| invalid("form", e.to_string()))?;
                l.push(line);
            }
            None => parts.push((
                PartInput {
                    merchant_id: v.merchant_id,
                    merchant_name: v.merchant_name.clone(),
                    subtotal: Money::new(line_total, cur),
                    shipping: settings.rates.option(ShippingSpeed::Standard, Money::new(line_total, cur)),
                },
                vec![line],
            )),
        }
    }
    // Each store's own shipping to this destination (its zones), and the marketplace's taxes.
    let merchants: Vec<i64> = parts.iter().map(|(p, _)| p.merchant_id).collect();
    let rules = store.pricing_rules(&merchants).await.map_err(internal)?;
    for (p, _) in parts.iter_mut() {
        let speed =
            speeds.iter().find(|(m, _)| *m == p.merchant_id).map(|(_, s)| *s).unwrap_or(ShippingSpeed::Standard);
        let Some(rates) = rates_for(&rules.zones, p.merchant_id, country, &settings.rates) else {
            return Err(invalid(
                "country",
                format!(
                    "{} does not ship to {}; remove its items or choose another address.",
                    p.merchant_name,
                    country.trim().to_ascii_uppercase()
                ),
            ));
        };
        p.shipping = rates.chosen(speed, p.subtotal);
    }
    let inputs: Vec<PartInput> = parts.iter().map(|(p, _)| p.clone()).collect();
    let discount = match discount_code.trim() {
        "" => None,
        entered => {
            let found = store.discount_code(entered).await.map_err(internal)?;
            // A store's own code counts (and takes off) that store's items and shipping only.
            let scope = found.as_ref().and_then(|c| c.merchant_id);
            let covered: Vec<&PartInput> = inputs.iter().filter(|p| scope.is_none_or(|m| m == p.merchant_id)).collect();
            let zero = Money::new(0, inputs[0].subtotal.currency);
            let sum = |f: fn(&PartInput) -> Money| {
                covered
                    .iter()
                    .try_fold(zero, |acc, p| acc.checked_add(f(p)))
                    .map_err(|e| invalid("form", e.to_string()))
            };
            let items = sum(|p| p.subtotal)?;
            let standard_shipping = sum(|p| {
                if p.shipping.speed == ShippingSpeed::Standard {
                    p.shipping.price
                } else {
                    Money::new(0, p.subtotal.currency)
                }
            })?;
            Some(apply_discount_to(entered, found.as_ref(), Eligible { items, standard_shipping }, now)?)
        }
    };
    let quote = quote_to(&inputs, country, region, &rules.taxes, discount.as_ref())
        .map_err(|e| invalid("form", e.to_string()))?;
    Ok(Priced { lines, parts, discount, quote })
}

/// What placing an order gives back: the outcome and, for a guest, the order's access key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub outcome: CheckoutOutcome,
    /// A guest's key to the order (the database keeps only its hash): the confirmation page's
    /// link and the browser's cookie carry it. None for a signed-in shopper, whose account opens
    /// the order, and when nothing was placed.
    pub guest_key: Option<String>,
}

/// [`place_order_with_key`] for callers that have no use for the guest's key.
pub async fn place_order(
    store: &dyn OrderStore,
    gateway: &dyn PaymentProvider,
    settings: &CheckoutSettings,
    req: CheckoutRequest,
) -> Result<CheckoutOutcome, AppError> {
    place_order_with_key(store, gateway, settings, req).await.map(|p| p.outcome)
}

pub async fn place_order_with_key(
    store: &dyn OrderStore,
    gateway: &dyn PaymentProvider,
    settings: &CheckoutSettings,
    req: CheckoutRequest,
) -> Result<Placement, AppError> {
    let key = IdempotencyKey::parse(&req.idempotency_key).map_err(|m| invalid("idempotency_key", m))?;
    // A hosted provider takes the card on its own page: ours never sees one.
    let card = match gateway.hosted() {
        true => None,
        false => Some(validate_card(&req.card, YearMonth::from_unix(req.now))?),
    };
    let address = validate_address(&req.address)?;
    let email = req.email.trim().to_lowercase();
    if !(email.len() <= 254 && email.contains('@') && !email.starts_with('@') && !email.ends_with('@')) {
        return Err(invalid("email", "Enter the email address for your receipt, like ada@example.com."));
    }
    let Priced { lines, parts, discount, quote: q } = price(
        store,
        settings,
        &req.lines,
        &req.speeds,
        Destination { country: &address.country, region: &address.region },
        &req.discount_code,
        req.now,
    )
    .await?;

    // The fingerprint covers what was asked for, so the same key with other details is refused.
    let summary = card.as_ref().map(|c| c.summary());
    let mut fields: Vec<(String, String)> = lines.iter().map(|(v, n)| (format!("line:{v}"), n.to_string())).collect();
    fields.extend(q.parts.iter().map(|p| (format!("ship:{}", p.merchant_id), p.shipping.speed.as_str().to_string())));
    fields.push(("email".into(), email.clone()));
    fields.push(("address".into(), format!("{:?}", address)));
    if let Some(summary) = &summary {
        fields.push(("card".into(), format!("{}:{}", summary.brand.as_str(), summary.last4)));
    }
    fields.push(("discount".into(), discount.as_ref().map(|d| d.code.clone()).unwrap_or_default()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let claim = IdempotencyClaim {
        scope: IDEMPOTENCY_SCOPE.into(),
        key: key.as_str().into(),
        fingerprint: Fingerprint::of(&pairs).to_hex(),
    };

    let number = OrderNumber::generate(req.random).as_str().to_string();
    // 256 bits from the operating system's CSPRNG, like a session token; only the hash is stored.
    let guest_key = req.user_id.is_none().then(super::passwords::new_token);
    let (session_expires, reserved_until) = match gateway.hosted() {
        true => crate::domain::hosted_payment::session_window(req.now, settings.reservation_secs),
        false => (req.now + settings.reservation_secs, req.now + settings.reservation_secs),
    };
    let order = NewOrder {
        number: number.clone(),
        user_id: req.user_id,
        email,
        currency: q.total.currency,
        subtotal_minor: q.subtotal.minor,
        shipping_minor: q.shipping.minor,
        discount_minor: q.discount.minor,
        tax_minor: q.tax.minor,
        total_minor: q.total.minor,
        ship_to: address.clone(),
        reserved_until,
        parts: q
            .parts
            .iter()
            .map(|qp| NewOrderPart {
                merchant_id: qp.merchant_id,
                shipping_speed: qp.shipping.speed.as_str().into(),
                subtotal_minor: qp.subtotal.minor,
                shipping_minor: qp.shipping.price.minor,
                discount_minor: qp.discount.minor,
                tax_minor: qp.tax.minor,
                total_minor: qp.total.minor,
                lines: parts
                    .iter()
                    .find(|(p, _)| p.merchant_id == qp.merchant_id)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        card_brand: summary.as_ref().map_or_else(|| gateway.label().to_string(), |s| s.brand.as_str().to_string()),
        card_last4: summary.as_ref().map_or_else(|| NO_CARD_DIGITS.to_string(), |s| s.last4.clone()),
        gateway: gateway.name().into(),
        discount_code: discount.as_ref().map(|d| d.code.clone()),
        access_key_hash: guest_key.as_deref().map(super::passwords::token_hash),
        now: req.now,
    };

    let (order_id, payment_id) = match store.place_order(&order, &claim).await.map_err(internal)? {
        PlaceResult::Placed { order_id, payment_id } => (order_id, payment_id),
        PlaceResult::Conflict => return Err(AppError::Conflict(CONFLICT_MESSAGE.into())),
        PlaceResult::OutOfStock(short) => return Err(invalid("form", shortage_message(&short))),
        PlaceResult::DiscountUnavailable => {
            return Err(invalid(
                "discount_code",
                "That discount code has just expired or been used up; remove it to continue.",
            ));
        }
        PlaceResult::Repeat { order_id, outcome } => {
            let Some(order_id) = order_id else {
                return Err(AppError::Conflict("This checkout is still being processed; reload in a moment.".into()));
            };
            let (number, _) = store
                .order_status(order_id)
                .await
                .map_err(internal)?
                .ok_or_else(|| crate::services::internal("the first order of this checkout is missing"))?;
            // The first answer (and its key) may never have reached the browser: the repeat,
            // which proved it is the same checkout (its key and everything it asked for), gets a
            // key of its own. The first key, already in the receipt, stays valid.
            let guest_key = match guest_key {
                Some(key) => {
                    let hash = super::passwords::token_hash(&key);
                    store.add_access_key(order_id, &hash, req.now).await.map_err(internal)?.then_some(key)
                }
                None => None,
            };
            let outcome = match outcome {
                Some(stored) => outcome_from_stored(number, &stored),
                None => CheckoutOutcome::Processing { number },
            };
            return Ok(Placement { outcome, guest_key });
        }
    };

    // The gateway sees the card once; the events record only amounts, references and outcomes.
    let total = q.total;
    let description = format!("Order {number} at Meridian Market");
    let begin = BeginPayment {
        amount: total,
        card: card.as_ref(),
        idempotency_key: key.as_str(),
        manual_capture: req.manual_capture,
        order_number: &number,
        email: &order.email,
        description: &description,
        return_path: RETURN_PATH,
        cancel_path: CANCEL_PATH,
        expires_at: session_expires,
    };
    let (auth, capture) = match gateway.begin(&begin).await {
        Ok(NextAction::Settled { authorization, capture }) => (authorization, capture),
        Ok(NextAction::Redirect { session, url }) => {
            // The order waits, stock reserved, for the provider's answer (webhook or return);
            // a retry of this checkout is sent to the same page.
            let stored = format!("{REDIRECT_PREFIX}{url}");
            store.record_next_action(payment_id, &session, &claim, &stored, req.now).await.map_err(internal)?;
            return Ok(Placement { outcome: CheckoutOutcome::Redirect { number, url }, guest_key });
        }
        Err(e) => {
            // Nothing was taken: the order fails like a processing error and gives its stock back.
            tracing::warn!(order = number, error = %e, "the payment provider could not start a payment");
            (super::payment_provider::not_done(""), None)
        }
    };
    let mut events =
        vec![PaymentEvent::authorization(total, req.now, auth.outcome, Some(auth.reference.clone()), key.as_str())];
    if let Some(capture) = capture {
        if capture.is_approved() {
            events.push(PaymentEvent::succeeded(
                PaymentEventKind::Capture,
                total,
                req.now,
                Some(capture.reference.clone()),
                &format!("{}-capture", key.as_str()),
            ));
        }
    }
    let payment = Payment::replay(total, &events).map_err(crate::services::internal)?;
    // With manual capture an approved authorization secures the order: it is fulfilled as paid
    // and the hold is captured (or, if cancelled, voided) from the Payments page.
    let paid = auth.is_approved() && (req.manual_capture || payment.captured.minor == total.minor);
    let outcome = match (paid, auth.outcome) {
        (true, _) => EventOutcome::Succeeded,
        // Authorized but the capture was refused: not paid, whatever the authorization said.
        (false, EventOutcome::Succeeded) => EventOutcome::Declined(DeclineReason::ProcessingError),
        (false, declined) => declined,
    };
    let recorded = store
        .record_payment(&PaymentUpdate {
            order_id,
            payment_id,
            events,
            payment_status: payment.status,
            captured_minor: payment.captured.minor,
            gateway_reference: Some(auth.reference.clone()),
            order_status: if paid { OrderStatus::Paid } else { OrderStatus::PaymentFailed },
            part_status: if paid { PartStatus::Paid } else { PartStatus::Cancelled },
            release_stock: !paid,
            outcome: outcome.as_str().into(),
            claim: claim.clone(),
            now: req.now,
        })
        .await
        .map_err(internal)?;
    if let PaymentRecorded::OrderClosed { status } = recorded {
        let late = LatePayment { payment_id, payment, number: &number, order_status: status, claim, now: req.now };
        let stored = give_back_late_payment(store, gateway, late, key.as_str(), outcome).await?;
        return Ok(Placement { outcome: outcome_from_stored(number, stored), guest_key });
    }
    // A retried request with the same idempotency key returns above without reaching here.
    if paid {
        let lines: Vec<MessageLine> = parts
            .iter()
            .flat_map(|(_, lines)| lines)
            .map(|l| MessageLine {
                title: l.title.clone(),
                quantity: l.quantity,
                line_total: Money::new(l.line_total_minor, total.currency),
            })
            .collect();
        let to = Confirmation { number: &number, email: &order.email, lines, total, guest_key: guest_key.as_deref() };
        queue_confirmation(settings, to, req.now).await;
    }
    Ok(Placement { outcome: outcome_from_stored(number, outcome.as_str()), guest_key })
}

/// What an order confirmation says and where it goes.
pub(super) struct Confirmation<'a> {
    pub number: &'a str,
    pub email: &'a str,
    pub lines: Vec<MessageLine>,
    pub total: Money,
    /// A guest's key to the order, for the message's link.
    pub guest_key: Option<&'a str>,
}

/// Queues a paid order's confirmation. It is queued after the payment is recorded, not in its
/// transaction: the outbox is its own store (the order store stays unaware of messages), and a
/// message that could not be queued is logged, never a reason to report a paid order as failed.
/// Its dedupe key is the order number, so one order queues one confirmation however often this
/// runs (a retried checkout, a webhook and the browser's return).
pub(super) async fn queue_confirmation(settings: &CheckoutSettings, to: Confirmation<'_>, now: i64) {
    let Some(c) = &settings.confirmations else { return };
    let message = Message::OrderConfirmation {
        number: to.number.to_string(),
        email: to.email.to_string(),
        lines: to.lines,
        total: to.total,
        order_url: match to.guest_key {
            Some(key) => c.links.guest_order(to.number, key),
            None => c.links.order(to.number),
        },
    };
    super::notifications::enqueue_logged(
        c.store.as_ref(),
        &message,
        to.email,
        &super::notifications::confirmation_key(to.number),
        now,
    )
    .await;
}

/// A payment whose order closed while the gateway was deciding.
pub(super) struct LatePayment<'a> {
    pub payment_id: i64,
    /// The payment as the gateway left it.
    pub payment: Payment,
    pub number: &'a str,
    pub order_status: Option<OrderStatus>,
    pub claim: IdempotencyClaim,
    pub now: i64,
}

/// The order closed before its payment's answer was recorded: its reservation ran out and the
/// sweeper put the stock back on sale and gave the discount use back, so it cannot become paid
/// (that would sell stock twice). Whatever the gateway took is given back through the gateway —
/// a captured charge refunded in full, a hold voided — and recorded; if the gateway refuses, the
/// payment stays captured (or authorized) on the closed order, which is the record that a refund
/// is owed, and the shopper is told so. Returns the outcome stored for retries of the checkout.
pub(super) async fn give_back_late_payment(
    store: &dyn OrderStore,
    gateway: &dyn PaymentProvider,
    late: LatePayment<'_>,
    key: &str,
    outcome: EventOutcome,
) -> Result<&'static str, AppError> {
    let LatePayment { payment_id, payment, number, order_status, claim, now } = late;
    let reference = payment.gateway_reference.clone().unwrap_or_default();
    let undo = match payment.status {
        PaymentStatus::Captured => {
            let key = format!("{key}-late-refund");
            let answer = gateway.refund(&reference, payment.refundable(), &key).await;
            Some(answer.is_approved().then(|| {
                let event = PaymentEvent::succeeded(
                    PaymentEventKind::Refund,
                    payment.refundable(),
                    now,
                    Some(answer.reference),
                    &key,
                );
                (event, LATE_REFUNDED)
            }))
        }
        PaymentStatus::Authorized => {
            let key = format!("{key}-late-void");
            let answer = gateway.void(&reference, &key).await;
            Some(answer.is_approved().then(|| {
                (
                    PaymentEvent::succeeded(PaymentEventKind::Void, payment.amount, now, Some(answer.reference), &key),
                    LATE_VOIDED,
                )
            }))
        }
        // Declined: nothing was taken, and the decline is the answer.
        _ => None,
    };
    let (events, after, stored) = match undo {
        None => (Vec::new(), payment, outcome.as_str()),
        Some(Some((event, stored))) => {
            let after = payment.apply(&event).map_err(|e| AppError::Server(e.to_string()))?;
            (vec![event], after, stored)
        }
        Some(None) => {
            tracing::error!(
                order = number,
                status = order_status.map_or("missing", OrderStatus::as_str),
                "the gateway refused to give back a payment that arrived after its order closed; a refund is owed"
            );
            (Vec::new(), payment, LATE_REFUND_DUE)
        }
    };
    store
        .record_reversal(&PaymentReversal {
            payment_id,
            events,
            payment_status: after.status,
            refunded_minor: after.refunded.minor,
            outcome: stored.into(),
            claim,
            now,
        })
        .await
        .map_err(internal)?;
    Ok(stored)
}
