//! Returns: the shopper asks within a window after delivery, the merchant approves or rejects
//! (with a reason), receives the goods back, and refunds them (through [`super::refund`]).
//!
//! ```text
//! requested ─approve─▶ approved ─receive─▶ received ─refund─▶ refunded
//!     └──────reject (with a reason)──▶ rejected
//! ```
use super::order::PartStatus;
use super::shipment::{LineAction, LineQuantity, PartLine, ShipmentError, pick_lines};
use serde::{Deserialize, Serialize};

pub const DEFAULT_RETURN_WINDOW_DAYS: u32 = 30;
pub const MAX_REASON_CHARS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReturnStatus {
    Requested,
    Approved,
    Rejected,
    Received,
    Refunded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReturnEvent {
    Approve,
    Reject,
    Receive,
    Refund,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    #[error("This return is {}, so it cannot be {}.", .from.label().to_lowercase(), .event.past_tense())]
    IllegalTransition { from: ReturnStatus, event: ReturnEvent },
    #[error("You can return items once they have been delivered.")]
    NotDelivered,
    #[error("This part of the order was {}, so there is nothing to return.", .0.label().to_lowercase())]
    NothingToReturn(PartStatus),
    #[error("The return window for this order closed on {0}.")]
    WindowClosed(String),
    #[error("{0}")]
    ReasonRequired(&'static str),
    #[error("Keep the reason under {MAX_REASON_CHARS} characters (it has {0}).")]
    ReasonTooLong(usize),
    #[error(transparent)]
    Lines(#[from] ShipmentError),
}

impl ReturnStatus {
    pub const ALL: [ReturnStatus; 5] = [
        ReturnStatus::Requested,
        ReturnStatus::Approved,
        ReturnStatus::Rejected,
        ReturnStatus::Received,
        ReturnStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "requested",
            ReturnStatus::Approved => "approved",
            ReturnStatus::Rejected => "rejected",
            ReturnStatus::Received => "received",
            ReturnStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<ReturnStatus> {
        ReturnStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "Requested",
            ReturnStatus::Approved => "Approved",
            ReturnStatus::Rejected => "Rejected",
            ReturnStatus::Received => "Received",
            ReturnStatus::Refunded => "Refunded",
        }
    }

    /// Whether the items of this return still count as returned (for "how many are left to
    /// return"): everything but a rejected return.
    pub fn holds_items(self) -> bool {
        self != ReturnStatus::Rejected
    }

    pub fn apply(self, event: ReturnEvent) -> Result<ReturnStatus, ReturnError> {
        use ReturnEvent as E;
        use ReturnStatus as S;
        match (self, event) {
            (S::Requested, E::Approve) => Ok(S::Approved),
            (S::Requested, E::Reject) => Ok(S::Rejected),
            (S::Approved, E::Receive) => Ok(S::Received),
            (S::Received, E::Refund) => Ok(S::Refunded),
            (from, event) => Err(ReturnError::IllegalTransition { from, event }),
        }
    }
}

impl ReturnEvent {
    pub const ALL: [ReturnEvent; 4] =
        [ReturnEvent::Approve, ReturnEvent::Reject, ReturnEvent::Receive, ReturnEvent::Refund];

    pub fn as_str(self) -> &'static str {
        match self {
            ReturnEvent::Approve => "approve",
            ReturnEvent::Reject => "reject",
            ReturnEvent::Receive => "receive",
            ReturnEvent::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<ReturnEvent> {
        ReturnEvent::ALL.into_iter().find(|e| e.as_str() == s)
    }

    fn past_tense(self) -> &'static str {
        match self {
            ReturnEvent::Approve => "approved",
            ReturnEvent::Reject => "rejected",
            ReturnEvent::Receive => "marked as received",
            ReturnEvent::Refund => "refunded",
        }
    }
}

/// How long after delivery a shopper may ask for a return; set per shop in configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnWindow {
    pub days: u32,
}

impl Default for ReturnWindow {
    fn default() -> Self {
        ReturnWindow { days: DEFAULT_RETURN_WINDOW_DAYS }
    }
}

impl ReturnWindow {
    /// The last moment a return may be requested: exactly `days` × 24 h after delivery.
    pub fn closes_at(self, delivered_at: i64) -> i64 {
        delivered_at.saturating_add(i64::from(self.days) * 86_400)
    }

    pub fn check(self, part: PartStatus, delivered_at: Option<i64>, now: i64) -> Result<(), ReturnError> {
        if matches!(part, PartStatus::Cancelled | PartStatus::Refunded) {
            return Err(ReturnError::NothingToReturn(part));
        }
        let delivered_at = delivered_at.ok_or(ReturnError::NotDelivered)?;
        let closes = self.closes_at(delivered_at);
        if now > closes {
            return Err(ReturnError::WindowClosed(super::dates::ymd(closes)));
        }
        Ok(())
    }
}

/// A checked return request, ready to store as `requested`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRequest {
    pub lines: Vec<LineQuantity>,
    pub reason: String,
}

/// Checks a shopper's request. `lines` carry, per line, the delivered quantity and how many
/// are already in returns that [hold items](ReturnStatus::holds_items).
pub fn request_return(
    window: ReturnWindow,
    part: PartStatus,
    delivered_at: Option<i64>,
    now: i64,
    lines: &[PartLine],
    request: &[LineQuantity],
    reason: &str,
) -> Result<ReturnRequest, ReturnError> {
    window.check(part, delivered_at, now)?;
    let lines = pick_lines(LineAction::Return, lines, request)?;
    let reason = validate_reason(reason, "Tell the store why you are returning these items.")?;
    Ok(ReturnRequest { lines, reason })
}

/// The merchant's reason for rejecting a return, which the shopper will read.
pub fn validate_rejection(reason: &str) -> Result<String, ReturnError> {
    validate_reason(reason, "Tell the shopper why the return is rejected.")
}

fn validate_reason(raw: &str, when_blank: &'static str) -> Result<String, ReturnError> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(ReturnError::ReasonRequired(when_blank));
    }
    let n = reason.chars().count();
    if n > MAX_REASON_CHARS {
        return Err(ReturnError::ReasonTooLong(n));
    }
    Ok(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_tables::{check_every_pair, names_round_trip as round_trips};
    use ReturnEvent as E;
    use ReturnStatus as S;

    #[test]
    fn every_return_status_and_event_pair_is_checked() {
        let legal = [
            (S::Requested, E::Approve, S::Approved),
            (S::Requested, E::Reject, S::Rejected),
            (S::Approved, E::Receive, S::Received),
            (S::Received, E::Refund, S::Refunded),
        ];
        check_every_pair(&S::ALL, &E::ALL, &legal, S::apply, |from, event| ReturnError::IllegalTransition {
            from,
            event,
        });
        assert_eq!(
            S::Approved.apply(E::Reject).unwrap_err().to_string(),
            "This return is approved, so it cannot be rejected."
        );
        assert_eq!(
            S::Requested.apply(E::Refund).unwrap_err().to_string(),
            "This return is requested, so it cannot be refunded."
        );
        round_trips(&S::ALL, S::as_str, S::parse);
        round_trips(&E::ALL, E::as_str, E::parse);
    }

    const DELIVERED: i64 = 1_773_309_600; // 2026-03-12 10:00 UTC

    fn lines() -> Vec<PartLine> {
        vec![PartLine { line_id: 1, title: "Blue mug".into(), quantity: 2, done: 0 }]
    }

    fn one() -> Vec<LineQuantity> {
        vec![LineQuantity { line_id: 1, quantity: 1 }]
    }

    #[test]
    fn returns_are_accepted_only_inside_the_window_after_delivery() {
        let w = ReturnWindow::default();
        let closes = w.closes_at(DELIVERED);
        assert_eq!(super::super::dates::ymd(closes), "2026-04-11");
        let ok =
            request_return(w, PartStatus::Delivered, Some(DELIVERED), closes, &lines(), &one(), " Too small ").unwrap();
        assert_eq!(ok, ReturnRequest { lines: one(), reason: "Too small".into() });
        let err = request_return(w, PartStatus::Delivered, Some(DELIVERED), closes + 1, &lines(), &one(), "Too small");
        assert_eq!(err.unwrap_err().to_string(), "The return window for this order closed on 2026-04-11.");
        let short = ReturnWindow { days: 0 };
        assert!(short.check(PartStatus::Delivered, Some(DELIVERED), DELIVERED + 1).is_err());
        let err = w.check(PartStatus::Shipped, None, DELIVERED).unwrap_err();
        assert_eq!(err.to_string(), "You can return items once they have been delivered.");
        let err = w.check(PartStatus::Refunded, Some(DELIVERED), DELIVERED).unwrap_err();
        assert_eq!(err.to_string(), "This part of the order was refunded, so there is nothing to return.");
        // One parcel of a partly shipped part may already be back in the shopper's hands.
        assert!(w.check(PartStatus::PartiallyShipped, Some(DELIVERED), DELIVERED).is_ok());
    }

    #[test]
    fn return_lines_and_reasons_are_checked() {
        let w = ReturnWindow::default();
        let ask = |request: &[LineQuantity], reason: &str| {
            request_return(w, PartStatus::Delivered, Some(DELIVERED), DELIVERED, &lines(), request, reason)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(ask(&[], "x"), "Choose at least one line to return.");
        assert_eq!(
            ask(&[LineQuantity { line_id: 1, quantity: 3 }], "x"),
            "You asked to return 3 of “Blue mug”, but only 2 are left to return."
        );
        assert_eq!(ask(&one(), "   "), "Tell the store why you are returning these items.");
        assert_eq!(ask(&one(), &"x".repeat(501)), "Keep the reason under 500 characters (it has 501).");
        let mut all_back = lines();
        all_back[0].done = 2;
        let err =
            request_return(w, PartStatus::Delivered, Some(DELIVERED), DELIVERED, &all_back, &one(), "x").unwrap_err();
        assert_eq!(err.to_string(), "All 2 of “Blue mug” have already been returned.");
        assert_eq!(validate_rejection(" ").unwrap_err().to_string(), "Tell the shopper why the return is rejected.");
        assert_eq!(validate_rejection(" Item shows wear ").unwrap(), "Item shows wear");
    }
}
