//! After payment: a store ships, starts, cancels and refunds its part of an order; a shopper
//! asks to return delivered items and the store decides, receives and refunds them.
//!
//! Each use case reads the part whole ([`PartState`]), decides with the domain rules
//! (`domain::{shipment, fulfilment, refund, returns}`), and asks the store to apply the decision
//! only if the part is still at the version it read; when it moved on meanwhile (another member
//! of staff, a carrier event) the decision is made again on fresh data, so concurrent actions
//! never double-apply. Money goes back through the gateway in two steps: the refund is reserved
//! (bounded in SQL by line, part and capture), the gateway is asked with the refund's own key,
//! and the answer is booked; a retry of a refund left pending asks the gateway again with the
//! same key, which a gateway answers once.
//!
//! Merchant actions a client may retry (ship, cancel, refund) take an idempotency key: the same
//! key and request return the first outcome and write nothing more; the same key with another
//! request is refused. Returned items go back into stock when the store marks them received.
use super::fulfilment_store::{
    Applied, FulfilmentStore, IdempotencyClaim, NewRefund, NewReturn, NewShipment, PartCancellation, PartState,
    RefundResult, RefundState, ReturnDecision, ReturnState,
};
use crate::domain::carriers::Carrier;
use crate::domain::errors::AppError;
use crate::domain::fulfilment::{PaymentAction, plan_cancellation};
use crate::domain::gateway::PaymentGateway;
use crate::domain::idempotency::{Fingerprint, IdempotencyKey};
use crate::domain::money::{Currency, Money};
use crate::domain::order::{PartEvent, PartStatus};
use crate::domain::order_view::{CancelOutcome, RefundOutcome, ShipOutcome};
use crate::domain::payment::{Payment, PaymentStatus};
use crate::domain::refund::{LineLedger, PartLedger, RefundRequest, line_shares};
use crate::domain::returns::{ReturnEvent, ReturnStatus, ReturnWindow, request_return as check_return};
use crate::domain::shipment::{
    LineAction, LineQuantity, PartLine, ShipmentStatus, advance_part, after_picking, pick_lines,
};

pub const SHIP_SCOPE: &str = "fulfilment:ship";
pub const CANCEL_SCOPE: &str = "fulfilment:cancel";
pub const REFUND_SCOPE: &str = "fulfilment:refund";
/// How often a decision is made again when the part keeps changing underneath.
const ATTEMPTS: usize = 12;
pub const MAX_CANCEL_REASON_CHARS: usize = 500;

fn internal(e: super::StoreError) -> AppError {
    super::errors::store_err(e)
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::one(field, message)
}

fn busy() -> AppError {
    AppError::Conflict("This order changed while you were working on it; reload the page and try again.".into())
}

fn conflict_key() -> AppError {
    AppError::Conflict("This form was already submitted with different details. Reload the page to start again.".into())
}

fn missing() -> AppError {
    AppError::NotFound("We couldn't find that order in your store.".into())
}

fn status_of(state: &PartState) -> Result<PartStatus, AppError> {
    PartStatus::parse(&state.status)
        .ok_or_else(|| crate::services::internal(format!("unknown part status {}", state.status)))
}

fn currency_of(state: &PartState) -> Result<Currency, AppError> {
    Currency::parse(&state.currency).map_err(crate::services::internal)
}

