//! The end of a payment taken on the provider's hosted page. Two things report it — the
//! provider's signed webhook and the shopper's browser coming back — and either may come first,
//! late, or twice. Both call [`settle_session`], which reads the session from the provider's API
//! (the browser's word is never taken), decides with `domain::hosted_payment::settlement`, and
//! records it once (`HostedPayments::settle_hosted`): the order becomes paid, or fails and gives
//! its stock back. A payment that completes after the order's reservation ran out is given back
//! through the provider, as at checkout (`checkout::give_back_late_payment`).
use super::Shop;
use super::checkout::{Confirmation, LatePayment, give_back_late_payment, queue_confirmation};
use super::errors::store_err;
use super::order_store::{HostedPaymentRow, PaymentRecorded, PaymentUpdate};
use super::payment_provider::ProviderError;
use crate::domain::errors::AppError;
use crate::domain::hosted_payment::{Settlement, settlement};
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::money::Money;
use crate::domain::notification::MessageLine;
use crate::domain::order::{OrderStatus, PartStatus};
use crate::domain::payment::{DeclineReason, EventOutcome, Payment, PaymentEvent, PaymentEventKind};

/// Where an order paid on the provider's page stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Paid (now, or before).
    Paid { number: String },
    /// Not decided yet: the shopper has not finished, or the provider is still processing.
    Pending { number: String },
    /// Not paid; `message` says why and what happens to the money.
    Failed { number: String, message: String },
}

impl Settled {
    /// "paid", "pending" or "failed".
    pub fn as_str(&self) -> &'static str {
        match self {
            Settled::Paid { .. } => "paid",
            Settled::Pending { .. } => "pending",
            Settled::Failed { .. } => "failed",
        }
    }

    pub fn number(&self) -> &str {
        match self {
            Settled::Paid { number } | Settled::Pending { number } | Settled::Failed { number, .. } => number,
        }
    }
}

