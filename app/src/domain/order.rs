//! Orders as a shopper and a merchant see them: an opaque order number, and one part per merchant
//! whose fulfilment status moves through a small state machine.
//!
//! Order numbers are 60 random bits in Crockford base32 (`MM-` + 12 characters): short enough to
//! read out over the phone, hard to guess, URL-safe, and free of I/L/O/U so a misread character
//! still parses. A number is a reference, not a credential: every store in the order sees it and
//! the shopper reads it out to support, so it opens nothing by itself (a guest's order opens
//! with its separate access key, a signed-in shopper's with their account). The random bytes are
//! a parameter: the server draws them from the OS, the domain stays pure and testable.
use serde::{Deserialize, Serialize};
use std::fmt;

pub const ORDER_NUMBER_PREFIX: &str = "MM-";
/// 12 × 5 bits = 60 random bits.
pub const ORDER_NUMBER_CHARS: usize = 12;
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The first `chars` × 5 bits of `bytes` (big-endian), in Crockford base32.
/// Panics if `bytes` holds fewer bits than asked for: that is a programming error, not input.
pub fn crockford_encode(bytes: &[u8], chars: usize) -> String {
    assert!(chars * 5 <= bytes.len() * 8, "{chars} base32 characters need {} bits", chars * 5);
    (0..chars)
        .map(|i| {
            let bit = i * 5;
            let window = (u16::from(bytes[bit / 8]) << 8) | u16::from(bytes.get(bit / 8 + 1).copied().unwrap_or(0));
            let value = (window >> (11 - bit % 8)) & 0x1f;
            CROCKFORD[value as usize] as char
        })
        .collect()
}

/// Crockford's decoding is forgiving: lower case, I/L for 1 and O for 0 are accepted.
fn crockford_normalize(c: char) -> Option<char> {
    let c = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        c => c,
    };
    (c.is_ascii() && CROCKFORD.contains(&(c as u8))).then_some(c)
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderNumber(String);

impl OrderNumber {
    pub fn generate(random: [u8; 8]) -> OrderNumber {
        OrderNumber(format!("{ORDER_NUMBER_PREFIX}{}", crockford_encode(&random, ORDER_NUMBER_CHARS)))
    }

