//! The payment state machine. A payment's status is a fold over its events: every transition is a
//! `PaymentEvent` row (amount, time, gateway reference, idempotency key, outcome), and
//! `Payment::apply` refuses any event the current status does not allow, and any capture or refund
//! larger than what is left, so the stored history can never describe an impossible payment.
//!
//! ```text
//! pending ──authorize──▶ authorized ──capture──▶ captured ──refund──▶ partially_refunded ─┐
//!    │                        │                      │                     ▲  │ refund     │
//!    └──fail──▶ failed        └──void──▶ voided      └──refund (all)──▶ refunded ◀─────────┘
//! ```
use super::money::{Currency, Money};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentStatus {
    Pending,
    Authorized,
    Captured,
    PartiallyRefunded,
    Refunded,
    Voided,
    Failed,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Pending,
        PaymentStatus::Authorized,
        PaymentStatus::Captured,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Voided,
        PaymentStatus::Failed,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Voided => "voided",
            PaymentStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "Pending",
            PaymentStatus::Authorized => "Authorized",
            PaymentStatus::Captured => "Paid",
            PaymentStatus::PartiallyRefunded => "Partially refunded",
            PaymentStatus::Refunded => "Refunded",
            PaymentStatus::Voided => "Cancelled",
            PaymentStatus::Failed => "Failed",
        }
    }

    /// No event can move a payment out of these.
    pub fn is_final(self) -> bool {
        matches!(self, PaymentStatus::Refunded | PaymentStatus::Voided | PaymentStatus::Failed)
    }
}

/// Which transition an event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentEventKind {
    Authorize,
    Fail,
    Capture,
    Void,
    Refund,
}

impl PaymentEventKind {
    pub const ALL: [PaymentEventKind; 5] = [
        PaymentEventKind::Authorize,
        PaymentEventKind::Fail,
        PaymentEventKind::Capture,
        PaymentEventKind::Void,
        PaymentEventKind::Refund,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentEventKind::Authorize => "authorize",
            PaymentEventKind::Fail => "fail",
            PaymentEventKind::Capture => "capture",
            PaymentEventKind::Void => "void",
            PaymentEventKind::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentEventKind> {
        PaymentEventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// For messages: "Cannot {verb} a payment that is …".
    pub fn verb(self) -> &'static str {
        match self {
            PaymentEventKind::Authorize => "authorize",
            PaymentEventKind::Fail => "mark as failed",
            PaymentEventKind::Capture => "capture",
            PaymentEventKind::Void => "void",
            PaymentEventKind::Refund => "refund",
        }
    }
}

/// Why a gateway said no. The messages are the ones a shopper sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeclineReason {
    CardDeclined,
    InsufficientFunds,
    ProcessingError,
    /// The shopper left the provider's payment page, or it expired, without paying.
    NotCompleted,
}

impl DeclineReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::CardDeclined => "card_declined",
            DeclineReason::InsufficientFunds => "insufficient_funds",
            DeclineReason::ProcessingError => "processing_error",
            DeclineReason::NotCompleted => "not_completed",
        }
    }

    pub fn parse(s: &str) -> Option<DeclineReason> {
        [
            DeclineReason::CardDeclined,
            DeclineReason::InsufficientFunds,
            DeclineReason::ProcessingError,
            DeclineReason::NotCompleted,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn message(self) -> &'static str {
        match self {
            DeclineReason::CardDeclined => "Your card was declined.",
            DeclineReason::InsufficientFunds => "Your card has insufficient funds.",
            DeclineReason::ProcessingError => {
                "An error occurred while processing your card. Please try again in a moment."
            }
            DeclineReason::NotCompleted => {
                "The payment was not completed, so nothing was charged and the order was not placed. Your cart is as \
                 you left it."
            }
        }
    }
}

/// What the gateway answered for this event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventOutcome {
    Succeeded,
    Declined(DeclineReason),
}

impl EventOutcome {
    /// `succeeded`, or the decline reason's name: one text column in the event table.
    pub fn as_str(self) -> &'static str {
        match self {
            EventOutcome::Succeeded => "succeeded",
            EventOutcome::Declined(r) => r.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<EventOutcome> {
        if s == "succeeded" {
            Some(EventOutcome::Succeeded)
        } else {
            DeclineReason::parse(s).map(EventOutcome::Declined)
        }
    }
}

/// One row of a payment's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    pub kind: PaymentEventKind,
    pub amount: Money,
    /// Unix seconds.
    pub at: i64,
    pub gateway_reference: Option<String>,
    pub idempotency_key: String,
    pub outcome: EventOutcome,
}

