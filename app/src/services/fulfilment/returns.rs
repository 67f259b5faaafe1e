//! Returns: a shopper asks to return delivered items of one store's part within the window; the
//! store approves or rejects (with a reason), receives (the items go back into stock) and
//! refunds them.
use super::refunds::{declined, settle_refund};
use super::{ATTEMPTS, busy, conflict_key, internal, invalid, ledger, missing, payment_left, picker_lines};
use crate::domain::errors::AppError;
use crate::domain::money::Money;
use crate::domain::refund::{RefundKind, RefundRequest, RefundStatus};
use crate::domain::returns::{ReturnEvent, ReturnStatus, ReturnWindow, request_return as check_return};
use crate::domain::shipment::LineQuantity;
use crate::services::Shop;
use crate::services::fulfilment_store::{Applied, FulfilmentStore, NewRefund, NewReturn, ReturnDecision, ReturnState};
use crate::services::payment_provider::PaymentProvider;
use crate::views::orders::RefundOutcome;

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
        let status = state.status;
        let lines = picker_lines(&state, |l| (l.delivered, l.returned));
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
        let from = current.status;
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
            from,
            to,
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
    gateway: &dyn PaymentProvider,
    merchant_id: i64,
    return_id: i64,
    now: i64,
) -> Result<RefundOutcome, AppError> {
    for _ in 0..ATTEMPTS {
        let ret = store_return(store, merchant_id, return_id).await?;
        let status = ret.status;
        let earlier = store.refund_of_return(return_id).await.map_err(internal)?;
        if let Some(refund) = earlier.filter(|r| r.status != RefundStatus::Failed) {
            return declined(settle_refund(store, gateway, refund.id).await?);
        }
        status.apply(ReturnEvent::Refund).map_err(|e| invalid("form", e.to_string()))?;
        let state = store.part_by_id(ret.part_id).await.map_err(internal)?.ok_or_else(missing)?;
        let currency = state.currency;
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
            kind: RefundKind::Return,
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

/// [`decide_return`] for a store's staff: the shopper hears whether it was approved or rejected.
/// The return's status afterwards (`ReturnStatus::as_str`).
pub async fn decide_and_notify(
    shop: &Shop,
    merchant_id: i64,
    return_id: i64,
    event: ReturnEvent,
    rejection: Option<String>,
    now: i64,
) -> Result<String, AppError> {
    let r = decide_return(shop.fulfilment.as_ref(), merchant_id, return_id, event, rejection, now).await?;
    crate::services::fulfilment_notices::return_decided(shop, return_id, now).await;
    Ok(r.status.as_str().to_string())
}

/// [`refund_return`] for a store's staff; the shopper is told once the money went back.
pub async fn refund_return_and_notify(
    shop: &Shop,
    merchant_id: i64,
    return_id: i64,
    now: i64,
) -> Result<RefundOutcome, AppError> {
    let outcome = refund_return(shop.fulfilment.as_ref(), shop.gateway.as_ref(), merchant_id, return_id, now).await?;
    if let Ok(Some(r)) = shop.fulfilment.return_state(return_id).await {
        crate::services::fulfilment_notices::refund_issued(shop, &r.order_number, &outcome, now).await;
    }
    Ok(outcome)
}

/// Who placed the order that has store `merchant_id`'s part `number` (none for a guest), for
/// deciding who may ask to return its items; `None` when there is no such part.
pub async fn part_owner(shop: &Shop, number: &str, merchant_id: i64) -> Result<Option<Option<i64>>, AppError> {
    Ok(shop.fulfilment.part(number, merchant_id).await.map_err(internal)?.map(|p| p.user_id))
}
