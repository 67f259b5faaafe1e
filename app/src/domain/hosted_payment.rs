//! A payment taken on the provider's hosted page (Stripe Checkout): what the provider reports
//! about its session, and what that means for our order.
//!
//! The shopper never types a card on our pages. Checkout reserves the stock and writes the order
//! awaiting payment, asks the provider for a session and sends the browser there; the provider
//! then tells us how it ended, by a signed webhook and when the browser comes back. Both read the
//! session from the provider's API (never from the browser) and end in [`settlement`], so the
//! order is settled by the same rule whichever arrives first, and only once (the store records the
//! session's settlement under its own idempotency key).
use super::money::{Currency, Money};
use super::payment::DeclineReason;

/// Where the provider's session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// The shopper has not paid yet (or is still on the page).
    Open,
    /// The shopper finished; see the payment.
    Complete,
    /// It ran out or was closed without a payment.
    Expired,
}

/// The provider's payment behind a completed session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderPaymentStatus {
    /// Authorized and held, waiting for a capture (manual capture).
    RequiresCapture,
    /// Captured.
    Succeeded,
    Canceled,
    /// Anything else (still processing, needs an action): not paid yet.
    Processing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPayment {
    /// What captures, voids and refunds name (Stripe: the PaymentIntent's id).
    pub reference: String,
    pub status: ProviderPaymentStatus,
    /// What the payment is for, in minor units.
    pub amount_minor: i64,
    /// What was taken so far.
    pub received_minor: i64,
}

/// A hosted session as the provider reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostedSession {
    pub id: String,
    /// Our order number, as we gave it when creating the session.
    pub order_number: Option<String>,
    /// The checkout's idempotency key, as we gave it.
    pub checkout_key: Option<String>,
    pub state: SessionState,
    pub amount_minor: i64,
    /// Lower-case ISO code as the provider spells it.
    pub currency: String,
    pub payment: Option<ProviderPayment>,
}

/// What a session means for the order awaiting it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Nothing to do yet: the shopper has not finished.
    Pending,
    /// Paid: the payment is authorized (manual capture) or captured.
    Paid { reference: String, captured: Money },
    /// Not paid: the session ran out or the payment was cancelled; the stock goes back.
    Failed(DeclineReason),
    /// The provider's figures are not the order's (amount or currency): never mark such an
    /// order paid; the reason goes to the log for someone to look at.
    Mismatch(String),
}

/// The order's fate from its session. `total` is what the order asked for.
pub fn settlement(session: &HostedSession, total: Money) -> Settlement {
    let currency = Currency::parse(&session.currency.to_ascii_uppercase()).ok();
    if currency != Some(total.currency) || session.amount_minor != total.minor {
        return Settlement::Mismatch(format!(
            "session {} is for {} {}, the order for {} {}",
            session.id,
            session.amount_minor,
            session.currency,
            total.minor,
            total.currency.code()
        ));
    }
    match (session.state, &session.payment) {
        (SessionState::Open, _) => Settlement::Pending,
        (SessionState::Expired, _) => Settlement::Failed(DeclineReason::NotCompleted),
        (SessionState::Complete, None) => Settlement::Pending,
        (SessionState::Complete, Some(p)) => {
            if p.amount_minor != total.minor {
                return Settlement::Mismatch(format!(
                    "payment {} is for {}, the order for {}",
                    p.reference, p.amount_minor, total.minor
                ));
            }
            match p.status {
                ProviderPaymentStatus::RequiresCapture => {
                    Settlement::Paid { reference: p.reference.clone(), captured: Money::new(0, total.currency) }
                }
                ProviderPaymentStatus::Succeeded => Settlement::Paid {
                    reference: p.reference.clone(),
                    captured: Money::new(p.received_minor.clamp(0, total.minor), total.currency),
                },
                ProviderPaymentStatus::Canceled => Settlement::Failed(DeclineReason::NotCompleted),
                ProviderPaymentStatus::Processing => Settlement::Pending,
            }
        }
    }
}