/// The idempotency claim for a merchant action, if the client sent a key.
fn claim(scope: &str, key: Option<&str>, fields: &[(&str, &str)]) -> Result<Option<IdempotencyClaim>, AppError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(raw) => {
            let key = IdempotencyKey::parse(raw).map_err(|m| invalid("idempotency_key", m))?;
            Ok(Some(IdempotencyClaim {
                scope: scope.into(),
                key: key.as_str().into(),
                fingerprint: Fingerprint::of(fields).to_hex(),
            }))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn load(store: &dyn FulfilmentStore, number: &str, merchant_id: i64) -> Result<PartState, AppError> {
    store.part(number, merchant_id).await.map_err(internal)?.ok_or_else(missing)
}

/// The order's payment as the domain's state machine sees it.
fn payment_of(state: &PartState, currency: Currency) -> Option<Payment> {
    let p = state.payment.as_ref()?;
    Some(Payment {
        status: PaymentStatus::parse(&p.status)?,
        amount: Money::new(p.amount_minor, currency),
        captured: Money::new(p.captured_minor, currency),
        refunded: Money::new(p.refunded_minor, currency),
        gateway_reference: p.gateway_reference.clone(),
    })
}

/// The part's refund ledger: captured is the part's total once the payment was captured; each
/// line's paid share is its part of the goods paid (total less shipping), split by line totals.
pub fn ledger(state: &PartState) -> Result<PartLedger, AppError> {
    let currency = currency_of(state)?;
    let m = |minor| Money::new(minor, currency);
    let captured = match state.payment.as_ref().and_then(|p| PaymentStatus::parse(&p.status)) {
        Some(PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded) => {
            state.total_minor.min(state.payment.as_ref().map_or(0, |p| p.captured_minor))
        }
        _ => 0,
    };
    let weights: Vec<Money> = state.lines.iter().map(|l| m(l.line_total_minor)).collect();
    let shares = line_shares(m(state.total_minor - state.shipping_minor), &weights);
    Ok(PartLedger {
        captured: m(captured),
        refunded: m(state.refunded_minor),
        lines: state
            .lines
            .iter()
            .zip(shares)
            .map(|(l, paid)| LineLedger {
                line_id: l.line_id,
                title: l.title.clone(),
                paid,
                refunded: m(l.refunded_minor),
            })
            .collect(),
    })
}

fn payment_left(state: &PartState, currency: Currency) -> Money {
    Money::new(state.payment.as_ref().map_or(0, |p| (p.captured_minor - p.refunded_minor).max(0)), currency)
}

/// `amount` spread over the lines' remainders in order (what a whole-part refund does).
fn spread(ledger: &PartLedger, amount: i64) -> Vec<(i64, i64, i64)> {
    let mut budget = amount;
    let mut out = Vec::new();
    for l in &ledger.lines {
        let take = l.refundable().minor.min(budget);
        if take > 0 {
            budget -= take;
            out.push((l.line_id, take, l.paid.minor));
        }
    }
    out
}

pub struct ShipRequest {
    pub carrier: String,
    pub tracking_number: String,
    pub lines: Vec<LineQuantity>,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// Ships some lines of the store's part with a carrier and tracking number.
pub async fn ship(
    store: &dyn FulfilmentStore,
    number: &str,
    merchant_id: i64,
    req: ShipRequest,
) -> Result<ShipOutcome, AppError> {
    let carrier = Carrier::parse(&req.carrier).ok_or_else(|| invalid("carrier", "Choose a carrier from the list."))?;
    let tracking = carrier
        .validate_tracking_number(&req.tracking_number)
        .map_err(|e| invalid("tracking_number", e.to_string()))?;
    let mut fields: Vec<(String, String)> = vec![
        ("order".into(), number.to_string()),
        ("merchant".into(), merchant_id.to_string()),
        ("carrier".into(), carrier.code().into()),
        ("tracking".into(), tracking.as_str().into()),
    ];
    fields.extend(req.lines.iter().map(|l| (format!("line:{}", l.line_id), l.quantity.to_string())));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let claim = claim(SHIP_SCOPE, req.idempotency_key.as_deref(), &pairs)?;
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = status_of(&state)?;
        let lines: Vec<PartLine> = state
            .lines
            .iter()
            .map(|l| PartLine { line_id: l.line_id, title: l.title.clone(), quantity: l.quantity, done: l.shipped })
            .collect();
        let picked = match (status.apply(PartEvent::ShipPartially), pick_lines(LineAction::Ship, &lines, &req.lines)) {
            (Ok(_), Ok(picked)) => picked,
            // A retried request finds its lines shipped already: its first outcome answers it.
            (status_check, picked) if claim.is_some() => match replay_ship(store, claim.as_ref(), &state).await? {
                Some(outcome) => return Ok(outcome),
                None => {
                    status_check.map_err(|e| invalid("form", e.to_string()))?;
                    picked.map_err(|e| invalid("lines", e.to_string()))?
                }
            },
            (Err(e), _) => return Err(invalid("form", e.to_string())),
            (_, Err(e)) => return Err(invalid("lines", e.to_string())),
        };
        if let Some(other) = store.shipment_by_tracking(carrier.code(), tracking.as_str()).await.map_err(internal)? {
            if let Some(outcome) = replay_ship(store, claim.as_ref(), &state).await? {
                return Ok(outcome);
            }
            tracing::debug!(shipment = other, "tracking number already used");
            return Err(invalid("tracking_number", "This tracking number is already on another shipment."));
        }
        let mut parcels: Vec<ShipmentStatus> =
            state.shipments.iter().filter_map(|s| ShipmentStatus::parse(s)).collect();
        parcels.push(ShipmentStatus::LabelCreated);
        let next = advance_part(status, &after_picking(&lines, &picked), &parcels)
            .map_err(|e| invalid("form", e.to_string()))?;
        let shipment = NewShipment {
            part_id: state.part_id,
            expected_version: state.version,
            part_status: next.as_str().into(),
            carrier: carrier.code().into(),
            tracking_number: tracking.as_str().into(),
            token: hex(&super::random::bytes::<16>()),
            lines: picked.iter().map(|l| (l.line_id, l.quantity)).collect(),
            claim: claim.clone(),
            now: req.now,
        };
        let id = match store.ship(&shipment).await {
            Ok(Applied::Done(id) | Applied::Repeat(id)) => id,
            Ok(Applied::Stale) => continue,
            Ok(Applied::Conflict) => return Err(conflict_key()),
            Err(super::StoreError::Conflict(_)) => {
                return Err(invalid("tracking_number", "This tracking number is already on another shipment."));
            }
            Err(e) => return Err(internal(e)),
        };
        return ship_outcome(store, id, state.part_id).await;
    }
    Err(busy())
}

/// The first outcome of a repeated ship request, if its key was used: a retry after the lines
/// shipped must not be told they already have.
async fn replay_ship(
    store: &dyn FulfilmentStore,
    claim: Option<&IdempotencyClaim>,
    state: &PartState,
) -> Result<Option<ShipOutcome>, AppError> {
    let Some(claim) = claim else { return Ok(None) };
    // Claiming against a version that cannot match writes nothing: the store answers a known
    // key before it looks at the part.
    let probe = NewShipment {
        part_id: state.part_id,
        expected_version: -1,
        part_status: state.status.clone(),
        carrier: String::new(),
        tracking_number: String::new(),
        token: String::new(),
        lines: Vec::new(),
        claim: Some(claim.clone()),
        now: 0,
    };
    match store.ship(&probe).await.map_err(internal)? {
        Applied::Repeat(id) => Ok(Some(ship_outcome(store, id, state.part_id).await?)),
        Applied::Conflict => Err(conflict_key()),
        Applied::Done(_) | Applied::Stale => Ok(None),
    }
}

async fn ship_outcome(store: &dyn FulfilmentStore, shipment_id: i64, part_id: i64) -> Result<ShipOutcome, AppError> {
    let shipment = store
        .shipment_view(shipment_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| crate::services::internal(format!("shipment {shipment_id} vanished")))?;
    let part_status = store.part_by_id(part_id).await.map_err(internal)?.map(|p| p.status).unwrap_or_default();
    Ok(ShipOutcome { shipment, part_status })
}

/// Paid → processing: the store has started on it. Already processing is fine (a retry).
pub async fn start_processing(store: &dyn FulfilmentStore, number: &str, merchant_id: i64) -> Result<String, AppError> {
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = status_of(&state)?;
        if status == PartStatus::Processing {
            return Ok(status.as_str().into());
        }
        let next = status.apply(PartEvent::StartProcessing).map_err(|e| invalid("form", e.to_string()))?;
        match store.set_part_status(state.part_id, state.version, status.as_str(), next.as_str()).await {
            Ok(Applied::Done(())) => return Ok(next.as_str().into()),
            Ok(_) => continue,
            Err(e) => return Err(internal(e)),
        }
    }
    Err(busy())
}

