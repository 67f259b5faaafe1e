//! Shipments: which lines of a merchant's part go in a parcel, the parcel's status machine, and
//! how shipments move the part's status.
//!
//! ```text
//! label_created ─▶ picked_up ─▶ in_transit ─▶ out_for_delivery ─▶ delivered
//! picked_up | in_transit | out_for_delivery ─exception─▶ delivery_exception
//! delivery_exception ─▶ in_transit | out_for_delivery | delivered
//! ```
//!
//! Carriers skip scans (a parcel can go from label to in transit, or even delivered), so any
//! forward move is allowed; repeated in-transit and out-for-delivery scans are normal. An
//! exception can happen once the carrier has the parcel, and it recovers to in transit, out for
//! delivery or delivered. Nothing moves backwards and delivered is final.
use super::order::{OrderError, PartEvent, PartStatus};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShipmentStatus {
    LabelCreated,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    DeliveryException,
}

/// What a tracking event says happened to the parcel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TrackingKind {
    LabelCreated,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShipmentError {
    #[error("A shipment that is {} cannot move to {}.", .from.label().to_lowercase(), .kind.label().to_lowercase())]
    IllegalTransition { from: ShipmentStatus, kind: TrackingKind },
    #[error("Choose at least one line to {}.", .0.verb())]
    NoLines(LineAction),
    #[error("Line #{0} is not in this order part.")]
    UnknownLine(i64),
    #[error("“{0}” is listed twice; list each line once.")]
    DuplicateLine(String),
    #[error("Choose at least 1 of “{title}” to {}.", .action.verb())]
    NonPositive { action: LineAction, title: String },
    #[error("{}", nothing_left(*.action, .title, *.total))]
    NothingLeft { action: LineAction, title: String, total: i64 },
    #[error("You asked to {} {requested} of “{title}”, but only {left} {} left to {}.", .action.verb(), if *.left == 1 { "is" } else { "are" }, .action.verb())]
    TooMany { action: LineAction, title: String, requested: i64, left: i64 },
}

impl ShipmentStatus {
    pub const ALL: [ShipmentStatus; 6] = [
        ShipmentStatus::LabelCreated,
        ShipmentStatus::PickedUp,
        ShipmentStatus::InTransit,
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::Delivered,
        ShipmentStatus::DeliveryException,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::LabelCreated => "label_created",
            ShipmentStatus::PickedUp => "picked_up",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::OutForDelivery => "out_for_delivery",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::DeliveryException => "delivery_exception",
        }
    }

    pub fn parse(s: &str) -> Option<ShipmentStatus> {
        ShipmentStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ShipmentStatus::LabelCreated => "Label created",
            ShipmentStatus::PickedUp => "Picked up",
            ShipmentStatus::InTransit => "In transit",
            ShipmentStatus::OutForDelivery => "Out for delivery",
            ShipmentStatus::Delivered => "Delivered",
            ShipmentStatus::DeliveryException => "Delivery exception",
        }
    }

    /// Position on the happy path; an exception has none.
    fn step(self) -> Option<u8> {
        match self {
            ShipmentStatus::LabelCreated => Some(0),
            ShipmentStatus::PickedUp => Some(1),
            ShipmentStatus::InTransit => Some(2),
            ShipmentStatus::OutForDelivery => Some(3),
            ShipmentStatus::Delivered => Some(4),
            ShipmentStatus::DeliveryException => None,
        }
    }

    pub fn allows(self, kind: TrackingKind) -> bool {
        use ShipmentStatus as S;
        let to = kind.status();
        match (self, to) {
            (S::Delivered, _) => false,
            (S::LabelCreated, S::DeliveryException) => false,
            (_, S::DeliveryException) => true,
            (S::DeliveryException, to) => matches!(to, S::InTransit | S::OutForDelivery | S::Delivered),
            // Repeated scans: the carrier confirms the label, or a parcel passes another hub or
            // goes out again the next day.
            (from, to) if from == to => matches!(from, S::LabelCreated | S::InTransit | S::OutForDelivery),
            (from, to) => to.step() > from.step(),
        }
    }

    pub fn apply(self, kind: TrackingKind) -> Result<ShipmentStatus, ShipmentError> {
        if self.allows(kind) { Ok(kind.status()) } else { Err(ShipmentError::IllegalTransition { from: self, kind }) }
    }
}