    /// From a URL or a shopper's typing: case, the `MM-` prefix, dashes and spaces between
    /// groups, and I/L/O misreadings are forgiven; anything else is refused before a lookup.
    pub fn parse(raw: &str) -> Result<OrderNumber, String> {
        const MESSAGE: &str = "That is not an order number; order numbers look like MM-7K2Q9F4XR1BD.";
        let raw = raw.trim();
        if raw.len() > 40 {
            return Err(MESSAGE.into());
        }
        let upper = raw.to_ascii_uppercase();
        let body = upper.strip_prefix(ORDER_NUMBER_PREFIX).unwrap_or(&upper);
        let mut out = String::with_capacity(ORDER_NUMBER_PREFIX.len() + ORDER_NUMBER_CHARS);
        out.push_str(ORDER_NUMBER_PREFIX);
        for c in body.chars().filter(|c| *c != '-' && *c != ' ') {
            out.push(crockford_normalize(c).ok_or(MESSAGE)?);
        }
        if out.len() != ORDER_NUMBER_PREFIX.len() + ORDER_NUMBER_CHARS {
            return Err(MESSAGE.into());
        }
        Ok(OrderNumber(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where one merchant's part of an order stands. Each merchant fulfils its own part.
///
/// ```text
/// awaiting_payment ─payment_received─▶ paid ─start_processing─▶ processing
/// paid | processing | partially_shipped ─ship_partially─▶ partially_shipped
/// paid | processing | partially_shipped ─ship─▶ shipped ─deliver─▶ delivered
/// awaiting_payment | paid | processing ─cancel─▶ cancelled
/// partially_shipped | shipped | delivered ─refund─▶ refunded
/// ```
///
/// Cancelling stops at the first parcel: once anything has left, what remains is refunded line by
/// line instead (partial refunds move money, not the part's status). A full refund before
/// anything shipped is a cancellation, which also releases the stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartStatus {
    AwaitingPayment,
    Paid,
    Processing,
    PartiallyShipped,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

/// Where a whole order stands with its payment (fulfilment is its parts' business): placed and
/// awaiting the gateway, then paid, declined, expired unpaid, or cancelled part by part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    AwaitingPayment,
    Paid,
    PaymentFailed,
    Expired,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::Paid,
        OrderStatus::PaymentFailed,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::PaymentFailed => "payment_failed",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// What happens to a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartEvent {
    PaymentReceived,
    StartProcessing,
    /// Some lines (or some of their quantity) left in a shipment; others have not yet.
    ShipPartially,
    /// Every line has now left in some shipment.
    Ship,
    Deliver,
    Cancel,
    /// Everything captured for the part has been refunded after something shipped.
    Refund,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("This part of the order is {}, so it cannot be {}.", .from.label().to_lowercase(), .event.past_tense())]
    IllegalTransition { from: PartStatus, event: PartEvent },
}

impl PartStatus {
    pub const ALL: [PartStatus; 8] = [
        PartStatus::AwaitingPayment,
        PartStatus::Paid,
        PartStatus::Processing,
        PartStatus::PartiallyShipped,
        PartStatus::Shipped,
        PartStatus::Delivered,
        PartStatus::Cancelled,
        PartStatus::Refunded,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PartStatus::AwaitingPayment => "awaiting_payment",
            PartStatus::Paid => "paid",
            PartStatus::Processing => "processing",
            PartStatus::PartiallyShipped => "partially_shipped",
            PartStatus::Shipped => "shipped",
            PartStatus::Delivered => "delivered",
            PartStatus::Cancelled => "cancelled",
            PartStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<PartStatus> {
        PartStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PartStatus::AwaitingPayment => "Awaiting payment",
            PartStatus::Paid => "Paid",
            PartStatus::Processing => "Processing",
            PartStatus::PartiallyShipped => "Partially shipped",
            PartStatus::Shipped => "Shipped",
            PartStatus::Delivered => "Delivered",
            PartStatus::Cancelled => "Cancelled",
            PartStatus::Refunded => "Refunded",
        }
    }

    /// No event can move a part out of these.
    pub fn is_final(self) -> bool {
        matches!(self, PartStatus::Cancelled | PartStatus::Refunded)
    }

    /// Whether at least one parcel of the part has left the merchant.
    pub fn has_shipped(self) -> bool {
        matches!(
            self,
            PartStatus::PartiallyShipped | PartStatus::Shipped | PartStatus::Delivered | PartStatus::Refunded
        )
    }

    /// The transitions drawn on [`PartStatus`]; anything else is an error.
    pub fn apply(self, event: PartEvent) -> Result<PartStatus, OrderError> {
        use PartEvent as E;
        use PartStatus as S;
        match (self, event) {
            (S::AwaitingPayment, E::PaymentReceived) => Ok(S::Paid),
            (S::AwaitingPayment | S::Paid | S::Processing, E::Cancel) => Ok(S::Cancelled),
            (S::Paid, E::StartProcessing) => Ok(S::Processing),
            (S::Paid | S::Processing | S::PartiallyShipped, E::ShipPartially) => Ok(S::PartiallyShipped),
            (S::Paid | S::Processing | S::PartiallyShipped, E::Ship) => Ok(S::Shipped),
            (S::Shipped, E::Deliver) => Ok(S::Delivered),
            (S::PartiallyShipped | S::Shipped | S::Delivered, E::Refund) => Ok(S::Refunded),
            (from, event) => Err(OrderError::IllegalTransition { from, event }),
        }
    }
}

impl PartEvent {
    pub const ALL: [PartEvent; 7] = [
        PartEvent::PaymentReceived,
        PartEvent::StartProcessing,
        PartEvent::ShipPartially,
        PartEvent::Ship,
        PartEvent::Deliver,
        PartEvent::Cancel,
        PartEvent::Refund,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartEvent::PaymentReceived => "payment_received",
            PartEvent::StartProcessing => "start_processing",
            PartEvent::ShipPartially => "ship_partially",
            PartEvent::Ship => "ship",
            PartEvent::Deliver => "deliver",
            PartEvent::Cancel => "cancel",
            PartEvent::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<PartEvent> {
        PartEvent::ALL.into_iter().find(|e| e.as_str() == s)
    }

    fn past_tense(self) -> &'static str {
        match self {
            PartEvent::PaymentReceived => "marked as paid",
            PartEvent::StartProcessing => "moved to processing",
            PartEvent::ShipPartially => "partly shipped",
            PartEvent::Ship => "shipped",
            PartEvent::Deliver => "marked as delivered",
            PartEvent::Cancel => "cancelled",
            PartEvent::Refund => "refunded in full",
        }
    }
}

/// An order's (or a part's) status in a word or two: a part's label, or what happened to the
/// order before or outside payment. The one set of short labels (lists, badges).
pub fn status_label(status: &str) -> &'static str {
    match status {
        "payment_failed" => "Payment failed",
        "expired" => "Expired",
        s => PartStatus::parse(s).map_or("Unknown", PartStatus::label),
    }
}

/// An order's status as a sentence to its shopper (the order page's headline).
pub fn status_headline(status: &str) -> &'static str {
    match status {
        "paid" => "Paid — being prepared for shipping",
        "processing" => "Being prepared for shipping",
        "partially_shipped" => "Partly shipped — more parcels to follow",
        "shipped" => "Shipped — on its way to you",
        "delivered" => "Delivered",
        "refunded" => "Refunded",
        "awaiting_payment" => "Waiting for payment",
        "payment_failed" => "Payment failed — nothing was charged",
        "cancelled" => "Cancelled",
        "expired" => "Expired unpaid",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_tables::{check_every_pair, names_round_trip as round_trips};

    #[test]
    fn order_numbers_use_sixty_random_bits() {
        let n = OrderNumber::generate([0; 8]);
        assert_eq!(n.as_str(), "MM-000000000000");
        let n = OrderNumber::generate([0xff; 8]);
        assert_eq!(n.as_str(), "MM-ZZZZZZZZZZZZ");
        // 0b00001_00010_00011_… : the bit stream is read five bits at a time, big-endian.
        assert_eq!(crockford_encode(&[0x08, 0x86, 0x42, 0x98, 0xe8], 8), "12345678");
        // The last four bits of the eighth byte are not used; the first 60 all are.
        assert_eq!(OrderNumber::generate([0, 0, 0, 0, 0, 0, 0, 0x0f]), OrderNumber::generate([0; 8]));
        assert_ne!(OrderNumber::generate([0, 0, 0, 0, 0, 0, 0, 0x10]), OrderNumber::generate([0; 8]));
        for i in 0..8 {
            let mut bytes = [0u8; 8];
            bytes[i] = 0x80;
            assert_ne!(OrderNumber::generate(bytes), OrderNumber::generate([0; 8]), "byte {i}");
        }
    }

    #[test]
    fn order_numbers_are_url_safe_and_round_trip() {
        let n = OrderNumber::generate([0x3a, 0x91, 0xc4, 0x7e, 0x05, 0xbb, 0x62, 0xd9]);
        assert_eq!(n.as_str().len(), 15);
        assert!(n.as_str()[3..].bytes().all(|b| CROCKFORD.contains(&b)));
        assert_eq!(OrderNumber::parse(n.as_str()).unwrap(), n);
        assert_eq!(OrderNumber::parse(&n.as_str().to_lowercase()).unwrap(), n);
        assert_eq!(OrderNumber::parse(&n.as_str()[3..]).unwrap(), n, "prefix optional");
    }

    #[test]
    fn parsing_forgives_misreadings_and_refuses_junk() {
        assert_eq!(OrderNumber::parse(" mm-abcd-efgh-jkmn ").unwrap().as_str(), "MM-ABCDEFGHJKMN");
        assert_eq!(OrderNumber::parse("MM-ILO0ILO0ILO0").unwrap().as_str(), "MM-110011001100");
        for bad in [
            "",
            "MM-",
            "MM-ABCDEFGHJKM",
            "MM-ABCDEFGHJKMNP",
            "MM-ABCDEFGHJKMU",
            "MM-ABCDEFGHJK/N",
            "../../etc/passwd",
            "MM-ÀBCDEFGHJKMN",
            "MM-ABCDEFGHJKM%4E",
        ] {
            assert!(OrderNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert!(OrderNumber::parse(&"A".repeat(10_000)).is_err());
    }

    #[test]
    fn every_part_status_and_event_pair_is_checked() {
        use PartEvent as E;
        use PartStatus as S;
        let legal = [
            (S::AwaitingPayment, E::PaymentReceived, S::Paid),
            (S::AwaitingPayment, E::Cancel, S::Cancelled),
            (S::Paid, E::StartProcessing, S::Processing),
            (S::Paid, E::ShipPartially, S::PartiallyShipped),
            (S::Paid, E::Ship, S::Shipped),
            (S::Paid, E::Cancel, S::Cancelled),
            (S::Processing, E::ShipPartially, S::PartiallyShipped),
            (S::Processing, E::Ship, S::Shipped),
            (S::Processing, E::Cancel, S::Cancelled),
            (S::PartiallyShipped, E::ShipPartially, S::PartiallyShipped),
            (S::PartiallyShipped, E::Ship, S::Shipped),
            (S::PartiallyShipped, E::Refund, S::Refunded),
            (S::Shipped, E::Deliver, S::Delivered),
            (S::Shipped, E::Refund, S::Refunded),
            (S::Delivered, E::Refund, S::Refunded),
        ];
        check_every_pair(&S::ALL, &E::ALL, &legal, S::apply, |from, event| OrderError::IllegalTransition {
            from,
            event,
        });
        for s in S::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(E::ALL.into_iter().all(|e| s.apply(e).is_err()), "{s:?} is final");
        }
        let err = S::Shipped.apply(E::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "This part of the order is shipped, so it cannot be cancelled.");
        let err = S::PartiallyShipped.apply(E::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "This part of the order is partially shipped, so it cannot be cancelled.");
        let err = S::Paid.apply(E::Refund).unwrap_err();
        assert_eq!(err.to_string(), "This part of the order is paid, so it cannot be refunded in full.");
    }

    #[test]
    fn names_round_trip() {
        round_trips(&PartStatus::ALL, PartStatus::as_str, PartStatus::parse);
        round_trips(&PartEvent::ALL, PartEvent::as_str, PartEvent::parse);
        assert_eq!(PartStatus::parse("fulfilled"), None);
        // These names are stored in the database and must never change.
        let stored = ["awaiting_payment", "paid", "shipped", "delivered", "cancelled"];
        assert!(stored.iter().all(|s| PartStatus::parse(s).is_some()));
    }

    #[test]
    fn one_set_of_status_labels() {
        for p in PartStatus::ALL {
            assert_eq!(status_label(p.as_str()), p.label());
            assert_ne!(status_headline(p.as_str()), "Unknown", "{p:?}");
        }
        assert_eq!(status_label("processing"), "Processing");
        assert_eq!(status_label("payment_failed"), "Payment failed");
        assert_eq!(status_label("expired"), "Expired");
        assert_eq!(status_label("bogus"), "Unknown");
        assert_eq!(status_headline("shipped"), "Shipped — on its way to you");
        assert_eq!(status_headline("expired"), "Expired unpaid");
    }
}