pub struct CancelRequest {
    pub reason: String,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// Cancels the store's part before anything of it shipped: its stock goes back, and the money
/// taken for it is refunded (or the authorization voided when no other part is left).
pub async fn cancel_part(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentGateway,
    number: &str,
    merchant_id: i64,
    req: CancelRequest,
) -> Result<CancelOutcome, AppError> {
    let reason = req.reason.trim().to_string();
    if reason.is_empty() {
        return Err(invalid("reason", "Tell the shopper why this part is cancelled."));
    }
    if reason.chars().count() > MAX_CANCEL_REASON_CHARS {
        return Err(invalid("reason", format!("Keep the reason under {MAX_CANCEL_REASON_CHARS} characters.")));
    }
    let merchant = merchant_id.to_string();
    let fields = [("order", number), ("merchant", merchant.as_str()), ("reason", reason.as_str())];
    let claim = claim(CANCEL_SCOPE, req.idempotency_key.as_deref(), &fields)?;
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = status_of(&state)?;
        if status == PartStatus::AwaitingPayment {
            return Err(invalid("form", "The payment for this order is still being processed; try again in a moment."));
        }
        let currency = currency_of(&state)?;
        let payment = payment_of(&state, currency);
        let others: Vec<PartStatus> = state.other_parts.iter().filter_map(|s| PartStatus::parse(s)).collect();
        let remaining = Money::new((state.total_minor - state.refunded_minor).max(0), currency);
        let plan = match plan_cancellation(status, remaining, payment.as_ref(), &others) {
            Ok(plan) => plan,
            Err(e) if status == PartStatus::Cancelled && claim.is_some() => {
                // A retry of a cancellation that went through: the probe finds the key.
                match probe_cancel(store, claim.as_ref(), &state).await? {
                    Some(refund) => return cancel_outcome(store, gateway, &state, refund, false).await,
                    None => return Err(invalid("form", e.to_string())),
                }
            }
            Err(e) => return Err(invalid("form", e.to_string())),
        };
        let key_base =
            claim.as_ref().map(|c| c.key.clone()).unwrap_or_else(|| hex(&super::random::bytes::<12>()));
        let refund = match (plan.payment, state.payment.as_ref()) {
            (PaymentAction::Refund(amount), Some(p)) => Some(NewRefund {
                part_id: state.part_id,
                payment_id: p.id,
                kind: "cancel".into(),
                return_id: None,
                amount_minor: amount.minor,
                lines: spread(&ledger(&state)?, amount.minor),
                key: format!("cancel-{}-{key_base}", state.part_id),
            }),
            _ => None,
        };
        let cancellation = PartCancellation {
            part_id: state.part_id,
            expected_version: state.version,
            reason: reason.clone(),
            refund,
            claim: claim.clone(),
            now: req.now,
        };
        let refund_id = match store.cancel_part(&cancellation).await.map_err(internal)? {
            Applied::Done(id) => id,
            Applied::Repeat(id) => (id > 0).then_some(id),
            Applied::Stale => continue,
            Applied::Conflict => return Err(conflict_key()),
        };
        let mut voided = false;
        if let (PaymentAction::Void, Some(p)) = (plan.payment, state.payment.as_ref()) {
            let key = format!("void-{}-{key_base}", state.part_id);
            let answer = gateway.void(p.gateway_reference.as_deref().unwrap_or_default(), &key);
            if answer.is_approved() {
                store
                    .record_void(p.id, p.amount_minor, Some(&answer.reference), &key, req.now)
                    .await
                    .map_err(internal)?;
                voided = true;
            } else {
                tracing::warn!(part = state.part_id, "the gateway refused to void a cancelled order's authorization");
            }
        }
        return cancel_outcome(store, gateway, &state, refund_id, voided).await;
    }
    Err(busy())
}