impl TrackingKind {
    pub const ALL: [TrackingKind; 6] = [
        TrackingKind::LabelCreated,
        TrackingKind::PickedUp,
        TrackingKind::InTransit,
        TrackingKind::OutForDelivery,
        TrackingKind::Delivered,
        TrackingKind::Exception,
    ];

    /// The name in carrier webhooks and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackingKind::LabelCreated => "label_created",
            TrackingKind::PickedUp => "picked_up",
            TrackingKind::InTransit => "in_transit",
            TrackingKind::OutForDelivery => "out_for_delivery",
            TrackingKind::Delivered => "delivered",
            TrackingKind::Exception => "exception",
        }
    }

    pub fn parse(s: &str) -> Option<TrackingKind> {
        TrackingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        self.status().label()
    }

    /// The status this event puts the shipment in.
    pub fn status(self) -> ShipmentStatus {
        match self {
            TrackingKind::LabelCreated => ShipmentStatus::LabelCreated,
            TrackingKind::PickedUp => ShipmentStatus::PickedUp,
            TrackingKind::InTransit => ShipmentStatus::InTransit,
            TrackingKind::OutForDelivery => ShipmentStatus::OutForDelivery,
            TrackingKind::Delivered => ShipmentStatus::Delivered,
            TrackingKind::Exception => ShipmentStatus::DeliveryException,
        }
    }
}

/// Whether lines are being picked for a parcel or for a return; only the wording differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineAction {
    Ship,
    Return,
}

impl LineAction {
    fn verb(self) -> &'static str {
        match self {
            LineAction::Ship => "ship",
            LineAction::Return => "return",
        }
    }

    fn past(self) -> &'static str {
        match self {
            LineAction::Ship => "shipped",
            LineAction::Return => "returned",
        }
    }
}

fn nothing_left(action: LineAction, title: &str, total: i64) -> String {
    match total {
        1 => format!("“{title}” has already been {}.", action.past()),
        n => format!("All {n} of “{title}” have already been {}.", action.past()),
    }
}

/// A line of the part as far as picking goes: `quantity` is how many may be picked at all
/// (ordered, for shipping; delivered, for returns) and `done` how many already were.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartLine {
    pub line_id: i64,
    pub title: String,
    pub quantity: i64,
    pub done: i64,
}

