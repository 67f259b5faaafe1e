//! Cancelling a part before anything of it shipped: its stock goes back, and the money taken for
//! it is refunded, or the authorization voided when no other part is left.
use super::refunds::settle_refund;
use super::shipments::part_status;
use super::{ATTEMPTS, CANCEL_SCOPE, busy, claim, conflict_key, hex, internal, invalid, ledger, load, payment_of};
use crate::domain::errors::AppError;
use crate::domain::fulfilment::{PaymentAction, plan_cancellation};
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::money::Money;
use crate::domain::order::PartStatus;
use crate::domain::payment::PaymentStatus;
use crate::domain::refund::{PartLedger, RefundKind};
use crate::services::Shop;
use crate::services::fulfilment_store::{Applied, FulfilmentStore, NewRefund, PartCancellation, PartState};
use crate::services::payment_provider::PaymentProvider;
use crate::views::orders::CancelOutcome;

pub const MAX_CANCEL_REASON_CHARS: usize = 500;

pub struct CancelRequest {
    pub reason: String,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// Cancels the store's part before anything of it shipped: its stock goes back, and the money
/// taken for it is refunded (or the authorization voided when no other part is left).
pub async fn cancel_part(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentProvider,
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
        let status = state.status;
        if status == PartStatus::AwaitingPayment {
            return Err(invalid("form", "The payment for this order is still being processed; try again in a moment."));
        }
        let currency = state.currency;
        let payment = payment_of(&state);
        let others = &state.other_parts;
        let remaining = Money::new((state.total_minor - state.refunded_minor).max(0), currency);
        let plan = match plan_cancellation(status, remaining, payment.as_ref(), others) {
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
            claim.as_ref().map(|c| c.key.clone()).unwrap_or_else(|| hex(&crate::services::random::bytes::<12>()));
        let refund = match (plan.payment, state.payment.as_ref()) {
            (PaymentAction::Refund(amount), Some(p)) => Some(NewRefund {
                part_id: state.part_id,
                payment_id: p.id,
                kind: RefundKind::Cancel,
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
            let answer = gateway.void(p.gateway_reference.as_deref().unwrap_or_default(), &key).await;
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

/// [`cancel_part`] for a store's staff: the shopper is told of the refund, if one went through.
pub async fn cancel_and_notify(
    shop: &Shop,
    number: &str,
    merchant_id: i64,
    req: CancelRequest,
) -> Result<CancelOutcome, AppError> {
    let now = req.now;
    let outcome = cancel_part(shop.fulfilment.as_ref(), shop.gateway.as_ref(), number, merchant_id, req).await?;
    if let Some(refund) = &outcome.refund {
        crate::services::fulfilment_notices::refund_issued(shop, number, refund, now).await;
    }
    Ok(outcome)
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
    gateway: &dyn PaymentProvider,
    state: &PartState,
    refund_id: Option<i64>,
    voided: bool,
) -> Result<CancelOutcome, AppError> {
    let refund = match refund_id {
        Some(id) => Some(settle_refund(store, gateway, id).await?),
        None => None,
    };
    let part_status = part_status(store, state.part_id).await?;
    let voided = voided
        || store
            .part_by_id(state.part_id)
            .await
            .map_err(internal)?
            .and_then(|p| p.payment)
            .is_some_and(|p| p.status == PaymentStatus::Voided);
    Ok(CancelOutcome { part_status, refund, voided })
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