async fn probe_cancel(
    store: &dyn FulfilmentStore,
    claim: Option<&IdempotencyClaim>,
    state: &PartState,
) -> Result<Option<Option<i64>>, AppError> {
    let probe = PartCancellation {
        part_id: state.part_id,
        expected_version: -1,
        reason: String::new(),
        refund: None,
        claim: claim.cloned(),
        now: 0,
    };
    match store.cancel_part(&probe).await.map_err(internal)? {
        Applied::Repeat(id) => Ok(Some((id > 0).then_some(id))),
        Applied::Conflict => Err(conflict_key()),
        _ => Ok(None),
    }
}

async fn cancel_outcome(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentGateway,
    state: &PartState,
    refund_id: Option<i64>,
    voided: bool,
) -> Result<CancelOutcome, AppError> {
    let refund = match refund_id {
        Some(id) => Some(settle_refund(store, gateway, id).await?),
        None => None,
    };
    let part_status = store.part_by_id(state.part_id).await.map_err(internal)?.map(|p| p.status).unwrap_or_default();
    let voided = voided
        || store
            .part_by_id(state.part_id)
            .await
            .map_err(internal)?
            .and_then(|p| p.payment)
            .is_some_and(|p| p.status == PaymentStatus::Voided.as_str());
    Ok(CancelOutcome { part_status, refund, voided })
}