impl PartLine {
    pub fn left(&self) -> i64 {
        (self.quantity - self.done).max(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineQuantity {
    pub line_id: i64,
    pub quantity: i64,
}

/// Checks that every requested line is in the part, listed once, and asks for between 1 and
/// what is left of it. The first problem is the error, so nothing is half-applied.
pub fn pick_lines(
    action: LineAction,
    part: &[PartLine],
    request: &[LineQuantity],
) -> Result<Vec<LineQuantity>, ShipmentError> {
    if request.is_empty() {
        return Err(ShipmentError::NoLines(action));
    }
    for (i, r) in request.iter().enumerate() {
        let line = part.iter().find(|l| l.line_id == r.line_id).ok_or(ShipmentError::UnknownLine(r.line_id))?;
        let title = line.title.clone();
        if request[..i].iter().any(|earlier| earlier.line_id == r.line_id) {
            return Err(ShipmentError::DuplicateLine(title));
        }
        if line.left() == 0 {
            return Err(ShipmentError::NothingLeft { action, title, total: line.quantity });
        }
        if r.quantity <= 0 {
            return Err(ShipmentError::NonPositive { action, title });
        }
        if r.quantity > line.left() {
            return Err(ShipmentError::TooMany { action, title, requested: r.quantity, left: line.left() });
        }
    }
    Ok(request.to_vec())
}

/// The part's lines once `picked` has been counted as done.
pub fn after_picking(part: &[PartLine], picked: &[LineQuantity]) -> Vec<PartLine> {
    part.iter()
        .map(|l| {
            let more: i64 = picked.iter().filter(|p| p.line_id == l.line_id).map(|p| p.quantity).sum();
            PartLine { done: l.done + more, ..l.clone() }
        })
        .collect()
}

/// The part event a shipment implies, if any: `Ship` once every line has fully shipped,
/// `ShipPartially` while some is left, `Deliver` when everything shipped and every shipment
/// arrived. `lines` are the part's lines with `done` = quantity shipped so far.
pub fn part_event(current: PartStatus, lines: &[PartLine], shipments: &[ShipmentStatus]) -> Option<PartEvent> {
    let any_shipped = lines.iter().any(|l| l.done > 0);
    let all_shipped = !lines.is_empty() && lines.iter().all(|l| l.left() == 0);
    match current {
        PartStatus::Paid | PartStatus::Processing if all_shipped => Some(PartEvent::Ship),
        PartStatus::Paid | PartStatus::Processing if any_shipped => Some(PartEvent::ShipPartially),
        PartStatus::PartiallyShipped if all_shipped => Some(PartEvent::Ship),
        PartStatus::Shipped if !shipments.is_empty() && shipments.iter().all(|s| *s == ShipmentStatus::Delivered) => {
            Some(PartEvent::Deliver)
        }
        _ => None,
    }
}

/// Applies [`part_event`] until the part settles (at most ship, then deliver).
pub fn advance_part(
    mut current: PartStatus,
    lines: &[PartLine],
    shipments: &[ShipmentStatus],
) -> Result<PartStatus, OrderError> {
    while let Some(event) = part_event(current, lines, shipments) {
        current = current.apply(event)?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_tables::{check_every_pair, names_round_trip as round_trips};
    use ShipmentStatus as S;
    use TrackingKind as K;

    #[test]
    fn every_shipment_status_and_event_pair_is_checked() {
        let legal: &[(S, K)] = &[
            (S::LabelCreated, K::LabelCreated),
            (S::LabelCreated, K::PickedUp),
            (S::LabelCreated, K::InTransit),
            (S::LabelCreated, K::OutForDelivery),
            (S::LabelCreated, K::Delivered),
            (S::PickedUp, K::InTransit),
            (S::PickedUp, K::OutForDelivery),
            (S::PickedUp, K::Delivered),
            (S::PickedUp, K::Exception),
            (S::InTransit, K::InTransit),
            (S::InTransit, K::OutForDelivery),
            (S::InTransit, K::Delivered),
            (S::InTransit, K::Exception),
            (S::OutForDelivery, K::OutForDelivery),
            (S::OutForDelivery, K::Delivered),
            (S::OutForDelivery, K::Exception),
            (S::DeliveryException, K::InTransit),
            (S::DeliveryException, K::OutForDelivery),
            (S::DeliveryException, K::Delivered),
            (S::DeliveryException, K::Exception),
        ];
        let legal: Vec<(S, K, S)> = legal.iter().map(|&(from, kind)| (from, kind, kind.status())).collect();
        check_every_pair(&S::ALL, &K::ALL, &legal, S::apply, |from, kind| ShipmentError::IllegalTransition {
            from,
            kind,
        });
        let err = S::Delivered.apply(K::InTransit).unwrap_err();
        assert_eq!(err.to_string(), "A shipment that is delivered cannot move to in transit.");
    }

    #[test]
    fn names_round_trip() {
        round_trips(&S::ALL, S::as_str, S::parse);
        round_trips(&K::ALL, K::as_str, K::parse);
        assert_eq!(K::parse("lost"), None);
    }

    fn part() -> Vec<PartLine> {
        vec![
            PartLine { line_id: 10, title: "Blue mug".into(), quantity: 3, done: 1 },
            PartLine { line_id: 11, title: "Tea towel".into(), quantity: 1, done: 1 },
            PartLine { line_id: 12, title: "Teapot".into(), quantity: 2, done: 0 },
        ]
    }

    fn q(line_id: i64, quantity: i64) -> LineQuantity {
        LineQuantity { line_id, quantity }
    }

    #[test]
    fn picking_lines_names_the_line_in_every_error() {
        let ok = pick_lines(LineAction::Ship, &part(), &[q(10, 2), q(12, 1)]).unwrap();
        assert_eq!(ok, vec![q(10, 2), q(12, 1)]);
        let cases: &[(&[LineQuantity], &str)] = &[
            (&[], "Choose at least one line to ship."),
            (&[q(99, 1)], "Line #99 is not in this order part."),
            (&[q(10, 1), q(10, 1)], "“Blue mug” is listed twice; list each line once."),
            (&[q(10, 0)], "Choose at least 1 of “Blue mug” to ship."),
            (&[q(12, -1)], "Choose at least 1 of “Teapot” to ship."),
            (&[q(11, 1)], "“Tea towel” has already been shipped."),
            (&[q(10, 3)], "You asked to ship 3 of “Blue mug”, but only 2 are left to ship."),
            (&[q(12, 1), q(10, 5)], "You asked to ship 5 of “Blue mug”, but only 2 are left to ship."),
        ];
        for (request, message) in cases {
            assert_eq!(pick_lines(LineAction::Ship, &part(), request).unwrap_err().to_string(), *message);
        }
        let mut one_left = part();
        one_left[0].done = 2;
        let err = pick_lines(LineAction::Return, &one_left, &[q(10, 2)]).unwrap_err();
        assert_eq!(err.to_string(), "You asked to return 2 of “Blue mug”, but only 1 is left to return.");
    }

    #[test]
    fn shipping_moves_the_part_to_partially_shipped_then_shipped_then_delivered() {
        let fresh: Vec<PartLine> = part().into_iter().map(|l| PartLine { done: 0, ..l }).collect();
        assert_eq!(advance_part(PartStatus::Paid, &fresh, &[]), Ok(PartStatus::Paid));
        let first = after_picking(&fresh, &[q(10, 3)]);
        let s = advance_part(PartStatus::Processing, &first, &[S::LabelCreated]).unwrap();
        assert_eq!(s, PartStatus::PartiallyShipped);
        // The first parcel arriving does not deliver a part that is still partly unshipped.
        assert_eq!(advance_part(s, &first, &[S::Delivered]), Ok(PartStatus::PartiallyShipped));
        let all = after_picking(&first, &[q(11, 1), q(12, 2)]);
        assert_eq!(all.iter().map(PartLine::left).sum::<i64>(), 0);
        let s = advance_part(s, &all, &[S::Delivered, S::InTransit]).unwrap();
        assert_eq!(s, PartStatus::Shipped);
        assert_eq!(advance_part(s, &all, &[S::Delivered, S::DeliveryException]), Ok(PartStatus::Shipped));
        assert_eq!(advance_part(s, &all, &[S::Delivered, S::Delivered]), Ok(PartStatus::Delivered));
        // Everything in one go, and everything already delivered by the time it is recorded.
        assert_eq!(advance_part(PartStatus::Paid, &all, &[S::Delivered]), Ok(PartStatus::Delivered));
        // Finished or cancelled parts are left alone.
        for settled in [PartStatus::Cancelled, PartStatus::Delivered, PartStatus::Refunded] {
            assert_eq!(advance_part(settled, &all, &[S::Delivered]), Ok(settled));
        }
    }
}