impl PaymentEvent {
    /// The event for an authorization attempt: `Authorize` when approved, `Fail` when declined.
    pub fn authorization(amount: Money, at: i64, outcome: EventOutcome, reference: Option<String>, key: &str) -> Self {
        let kind = match outcome {
            EventOutcome::Succeeded => PaymentEventKind::Authorize,
            EventOutcome::Declined(_) => PaymentEventKind::Fail,
        };
        PaymentEvent { kind, amount, at, gateway_reference: reference, idempotency_key: key.to_string(), outcome }
    }

    /// A successful capture, void or refund.
    pub fn succeeded(kind: PaymentEventKind, amount: Money, at: i64, reference: Option<String>, key: &str) -> Self {
        PaymentEvent {
            kind,
            amount,
            at,
            gateway_reference: reference,
            idempotency_key: key.to_string(),
            outcome: EventOutcome::Succeeded,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("Cannot {} a payment that is {}.", .kind.verb(), .from.label().to_lowercase())]
    IllegalTransition { from: PaymentStatus, kind: PaymentEventKind },
    #[error("A payment amount must be greater than zero.")]
    NonPositiveAmount,
    #[error("The amount to {} must be greater than zero.", .0.verb())]
    NonPositiveEventAmount(PaymentEventKind),
    #[error("This payment is in {expected}; the {got} amount cannot be applied to it.")]
    CurrencyMismatch { expected: Currency, got: Currency },
    #[error("Cannot {} {got}: the payment is for {expected}.", .kind.verb())]
    AmountMismatch { kind: PaymentEventKind, expected: Money, got: Money },
    #[error("Cannot capture {requested}: only {authorized} was authorized.")]
    OverCapture { requested: Money, authorized: Money },
    #[error("Cannot refund {requested}: only {refundable} is left to refund.")]
    OverRefund { requested: Money, refundable: Money },
    #[error("A {} event must record {}.", .0.as_str(), if *.0 == PaymentEventKind::Fail { "a decline" } else { "a success" })]
    OutcomeMismatch(PaymentEventKind),
}

/// A payment's current state: its status and running totals, all in the payment's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub status: PaymentStatus,
    /// The amount asked for (and, once authorized, held on the card).
    pub amount: Money,
    pub captured: Money,
    pub refunded: Money,
    /// The gateway's charge reference, from the authorization.
    pub gateway_reference: Option<String>,
}

impl Payment {
    pub fn new(amount: Money) -> Result<Payment, PaymentError> {
        if amount.minor <= 0 {
            return Err(PaymentError::NonPositiveAmount);
        }
        let zero = Money::new(0, amount.currency);
        Ok(Payment { status: PaymentStatus::Pending, amount, captured: zero, refunded: zero, gateway_reference: None })
    }