/// Asks the gateway for a reserved refund (with the refund's own key, so asking twice refunds
/// once) and books the answer; a refund already settled is simply read back.
async fn settle_refund(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentGateway,
    refund_id: i64,
) -> Result<RefundOutcome, AppError> {
    let refund = read_refund(store, refund_id).await?;
    if refund.status == "pending" {
        let currency = Currency::parse(&refund.currency).map_err(crate::services::internal)?;
        let charge = refund.charge_reference.clone().unwrap_or_default();
        let answer = gateway.refund(&charge, Money::new(refund.amount_minor, currency), &refund.key);
        store
            .complete_refund(&RefundResult {
                refund_id,
                approved: answer.is_approved(),
                gateway_reference: Some(answer.reference),
                now: super::clock::now(),
            })
            .await
            .map_err(internal)?;
    }
    let refund = read_refund(store, refund_id).await?;
    let part_status = store.part_by_id(refund.part_id).await.map_err(internal)?.map(|p| p.status).unwrap_or_default();
    let currency = Currency::parse(&refund.currency).map_err(crate::services::internal)?;
    Ok(RefundOutcome {
        refund_id,
        amount: Money::new(refund.amount_minor, currency),
        status: refund.status,
        part_status,
    })
}

async fn read_refund(store: &dyn FulfilmentStore, refund_id: i64) -> Result<RefundState, AppError> {
    store
        .refund(refund_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| crate::services::internal(format!("refund {refund_id} vanished")))
}

fn declined(outcome: RefundOutcome) -> Result<RefundOutcome, AppError> {
    if outcome.status == "failed" {
        Err(AppError::Conflict(format!(
            "The payment provider declined the refund of {}; nothing was refunded. Try again later.",
            outcome.amount
        )))
    } else {
        Ok(outcome)
    }
}

pub struct RefundCommand {
    pub request: RefundRequest,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// Refunds the whole store's part (what is left of it, shipping included) or single lines,
/// never more than the line, the part or the payment has left.
pub async fn refund_part(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentGateway,
    number: &str,
    merchant_id: i64,
    cmd: RefundCommand,
) -> Result<RefundOutcome, AppError> {
    let mut fields: Vec<(String, String)> =
        vec![("order".into(), number.to_string()), ("merchant".into(), merchant_id.to_string())];
    match &cmd.request {
        RefundRequest::WholePart => fields.push(("whole".into(), "1".into())),
        RefundRequest::Lines(lines) => fields.extend(lines.iter().map(|l| {
            (format!("line:{}", l.line_id), l.amount.map(|a| a.minor.to_string()).unwrap_or_else(|| "all".into()))
        })),
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let claim = claim(REFUND_SCOPE, cmd.idempotency_key.as_deref(), &pairs)?;
    let key_base =
        claim.as_ref().map(|c| c.key.clone()).unwrap_or_else(|| hex(&super::random::bytes::<12>()));
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = status_of(&state)?;
        let currency = currency_of(&state)?;
        let refund_key = format!("refund-{}-{key_base}", state.part_id);
        let ledger = ledger(&state)?;
        let planned =
            if cmd.request == RefundRequest::WholePart && matches!(status, PartStatus::Paid | PartStatus::Processing) {
                Err(invalid(
                    "form",
                    "Nothing of this part has shipped yet: cancel it instead, which also puts the stock back.",
                ))
            } else {
                ledger.plan(&cmd.request, payment_left(&state, currency)).map_err(|e| invalid("form", e.to_string()))
            };
        let plan = match planned {
            Ok(plan) => plan,
            Err(e) => {
                // A retry after the money went back finds nothing left: answer with the first outcome.
                let probe = NewRefund {
                    part_id: state.part_id,
                    payment_id: 0,
                    kind: "refund".into(),
                    return_id: None,
                    amount_minor: 0,
                    lines: Vec::new(),
                    key: refund_key,
                };
                return match store.reserve_refund(&probe, -1, claim.as_ref(), cmd.now).await.map_err(internal)? {
                    Applied::Repeat(id) => declined(settle_refund(store, gateway, id).await?),
                    Applied::Conflict => Err(conflict_key()),
                    _ => Err(e),
                };
            }
        };
        let Some(payment) = state.payment.as_ref() else {
            return Err(invalid("form", "This order has no payment to refund."));
        };
        let paid_of = |id: i64| ledger.lines.iter().find(|l| l.line_id == id).map_or(0, |l| l.paid.minor);
        let refund = NewRefund {
            part_id: state.part_id,
            payment_id: payment.id,
            kind: "refund".into(),
            return_id: None,
            amount_minor: plan.amount.minor,
            lines: plan.lines.iter().map(|(id, m)| (*id, m.minor, paid_of(*id))).collect(),
            key: refund_key,
        };
        let id = match store.reserve_refund(&refund, state.version, claim.as_ref(), cmd.now).await.map_err(internal)? {
            Applied::Done(id) | Applied::Repeat(id) => id,
            Applied::Stale => continue,
            Applied::Conflict => return Err(conflict_key()),
        };
        return declined(settle_refund(store, gateway, id).await?);
    }
    Err(busy())
}

/// Parses "12.50" (or "12") in `currency`'s minor units.
pub fn parse_amount(raw: &str, currency: Currency) -> Result<Money, String> {
    let raw = raw.trim().trim_start_matches(['$', '€', '£']);
    let exp = currency.exponent() as usize;
    let bad = || format!("“{raw}” is not an amount; write it like 12.50.");
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > exp
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<exp$}").parse().map_err(|_| bad())? };
    Ok(Money::new(whole * 10i64.pow(exp as u32) + frac_value, currency))
}

