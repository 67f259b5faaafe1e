//! The payment gateway port and the built-in test gateway.
//!
//! A gateway sees only what a charge needs: the checked card, the amount and an idempotency key
//! (never the shopper, the address or the order). Every call returns a `GatewayOutcome` that maps
//! straight onto a `PaymentEvent`. The trait is synchronous; an adapter for a real provider lives in
//! the server and can block on its HTTP client or be wrapped in `spawn_blocking`.
//!
//! `TestGateway` is deterministic and stateless, so it is pure and lives here. Like Stripe's test
//! mode, it declines only the documented test cards below; any other Luhn-valid number is approved,
//! so demos and load tests can use any well-formed number. References are derived from the
//! idempotency key, so a retried call with the same key returns the same reference — which is how a
//! real gateway behaves and what the idempotency tests rely on. Having no state, it cannot check
//! that a capture matches an authorization; the payment state machine does that before calling.
use super::card::CardDetails;
use super::idempotency::fnv1a64;
use super::money::Money;
use super::payment::{DeclineReason, EventOutcome};
use serde::{Deserialize, Serialize};

/// The gateway's answer: its reference for the charge (or refund), and whether it went through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayOutcome {
    pub reference: String,
    pub outcome: EventOutcome,
}

impl GatewayOutcome {
    pub fn is_approved(&self) -> bool {
        self.outcome == EventOutcome::Succeeded
    }

    /// What to tell the shopper when it was not approved.
    pub fn decline_message(&self) -> Option<&'static str> {
        match self.outcome {
            EventOutcome::Succeeded => None,
            EventOutcome::Declined(reason) => Some(reason.message()),
        }
    }
}

pub trait PaymentGateway: Send + Sync {
    /// Stored with each payment, e.g. "test".
    fn name(&self) -> &'static str;
    /// Places a hold of `amount` on the card.
    fn authorize(&self, card: &CardDetails, amount: Money, idempotency_key: &str) -> GatewayOutcome;
    /// Takes `amount` (at most the hold) of the authorized charge `reference`.
    fn capture(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome;
    /// Releases the hold of an authorized, uncaptured charge.
    fn void(&self, reference: &str, idempotency_key: &str) -> GatewayOutcome;
    /// Returns `amount` of a captured charge to the card.
    fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome;
}

/// A documented test card, for the checkout page's help text and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestCard {
    pub number: &'static str,
    pub outcome: EventOutcome,
    pub description: &'static str,
}

pub const TEST_CARDS: [TestCard; 4] = [
    TestCard { number: "4242 4242 4242 4242", outcome: EventOutcome::Succeeded, description: "Payment succeeds" },
    TestCard {
        number: "4000 0000 0000 0002",
        outcome: EventOutcome::Declined(DeclineReason::CardDeclined),
        description: "Declined",
    },
    TestCard {
        number: "4000 0000 0000 9995",
        outcome: EventOutcome::Declined(DeclineReason::InsufficientFunds),
        description: "Insufficient funds",
    },
    TestCard {
        number: "4000 0000 0000 0119",
        outcome: EventOutcome::Declined(DeclineReason::ProcessingError),
        description: "Processing error",
    },
];

/// What the test gateway answers for a card number (digits only).
pub fn test_card_outcome(digits: &str) -> EventOutcome {
    TEST_CARDS
        .iter()
        .find(|c| c.number.bytes().filter(u8::is_ascii_digit).eq(digits.bytes()))
        .map(|c| c.outcome)
        .unwrap_or(EventOutcome::Succeeded)
}

const CHARGE_PREFIX: &str = "tg_ch_";
const REFUND_PREFIX: &str = "tg_re_";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestGateway;

impl TestGateway {
    /// `prefix` + 16 hex digits of FNV-1a over the operation and the key: the same key gives the
    /// same reference, different operations with one key do not collide.
    fn reference(prefix: &str, operation: &str, key: &str) -> String {
        let mut input = Vec::with_capacity(operation.len() + 1 + key.len());
        input.extend_from_slice(operation.as_bytes());
        input.push(0);
        input.extend_from_slice(key.as_bytes());
        format!("{prefix}{:016x}", fnv1a64(&input))
    }

    fn is_charge(reference: &str) -> bool {
        reference.strip_prefix(CHARGE_PREFIX).is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    fn error(reference: String) -> GatewayOutcome {
        GatewayOutcome { reference, outcome: EventOutcome::Declined(DeclineReason::ProcessingError) }
    }
}

impl PaymentGateway for TestGateway {
    fn name(&self) -> &'static str {
        "test"
    }

    fn authorize(&self, card: &CardDetails, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        let reference = TestGateway::reference(CHARGE_PREFIX, "authorize", idempotency_key);
        if amount.minor <= 0 {
            return TestGateway::error(reference);
        }
        GatewayOutcome { reference, outcome: test_card_outcome(card.number()) }
    }

    fn capture(&self, reference: &str, amount: Money, _idempotency_key: &str) -> GatewayOutcome {
        if !TestGateway::is_charge(reference) || amount.minor <= 0 {
            return TestGateway::error(reference.to_string());
        }
        GatewayOutcome { reference: reference.to_string(), outcome: EventOutcome::Succeeded }
    }

    fn void(&self, reference: &str, _idempotency_key: &str) -> GatewayOutcome {
        let outcome = if TestGateway::is_charge(reference) {
            EventOutcome::Succeeded
        } else {
            EventOutcome::Declined(DeclineReason::ProcessingError)
        };
        GatewayOutcome { reference: reference.to_string(), outcome }
    }

    fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        let refund = TestGateway::reference(REFUND_PREFIX, "refund", idempotency_key);
        if !TestGateway::is_charge(reference) || amount.minor <= 0 {
            return TestGateway::error(refund);
        }
        GatewayOutcome { reference: refund, outcome: EventOutcome::Succeeded }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::card::{CardInput, YearMonth, validate_card};
    use crate::domain::money::Currency;
    use crate::domain::payment::{Payment, PaymentEvent, PaymentEventKind, PaymentStatus};

    fn card(number: &str) -> CardDetails {
        let cvc = if number.starts_with('3') { "1234" } else { "123" };
        let input = CardInput { number: number.into(), expiry: "12/30".into(), cvc: cvc.into(), name: String::new() };
        validate_card(&input, YearMonth::new(2026, 11)).unwrap()
    }

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    #[test]
    fn documented_test_cards_behave_as_documented() {
        let gw = TestGateway;
        let answer = |n: &str| gw.authorize(&card(n), usd(1999), "checkout-key-1");
        assert!(answer("4242 4242 4242 4242").is_approved());
        let declined = answer("4000 0000 0000 0002");
        assert_eq!(declined.outcome, EventOutcome::Declined(DeclineReason::CardDeclined));
        assert_eq!(declined.decline_message(), Some("Your card was declined."));
        assert_eq!(answer("4000000000009995").outcome, EventOutcome::Declined(DeclineReason::InsufficientFunds));
        assert_eq!(answer("4000-0000-0000-0119").outcome, EventOutcome::Declined(DeclineReason::ProcessingError));
        // Every documented number passes card validation (the checkout form must accept them).
        for c in TEST_CARDS {
            assert_eq!(test_card_outcome(card(c.number).number()), c.outcome, "{}", c.number);
        }
    }

    #[test]
    fn any_other_valid_number_is_approved() {
        let gw = TestGateway;
        for n in ["5555 5555 5555 4444", "3782 822463 10005", "6011 1111 1111 1117", "4000 0000 0000 0010"] {
            assert!(gw.authorize(&card(n), usd(500), "key-abcdefgh").is_approved(), "{n}");
        }
        assert!(!gw.authorize(&card("4242424242424242"), usd(0), "key-abcdefgh").is_approved(), "zero amount");
    }

    #[test]
    fn references_follow_the_idempotency_key() {
        let gw = TestGateway;
        let c = card("4242424242424242");
        let first = gw.authorize(&c, usd(1000), "key-0001");
        assert_eq!(gw.authorize(&c, usd(1000), "key-0001"), first, "a retry gets the same reference");
        assert_ne!(gw.authorize(&c, usd(1000), "key-0002").reference, first.reference);
        assert!(first.reference.starts_with("tg_ch_") && first.reference.len() == 22);
        // Declines get a reference too (it goes into the failed event row).
        assert!(gw.authorize(&card("4000000000000002"), usd(1000), "key-0001").reference.starts_with("tg_ch_"));
        let r1 = gw.refund(&first.reference, usd(100), "refund-1");
        assert!(r1.is_approved() && r1.reference.starts_with("tg_re_"));
        assert_eq!(gw.refund(&first.reference, usd(100), "refund-1"), r1);
        assert_ne!(gw.refund(&first.reference, usd(100), "refund-2").reference, r1.reference);
        assert_ne!(gw.refund(&first.reference, usd(100), "key-0001").reference, first.reference);
    }

    #[test]
    fn unknown_charges_cannot_be_captured_voided_or_refunded() {
        let gw = TestGateway;
        for bad in ["", "ch_123", "tg_ch_xyz", "tg_re_0123456789abcdef"] {
            assert!(!gw.capture(bad, usd(100), "k").is_approved(), "{bad:?}");
            assert!(!gw.void(bad, "k").is_approved(), "{bad:?}");
            assert!(!gw.refund(bad, usd(100), "k").is_approved(), "{bad:?}");
        }
    }

    #[test]
    fn outcomes_drive_the_payment_state_machine() {
        let gw = TestGateway;
        let amount = usd(2500);
        let auth = gw.authorize(&card("4242424242424242"), amount, "idem-key-1");
        let p = Payment::new(amount).unwrap();
        let p = p
            .apply(&PaymentEvent::authorization(amount, 10, auth.outcome, Some(auth.reference.clone()), "idem-key-1"))
            .unwrap();
        let cap = gw.capture(&auth.reference, amount, "idem-key-1-capture");
        let p =
            p.apply(&PaymentEvent::succeeded(PaymentEventKind::Capture, amount, 11, Some(cap.reference), "c")).unwrap();
        assert_eq!((p.status, p.captured), (PaymentStatus::Captured, amount));

        let declined = gw.authorize(&card("4000000000009995"), amount, "idem-key-2");
        let q = Payment::new(amount).unwrap();
        let q = q
            .apply(&PaymentEvent::authorization(amount, 10, declined.outcome, Some(declined.reference), "idem-key-2"))
            .unwrap();
        assert_eq!(q.status, PaymentStatus::Failed);
    }

    #[test]
    fn the_gateway_is_usable_as_a_trait_object() {
        let gw: Box<dyn PaymentGateway> = Box::new(TestGateway);
        assert_eq!(gw.name(), "test");
    }
}