    /// Rebuilds a payment from its stored history; the first bad event is the error.
    pub fn replay<'a>(
        amount: Money,
        events: impl IntoIterator<Item = &'a PaymentEvent>,
    ) -> Result<Payment, PaymentError> {
        events.into_iter().try_fold(Payment::new(amount)?, |p, e| p.apply(e))
    }

    /// Captured minus refunded: what a refund may still return.
    pub fn refundable(&self) -> Money {
        Money::new(self.captured.minor - self.refunded.minor, self.amount.currency)
    }

    /// Whether `kind` is allowed from the current status at all (amounts aside).
    pub fn allows(&self, kind: PaymentEventKind) -> bool {
        use PaymentEventKind as K;
        use PaymentStatus as S;
        matches!(
            (self.status, kind),
            (S::Pending, K::Authorize | K::Fail)
                | (S::Authorized, K::Capture | K::Void)
                | (S::Captured | S::PartiallyRefunded, K::Refund)
        )
    }

    /// The payment after `event`, or why the event cannot happen. `self` is left untouched.
    pub fn apply(&self, event: &PaymentEvent) -> Result<Payment, PaymentError> {
        use PaymentEventKind as K;
        if !self.allows(event.kind) {
            return Err(PaymentError::IllegalTransition { from: self.status, kind: event.kind });
        }
        let want_decline = event.kind == K::Fail;
        if matches!(event.outcome, EventOutcome::Declined(_)) != want_decline {
            return Err(PaymentError::OutcomeMismatch(event.kind));
        }
        if event.amount.currency != self.amount.currency {
            return Err(PaymentError::CurrencyMismatch { expected: self.amount.currency, got: event.amount.currency });
        }
        if event.amount.minor <= 0 {
            return Err(PaymentError::NonPositiveEventAmount(event.kind));
        }
        let mut next = self.clone();
        match event.kind {
            // Authorization, failure and void concern the whole amount asked for.
            K::Authorize | K::Fail | K::Void => {
                if event.amount != self.amount {
                    return Err(PaymentError::AmountMismatch {
                        kind: event.kind,
                        expected: self.amount,
                        got: event.amount,
                    });
                }
                next.status = match event.kind {
                    K::Authorize => PaymentStatus::Authorized,
                    K::Fail => PaymentStatus::Failed,
                    _ => PaymentStatus::Voided,
                };
                if event.kind == K::Authorize {
                    next.gateway_reference = event.gateway_reference.clone();
                }
            }
            // A partial capture is allowed; the rest of the hold is released by the gateway.
            K::Capture => {
                if event.amount.minor > self.amount.minor {
                    return Err(PaymentError::OverCapture { requested: event.amount, authorized: self.amount });
                }
                next.captured = event.amount;
                next.status = PaymentStatus::Captured;
            }
            K::Refund => {
                let refundable = self.refundable();
                if event.amount.minor > refundable.minor {
                    return Err(PaymentError::OverRefund { requested: event.amount, refundable });
                }
                next.refunded = Money::new(self.refunded.minor + event.amount.minor, self.amount.currency);
                next.status = if next.refunded == next.captured {
                    PaymentStatus::Refunded
                } else {
                    PaymentStatus::PartiallyRefunded
                };
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_tables::{check_every_pair, names_round_trip as round_trips};
    use PaymentEventKind as K;
    use PaymentStatus as S;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn ev(kind: K, minor: i64) -> PaymentEvent {
        let outcome =
            if kind == K::Fail { EventOutcome::Declined(DeclineReason::CardDeclined) } else { EventOutcome::Succeeded };
        PaymentEvent {
            kind,
            amount: usd(minor),
            at: 1,
            gateway_reference: Some("ch_1".into()),
            idempotency_key: "k".into(),
            outcome,
        }
    }

    /// A $100 payment driven into `status` through legal events.
    fn payment_in(status: S) -> Payment {
        let path: &[(K, i64)] = match status {
            S::Pending => &[],
            S::Authorized => &[(K::Authorize, 10_000)],
            S::Captured => &[(K::Authorize, 10_000), (K::Capture, 10_000)],
            S::PartiallyRefunded => &[(K::Authorize, 10_000), (K::Capture, 10_000), (K::Refund, 2_500)],
            S::Refunded => &[(K::Authorize, 10_000), (K::Capture, 10_000), (K::Refund, 10_000)],
            S::Voided => &[(K::Authorize, 10_000), (K::Void, 10_000)],
            S::Failed => &[(K::Fail, 10_000)],
        };
        let events: Vec<PaymentEvent> = path.iter().map(|(k, m)| ev(*k, *m)).collect();
        let p = Payment::replay(usd(10_000), &events).unwrap();
        assert_eq!(p.status, status);
        p
    }

    /// An amount that is valid for `kind` whenever `kind` is legal.
    fn valid_amount(kind: K) -> i64 {
        if kind == K::Refund { 1_000 } else { 10_000 }
    }

    #[test]
    fn every_state_and_transition_pair_is_checked() {
        let legal: &[(S, K, S)] = &[
            (S::Pending, K::Authorize, S::Authorized),
            (S::Pending, K::Fail, S::Failed),
            (S::Authorized, K::Capture, S::Captured),
            (S::Authorized, K::Void, S::Voided),
            (S::Captured, K::Refund, S::PartiallyRefunded),
            (S::PartiallyRefunded, K::Refund, S::PartiallyRefunded),
        ];
        let apply = |from, kind| {
            let before = payment_in(from);
            let result = before.apply(&ev(kind, valid_amount(kind)));
            assert_eq!(before.allows(kind), result.is_ok(), "allows() agrees with apply() for {from:?} --{kind:?}-->");
            result.map(|after| after.status)
        };
        check_every_pair(&S::ALL, &K::ALL, legal, apply, |from, kind| PaymentError::IllegalTransition { from, kind });
        assert_eq!(S::ALL.len() * K::ALL.len(), 35);
    }

    #[test]
    fn full_refunds_end_in_refunded_from_both_refundable_states() {
        let p = payment_in(S::Captured).apply(&ev(K::Refund, 10_000)).unwrap();
        assert_eq!((p.status, p.refunded.minor, p.refundable().minor), (S::Refunded, 10_000, 0));
        let p = payment_in(S::PartiallyRefunded).apply(&ev(K::Refund, 7_500)).unwrap();
        assert_eq!(p.status, S::Refunded);
        let p = payment_in(S::PartiallyRefunded).apply(&ev(K::Refund, 7_499)).unwrap();
        assert_eq!((p.status, p.refundable().minor), (S::PartiallyRefunded, 1));
    }

    #[test]
    fn over_refunds_and_over_captures_are_refused_with_amounts() {
        let err = payment_in(S::PartiallyRefunded).apply(&ev(K::Refund, 7_501)).unwrap_err();
        assert_eq!(err.to_string(), "Cannot refund $75.01: only $75.00 is left to refund.");
        let err = payment_in(S::Authorized).apply(&ev(K::Capture, 10_001)).unwrap_err();
        assert_eq!(err.to_string(), "Cannot capture $100.01: only $100.00 was authorized.");
        // A partial capture limits later refunds to what was captured.
        let p = payment_in(S::Authorized).apply(&ev(K::Capture, 6_000)).unwrap();
        assert!(matches!(p.apply(&ev(K::Refund, 6_001)), Err(PaymentError::OverRefund { .. })));
        assert_eq!(p.apply(&ev(K::Refund, 6_000)).unwrap().status, S::Refunded);
    }

    #[test]
    fn amounts_must_be_positive_whole_and_in_the_payment_currency() {
        assert_eq!(Payment::new(usd(0)), Err(PaymentError::NonPositiveAmount));
        assert!(matches!(
            payment_in(S::Captured).apply(&ev(K::Refund, 0)),
            Err(PaymentError::NonPositiveEventAmount(K::Refund))
        ));
        assert!(matches!(
            payment_in(S::Captured).apply(&ev(K::Refund, -5)),
            Err(PaymentError::NonPositiveEventAmount(_))
        ));
        let mut eur = ev(K::Authorize, 10_000);
        eur.amount = Money::new(10_000, Currency::EUR);
        assert!(matches!(payment_in(S::Pending).apply(&eur), Err(PaymentError::CurrencyMismatch { .. })));
        let err = payment_in(S::Pending).apply(&ev(K::Authorize, 9_999)).unwrap_err();
        assert_eq!(err.to_string(), "Cannot authorize $99.99: the payment is for $100.00.");
        assert!(matches!(payment_in(S::Authorized).apply(&ev(K::Void, 1)), Err(PaymentError::AmountMismatch { .. })));
    }

    #[test]
    fn outcomes_must_match_the_transition() {
        let mut declined_auth = ev(K::Authorize, 10_000);
        declined_auth.outcome = EventOutcome::Declined(DeclineReason::InsufficientFunds);
        assert_eq!(payment_in(S::Pending).apply(&declined_auth), Err(PaymentError::OutcomeMismatch(K::Authorize)));
        let mut succeeded_fail = ev(K::Fail, 10_000);
        succeeded_fail.outcome = EventOutcome::Succeeded;
        assert!(payment_in(S::Pending).apply(&succeeded_fail).is_err());
        let declined = EventOutcome::Declined(DeclineReason::CardDeclined);
        let e = PaymentEvent::authorization(usd(10_000), 5, declined, None, "key-1");
        assert_eq!(e.kind, K::Fail);
        assert_eq!(payment_in(S::Pending).apply(&e).unwrap().status, S::Failed);
    }

    #[test]
    fn apply_leaves_the_original_alone_and_keeps_the_reference() {
        let p = payment_in(S::Pending);
        let next = p.apply(&ev(K::Authorize, 10_000)).unwrap();
        assert_eq!(p.status, S::Pending);
        assert_eq!(next.gateway_reference.as_deref(), Some("ch_1"));
    }

    #[test]
    fn illegal_transitions_read_well() {
        let err = payment_in(S::Captured).apply(&ev(K::Void, 10_000)).unwrap_err();
        assert_eq!(err.to_string(), "Cannot void a payment that is paid.");
        let err = payment_in(S::Voided).apply(&ev(K::Refund, 1_000)).unwrap_err();
        assert_eq!(err.to_string(), "Cannot refund a payment that is cancelled.");
    }

    #[test]
    fn names_round_trip() {
        round_trips(&S::ALL, S::as_str, S::parse);
        round_trips(&K::ALL, K::as_str, K::parse);
        for o in [
            EventOutcome::Succeeded,
            EventOutcome::Declined(DeclineReason::CardDeclined),
            EventOutcome::Declined(DeclineReason::InsufficientFunds),
            EventOutcome::Declined(DeclineReason::ProcessingError),
        ] {
            assert_eq!(EventOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(S::parse("paid"), None);
        assert!(S::Refunded.is_final() && !S::PartiallyRefunded.is_final());
    }
}