/// Stripe's minimum lifetime of a Checkout Session is 30 minutes; the order holds its stock a
/// little longer than its session lives, so a shopper paying in the session's last minute still
/// finds the stock reserved.
pub const MIN_SESSION_SECS: i64 = 30 * 60;
const SESSION_SLACK_SECS: i64 = 5 * 60;

/// (session expires at, stock reserved until) for a checkout at `now` with the marketplace's
/// reservation window.
pub fn session_window(now: i64, reservation_secs: i64) -> (i64, i64) {
    let expires = now + reservation_secs.max(MIN_SESSION_SECS + SESSION_SLACK_SECS);
    (expires, expires + SESSION_SLACK_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn session(state: SessionState, payment: Option<(ProviderPaymentStatus, i64)>) -> HostedSession {
        HostedSession {
            id: "cs_test_1".into(),
            order_number: Some("MM-1".into()),
            checkout_key: Some("key-1".into()),
            state,
            amount_minor: 2599,
            currency: "usd".into(),
            payment: payment.map(|(status, received)| ProviderPayment {
                reference: "pi_1".into(),
                status,
                amount_minor: 2599,
                received_minor: received,
            }),
        }
    }

    #[test]
    fn a_completed_session_pays_the_order() {
        let captured =
            settlement(&session(SessionState::Complete, Some((ProviderPaymentStatus::Succeeded, 2599))), usd(2599));
        assert_eq!(captured, Settlement::Paid { reference: "pi_1".into(), captured: usd(2599) });
        let held =
            settlement(&session(SessionState::Complete, Some((ProviderPaymentStatus::RequiresCapture, 0))), usd(2599));
        assert_eq!(held, Settlement::Paid { reference: "pi_1".into(), captured: usd(0) });
    }

    #[test]
    fn open_or_processing_sessions_wait() {
        assert_eq!(settlement(&session(SessionState::Open, None), usd(2599)), Settlement::Pending);
        assert_eq!(settlement(&session(SessionState::Complete, None), usd(2599)), Settlement::Pending);
        let processing = session(SessionState::Complete, Some((ProviderPaymentStatus::Processing, 0)));
        assert_eq!(settlement(&processing, usd(2599)), Settlement::Pending);
    }

    #[test]
    fn expired_or_cancelled_sessions_fail_the_order() {
        let failed = Settlement::Failed(DeclineReason::NotCompleted);
        assert_eq!(settlement(&session(SessionState::Expired, None), usd(2599)), failed);
        let cancelled = session(SessionState::Complete, Some((ProviderPaymentStatus::Canceled, 0)));
        assert_eq!(settlement(&cancelled, usd(2599)), failed);
    }

    #[test]
    fn figures_that_differ_from_the_order_never_pay_it() {
        let paid = session(SessionState::Complete, Some((ProviderPaymentStatus::Succeeded, 2599)));
        assert!(matches!(settlement(&paid, usd(2600)), Settlement::Mismatch(_)));
        assert!(matches!(settlement(&paid, Money::new(2599, Currency::EUR)), Settlement::Mismatch(_)));
        let mut odd = paid.clone();
        odd.currency = "zzz".into();
        assert!(matches!(settlement(&odd, usd(2599)), Settlement::Mismatch(_)));
        let mut short = paid;
        if let Some(p) = short.payment.as_mut() {
            p.amount_minor = 1;
        }
        assert!(matches!(settlement(&short, usd(2599)), Settlement::Mismatch(_)));
    }

    #[test]
    fn the_stock_outlives_the_session() {
        let (expires, reserved) = session_window(1_000, 15 * 60);
        assert!(expires - 1_000 >= MIN_SESSION_SECS, "the provider refuses shorter sessions");
        assert!(reserved > expires);
        let (expires, _) = session_window(1_000, 2 * 3600);
        assert_eq!(expires, 1_000 + 2 * 3600, "a longer reservation is kept");
    }
}