pub struct ReturnAsk {
    pub lines: Vec<LineQuantity>,
    pub reason: String,
    pub now: i64,
}

/// A shopper asks to return delivered items of one store's part, within the window.
pub async fn request_return(
    store: &dyn FulfilmentStore,
    window: ReturnWindow,
    number: &str,
    merchant_id: i64,
    ask: ReturnAsk,
) -> Result<i64, AppError> {
    for _ in 0..ATTEMPTS {
        let state = store
            .part(number, merchant_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("We couldn't find that order.".into()))?;
        let status = status_of(&state)?;
        let lines: Vec<PartLine> = state
            .lines
            .iter()
            .map(|l| PartLine { line_id: l.line_id, title: l.title.clone(), quantity: l.delivered, done: l.returned })
            .collect();
        let checked = check_return(window, status, state.delivered_at, ask.now, &lines, &ask.lines, &ask.reason)
            .map_err(|e| invalid("form", e.to_string()))?;
        let new = NewReturn {
            part_id: state.part_id,
            expected_version: state.version,
            reason: checked.reason,
            lines: checked.lines.iter().map(|l| (l.line_id, l.quantity)).collect(),
            now: ask.now,
        };
        match store.request_return(&new).await.map_err(internal)? {
            Applied::Done(id) | Applied::Repeat(id) => return Ok(id),
            Applied::Stale => continue,
            Applied::Conflict => return Err(conflict_key()),
        }
    }
    Err(busy())
}

async fn store_return(store: &dyn FulfilmentStore, merchant_id: i64, return_id: i64) -> Result<ReturnState, AppError> {
    store
        .return_state(return_id)
        .await
        .map_err(internal)?
        .filter(|r| r.merchant_id == merchant_id)
        .ok_or_else(|| AppError::NotFound("We couldn't find that return in your store.".into()))
}

/// The store approves, rejects (with a reason the shopper reads) or receives a return.
/// Received items go back into stock. Asking again for the state it is already in is a no-op,
/// so a resubmitted form does not fail.
pub async fn decide_return(
    store: &dyn FulfilmentStore,
    merchant_id: i64,
    return_id: i64,
    event: ReturnEvent,
    rejection: Option<String>,
    now: i64,
) -> Result<ReturnState, AppError> {
    let rejection_reason = match event {
        ReturnEvent::Reject => Some(
            crate::domain::returns::validate_rejection(rejection.as_deref().unwrap_or(""))
                .map_err(|e| invalid("reason", e.to_string()))?,
        ),
        _ => None,
    };
    for _ in 0..ATTEMPTS {
        let current = store_return(store, merchant_id, return_id).await?;
        let from = ReturnStatus::parse(&current.status)
            .ok_or_else(|| crate::services::internal(format!("unknown return status {}", current.status)))?;
        let target = match event {
            ReturnEvent::Approve => ReturnStatus::Approved,
            ReturnEvent::Reject => ReturnStatus::Rejected,
            ReturnEvent::Receive => ReturnStatus::Received,
            ReturnEvent::Refund => ReturnStatus::Refunded,
        };
        if from == target {
            return Ok(current);
        }
        let to = from.apply(event).map_err(|e| invalid("form", e.to_string()))?;
        let decision = ReturnDecision {
            return_id,
            from: from.as_str().into(),
            to: to.as_str().into(),
            rejection_reason: rejection_reason.clone(),
            restock: to == ReturnStatus::Received,
            now,
        };
        if store.decide_return(&decision).await.map_err(internal)? {
            return store_return(store, merchant_id, return_id).await;
        }
    }
    Err(busy())
}