/// A provider's session id as it may appear in a URL or a webhook: short, letters, digits, `_`.
pub fn valid_session_id(id: &str) -> bool {
    (8..=200).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Settles the order paid (or not) in hosted session `session_id`; see the module comment.
pub async fn settle_session(shop: &Shop, session_id: &str) -> Result<Settled, AppError> {
    if !valid_session_id(session_id) {
        return Err(AppError::NotFound("There is no payment with that reference.".into()));
    }
    let session = shop.gateway.session(session_id).await.map_err(|e| match e {
        // The test gateway has no hosted sessions: nothing can be named by one.
        ProviderError::Unsupported(_) | ProviderError::NoSuch(_) => {
            AppError::NotFound("There is no payment with that reference.".into())
        }
        e => {
            tracing::warn!(error = %e, "could not read a hosted payment session");
            AppError::Conflict(
                "The payment provider could not be reached to confirm your payment. Reload in a moment.".into(),
            )
        }
    })?;
    let missing = || AppError::NotFound("There is no order for that payment.".into());
    let number = session.order_number.clone().ok_or_else(missing)?;
    let row = shop.orders.hosted_payment(&number).await.map_err(store_err)?.ok_or_else(missing)?;
    let total = Money::new(row.amount_minor, row.currency);
    let now = shop.clock.now();
    let key = row.checkout_key.clone().unwrap_or_default();
    // The checkout's claim: its outcome is what a retry of that checkout is told from now on.
    let claim = IdempotencyClaim {
        scope: super::checkout::IDEMPOTENCY_SCOPE.into(),
        key: key.clone(),
        fingerprint: String::new(),
    };
    let (events, paid, outcome) = match settlement(&session, total) {
        Settlement::Pending => return current(shop, &number).await,
        Settlement::Mismatch(reason) => {
            tracing::error!(order = number, reason, "a hosted payment does not match its order; not marked paid");
            return Err(AppError::Conflict(
                "The payment does not match this order, so the order was not marked paid. Please contact the shop."
                    .into(),
            ));
        }
        Settlement::Paid { reference, captured } => {
            let mut events =
                vec![PaymentEvent::authorization(total, now, EventOutcome::Succeeded, Some(reference.clone()), &key)];
            if captured.minor > 0 {
                let capture_key = format!("{key}-capture");
                events.push(PaymentEvent::succeeded(
                    PaymentEventKind::Capture,
                    captured,
                    now,
                    Some(reference),
                    &capture_key,
                ));
            }
            (events, true, EventOutcome::Succeeded)
        }
        Settlement::Failed(reason) => {
            let declined = EventOutcome::Declined(reason);
            (vec![PaymentEvent::authorization(total, now, declined, Some(session.id.clone()), &key)], false, declined)
        }
    };
    let payment = Payment::replay(total, &events).map_err(super::internal)?;
    let update = PaymentUpdate {
        order_id: row.order_id,
        payment_id: row.payment_id,
        events,
        payment_status: payment.status,
        captured_minor: payment.captured.minor,
        gateway_reference: payment.gateway_reference.clone().or_else(|| Some(session.id.clone())),
        order_status: if paid { OrderStatus::Paid } else { OrderStatus::PaymentFailed },
        part_status: if paid { PartStatus::Paid } else { PartStatus::Cancelled },
        release_stock: !paid,
        outcome: outcome.as_str().into(),
        claim: claim.clone(),
        now,
    };
    match shop.orders.settle_hosted(&session.id, &update).await.map_err(store_err)? {
        // Settled before (the webhook and the browser raced, or a webhook came twice).
        None => current(shop, &number).await,
        Some(PaymentRecorded::Applied) if paid => {
            confirm(shop, &row, &number, total, now).await;
            super::store_notices::new_order(shop, &number, now).await;
            Ok(Settled::Paid { number })
        }
        Some(PaymentRecorded::Applied) => {
            Ok(Settled::Failed { number, message: DeclineReason::NotCompleted.message().into() })
        }
        Some(PaymentRecorded::OrderClosed { status }) => {
            // The reservation ran out first: whatever was taken goes back.
            let late =
                LatePayment { payment_id: row.payment_id, payment, number: &number, order_status: status, claim, now };
            let stored =
                give_back_late_payment(shop.orders.as_ref(), shop.gateway.as_ref(), late, &key, outcome).await?;
            let message = super::checkout::stored_message(stored);
            Ok(Settled::Failed { number, message })
        }
    }
}

/// The order as it stands, for a settlement that found nothing (more) to do.
async fn current(shop: &Shop, number: &str) -> Result<Settled, AppError> {
    let row = shop
        .orders
        .hosted_payment(number)
        .await
        .map_err(store_err)?
        .ok_or_else(|| AppError::NotFound("There is no order for that payment.".into()))?;
    let number = number.to_string();
    Ok(match row.order_status {
        OrderStatus::AwaitingPayment => Settled::Pending { number },
        OrderStatus::PaymentFailed | OrderStatus::Expired => {
            Settled::Failed { number, message: DeclineReason::NotCompleted.message().into() }
        }
        _ => Settled::Paid { number },
    })
}

/// Queues the confirmation of an order just paid on the provider's page. A guest's link gets a
/// fresh access key (only hashes are stored, so the one given at checkout cannot be read back).
async fn confirm(shop: &Shop, row: &HostedPaymentRow, number: &str, total: Money, now: i64) {
    let lines: Vec<MessageLine> = match shop.orders.order(number).await {
        Ok(Some(record)) => record
            .order
            .parts
            .iter()
            .flat_map(|p| &p.lines)
            .map(|l| MessageLine { title: l.title.clone(), quantity: l.quantity, line_total: l.line_total })
            .collect(),
        Ok(None) => return,
        Err(e) => {
            tracing::error!(order = number, error = %e, "could not read a paid order for its confirmation");
            return;
        }
    };
    let guest_key = match row.user_id {
        Some(_) => None,
        None => {
            let key = super::passwords::new_token();
            match shop.orders.add_access_key(row.order_id, &super::passwords::token_hash(&key), now).await {
                Ok(true) => Some(key),
                _ => None,
            }
        }
    };
    let to = Confirmation { number, email: &row.email, lines, total, guest_key: guest_key.as_deref() };
    queue_confirmation(&shop.checkout, to, now).await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_session_ids_are_looked_up() {
        assert!(super::valid_session_id("cs_test_a1B2c3D4e5"));
        for bad in ["", "short", "cs_test_../../x", "cs test 12345", "cs_test_%00abcdef"] {
            assert!(!super::valid_session_id(bad), "{bad:?}");
        }
        assert!(!super::valid_session_id(&"a".repeat(201)));
    }
}