/// Refunds a received return: each returned line's share of what was paid for it (the whole
/// remainder of the line once all of it is back), never more than the line has left. Shipping
/// is not refunded for returns.
pub async fn refund_return(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentGateway,
    merchant_id: i64,
    return_id: i64,
    now: i64,
) -> Result<RefundOutcome, AppError> {
    for _ in 0..ATTEMPTS {
        let ret = store_return(store, merchant_id, return_id).await?;
        let status = ReturnStatus::parse(&ret.status)
            .ok_or_else(|| crate::services::internal(format!("unknown return status {}", ret.status)))?;
        let earlier = store.refund_of_return(return_id).await.map_err(internal)?;
        if let Some(refund) = earlier.filter(|r| r.status != "failed") {
            return declined(settle_refund(store, gateway, refund.id).await?);
        }
        status.apply(ReturnEvent::Refund).map_err(|e| invalid("form", e.to_string()))?;
        let state = store.part_by_id(ret.part_id).await.map_err(internal)?.ok_or_else(missing)?;
        let currency = currency_of(&state)?;
        let ledger = ledger(&state)?;
        let mut lines = Vec::new();
        for (line_id, qty) in &ret.lines {
            let (Some(line), Some(book)) = (
                state.lines.iter().find(|l| l.line_id == *line_id),
                ledger.lines.iter().find(|l| l.line_id == *line_id),
            ) else {
                continue;
            };
            let share = if *qty >= line.quantity {
                book.paid.minor
            } else {
                (i128::from(book.paid.minor) * i128::from(*qty) / i128::from(line.quantity.max(1))) as i64
            };
            let amount = share.min(ledger.line_refundable(*line_id).map_or(0, |m| m.minor));
            if amount > 0 {
                lines.push(crate::domain::refund::LineRefund {
                    line_id: *line_id,
                    amount: Some(Money::new(amount, currency)),
                });
            }
        }
        if lines.is_empty() {
            return Err(invalid("form", "These items have already been refunded in full."));
        }
        let plan = ledger
            .plan(&RefundRequest::Lines(lines), payment_left(&state, currency))
            .map_err(|e| invalid("form", e.to_string()))?;
        let Some(payment) = state.payment.as_ref() else {
            return Err(invalid("form", "This order has no payment to refund."));
        };
        let paid_of = |id: i64| ledger.lines.iter().find(|l| l.line_id == id).map_or(0, |l| l.paid.minor);
        let attempt = store.refund_of_return(return_id).await.map_err(internal)?.map_or(0, |r| r.id);
        let refund = NewRefund {
            part_id: state.part_id,
            payment_id: payment.id,
            kind: "return".into(),
            return_id: Some(return_id),
            amount_minor: plan.amount.minor,
            lines: plan.lines.iter().map(|(id, m)| (*id, m.minor, paid_of(*id))).collect(),
            // One refund per return; after a declined one, the next attempt gets a new key.
            key: format!("return-{return_id}-{attempt}"),
        };
        match store.reserve_refund(&refund, state.version, None, now).await.map_err(internal)? {
            Applied::Done(id) | Applied::Repeat(id) => return declined(settle_refund(store, gateway, id).await?),
            Applied::Stale => continue,
            Applied::Conflict => return Err(conflict_key()),
        }
    }
    Err(busy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_in_minor_units() {
        let usd = Currency::USD;
        assert_eq!(parse_amount("12.50", usd), Ok(Money::new(1250, usd)));
        assert_eq!(parse_amount(" $3 ", usd), Ok(Money::new(300, usd)));
        assert_eq!(parse_amount("0.5", usd), Ok(Money::new(50, usd)));
        assert_eq!(parse_amount(".05", usd), Ok(Money::new(5, usd)));
        for bad in ["", ".", "1.234", "-1", "1e3", "12,50", "abc"] {
            assert!(parse_amount(bad, usd).is_err(), "{bad:?}");
        }
    }
}
