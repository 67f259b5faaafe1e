//! Tracking events and the shipment status they add up to.
//!
//! Carriers deliver webhooks late, twice and out of order, so the status is never "the last event
//! received": it is a fold over every event sorted by the time it happened (ties broken by the
//! carrier's event id, so the order is total and stable). Events the fold cannot apply — a
//! pickup scan stamped after the delivery, anything after delivered — are kept in the timeline
//! but change nothing. The same set of events therefore always yields the same status, whatever
//! order it arrived in.
use super::order::PartStatus;
use super::shipment::{PartLine, ShipmentStatus, TrackingKind, advance_part};
use serde::{Deserialize, Serialize};

/// City level only: the public tracking page shows it to anyone holding the link.
pub const MAX_LOCATION_CHARS: usize = 80;
pub const MAX_DESCRIPTION_CHARS: usize = 280;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEvent {
    /// The carrier's id for the event: the idempotency key, and the tie-breaker.
    pub id: String,
    pub kind: TrackingKind,
    /// When it happened, in unix seconds (not when it reached us).
    pub at: i64,
    pub location: Option<String>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrackingError {
    #[error("A tracking location is a city or region of at most {MAX_LOCATION_CHARS} characters (it has {0}).")]
    LocationTooLong(usize),
    #[error("A tracking description has at most {MAX_DESCRIPTION_CHARS} characters (it has {0}).")]
    DescriptionTooLong(usize),
}

/// Collapses whitespace and drops control characters (which would mangle the page), so that
/// "  Shenzhen\n  Hub " reads "Shenzhen Hub".
fn tidy(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A tidy location, `None` when blank.
pub fn clean_location(raw: Option<&str>) -> Result<Option<String>, TrackingError> {
    let Some(raw) = raw else { return Ok(None) };
    let t = tidy(raw);
    let n = t.chars().count();
    if n > MAX_LOCATION_CHARS {
        return Err(TrackingError::LocationTooLong(n));
    }
    Ok((!t.is_empty()).then_some(t))
}

/// A tidy description; a blank one becomes the event's own label ("In transit").
pub fn clean_description(raw: Option<&str>, kind: TrackingKind) -> Result<String, TrackingError> {
    let t = tidy(raw.unwrap_or(""));
    let n = t.chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        return Err(TrackingError::DescriptionTooLong(n));
    }
    Ok(if t.is_empty() { kind.label().to_string() } else { t })
}

/// Where a shipment stands after its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingState {
    pub status: ShipmentStatus,
    /// When the delivered event happened: the start of the return window.
    pub delivered_at: Option<i64>,
    /// Events in the order they happened, duplicates (by id) removed.
    pub timeline: Vec<TrackingEvent>,
    /// Ids of events that arrived but could not move the status (stale or after delivery).
    pub ignored: Vec<String>,
}

/// Sorts by time then id, and drops repeats of an id (a redelivered webhook).
pub fn timeline(events: &[TrackingEvent]) -> Vec<TrackingEvent> {
    let mut sorted = events.to_vec();
    sorted.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let mut seen = std::collections::HashSet::new();
    sorted.retain(|e| seen.insert(e.id.clone()));
    sorted
}

/// Folds events, in any arrival order, into the shipment's state. A shipment exists from the
/// moment the merchant records it with a label, hence the starting status.
pub fn derive(events: &[TrackingEvent]) -> TrackingState {
    let timeline = timeline(events);
    let mut status = ShipmentStatus::LabelCreated;
    let mut delivered_at = None;
    let mut ignored = Vec::new();
    for e in &timeline {
        match status.apply(e.kind) {
            Ok(next) => {
                if next == ShipmentStatus::Delivered {
                    delivered_at = Some(e.at);
                }
                status = next;
            }
            Err(_) => ignored.push(e.id.clone()),
        }
    }
    TrackingState { status, delivered_at, timeline, ignored }
}

/// One parcel of an order part, as far as the part's progress goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parcel {
    pub shipment_id: i64,
    pub status: ShipmentStatus,
    pub delivered_at: Option<i64>,
}

/// Where a part moves when a parcel's events change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartProgress {
    pub status: PartStatus,
    /// When the last parcel arrived, once the part is delivered.
    pub delivered_at: Option<i64>,
}

/// What recording a carrier event does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventOutcome {
    /// The shipment's state over all its events, this one included.
    pub shipment: TrackingState,
    /// The part's new status, when it moves on (every line has left and every parcel arrived).
    pub part: Option<PartProgress>,
}

/// Folds `event` into shipment `shipment_id` (whose events so far are `events`) and decides
/// whether its part (at `part`, with `lines` counting what shipped, and every parcel in
/// `parcels`) moves on.
pub fn record_event(
    shipment_id: i64,
    events: &[TrackingEvent],
    event: &TrackingEvent,
    part: PartStatus,
    lines: &[PartLine],
    parcels: &[Parcel],
) -> EventOutcome {
    let mut all = events.to_vec();
    all.push(event.clone());
    let shipment = derive(&all);
    let parcels: Vec<Parcel> = parcels
        .iter()
        .map(|p| match p.shipment_id == shipment_id {
            true => Parcel { status: shipment.status, delivered_at: shipment.delivered_at, ..p.clone() },
            false => p.clone(),
        })
        .collect();
    let statuses: Vec<ShipmentStatus> = parcels.iter().map(|p| p.status).collect();
    let next = advance_part(part, lines, &statuses).unwrap_or(part);
    let progress = (next != part).then(|| PartProgress {
        status: next,
        delivered_at: (next == PartStatus::Delivered)
            .then(|| parcels.iter().filter_map(|p| p.delivered_at).max())
            .flatten(),
    });
    EventOutcome { shipment, part: progress }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ShipmentStatus as S;
    use TrackingKind as K;

    fn ev(id: &str, kind: K, at: i64) -> TrackingEvent {
        TrackingEvent { id: id.into(), kind, at, location: Some("Shenzhen".into()), description: kind.label().into() }
    }

    fn journey() -> Vec<TrackingEvent> {
        vec![
            ev("e1", K::LabelCreated, 100),
            ev("e2", K::PickedUp, 200),
            ev("e3", K::InTransit, 300),
            ev("e4", K::Exception, 400),
            ev("e5", K::InTransit, 500),
            ev("e6", K::OutForDelivery, 600),
            ev("e7", K::Delivered, 700),
        ]
    }

    #[test]
    fn a_journey_in_order_ends_delivered_with_its_time() {
        let state = derive(&journey());
        assert_eq!((state.status, state.delivered_at), (S::Delivered, Some(700)));
        assert!(state.ignored.is_empty());
        assert_eq!(derive(&[]).status, S::LabelCreated);
        assert_eq!(derive(&journey()[..4]).status, S::DeliveryException);
        assert_eq!(derive(&journey()[..5]).status, S::InTransit);
    }

    #[test]
    fn any_arrival_order_gives_the_same_state() {
        let want = derive(&journey());
        let mut events = journey();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200 {
            // Fisher–Yates with xorshift: deterministic shuffles.
            for i in (1..events.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                events.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            assert_eq!(derive(&events), want, "{:?}", events.iter().map(|e| &e.id).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_late_older_event_does_not_undo_delivery() {
        let delivered = vec![ev("d", K::Delivered, 700)];
        assert_eq!(derive(&delivered).status, S::Delivered);
        let late = vec![ev("d", K::Delivered, 700), ev("t", K::InTransit, 300)];
        let state = derive(&late);
        assert_eq!((state.status, state.delivered_at), (S::Delivered, Some(700)));
        assert_eq!(state.timeline.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["t", "d"]);
        // Stamped after delivery (a carrier's clock, or a scan of the wrong parcel): ignored.
        let after = vec![ev("d", K::Delivered, 700), ev("x", K::Exception, 800), ev("p", K::PickedUp, 900)];
        let state = derive(&after);
        assert_eq!(state.status, S::Delivered);
        assert_eq!(state.ignored, ["x", "p"]);
    }

    #[test]
    fn ties_break_by_id_and_repeats_count_once() {
        let a = vec![ev("b", K::OutForDelivery, 500), ev("a", K::InTransit, 500)];
        let b = vec![ev("a", K::InTransit, 500), ev("b", K::OutForDelivery, 500)];
        assert_eq!(derive(&a), derive(&b));
        assert_eq!(derive(&a).status, S::OutForDelivery);
        let twice = vec![ev("a", K::InTransit, 500), ev("a", K::InTransit, 500), ev("b", K::PickedUp, 100)];
        assert_eq!(derive(&twice).timeline.len(), 2);
    }

    #[test]
    fn locations_and_descriptions_are_tidied_and_bounded() {
        assert_eq!(clean_location(Some("  Shenzhen\n  Hub\u{7} ")), Ok(Some("Shenzhen Hub".into())));
        assert_eq!(clean_location(Some("   ")), Ok(None));
        assert_eq!(clean_location(None), Ok(None));
        assert_eq!(clean_location(Some(&"é".repeat(80))).unwrap().unwrap().chars().count(), 80);
        let err = clean_location(Some(&"x".repeat(81))).unwrap_err();
        assert_eq!(err.to_string(), "A tracking location is a city or region of at most 80 characters (it has 81).");
        assert_eq!(clean_description(None, K::OutForDelivery), Ok("Out for delivery".into()));
        assert_eq!(clean_description(Some(" Left at\tfront door "), K::Delivered), Ok("Left at front door".into()));
        assert!(matches!(
            clean_description(Some(&"x".repeat(281)), K::Delivered),
            Err(TrackingError::DescriptionTooLong(281))
        ));
    }

    #[test]
    fn the_part_is_delivered_when_its_last_parcel_arrives() {
        let lines = [PartLine { line_id: 1, title: "Lamp".into(), quantity: 2, done: 2 }];
        let parcels = [
            Parcel { shipment_id: 1, status: S::Delivered, delivered_at: Some(700) },
            Parcel { shipment_id: 2, status: S::InTransit, delivered_at: None },
        ];
        let seen = [ev("a", K::InTransit, 100)];
        // The second parcel arrives: the part is delivered when the later of the two arrived.
        let got = record_event(2, &seen, &ev("b", K::Delivered, 500), PartStatus::Shipped, &lines, &parcels);
        assert_eq!((got.shipment.status, got.shipment.delivered_at), (S::Delivered, Some(500)));
        assert_eq!(got.part, Some(PartProgress { status: PartStatus::Delivered, delivered_at: Some(700) }));
        // A scan on the way changes the parcel only.
        let got = record_event(2, &seen, &ev("c", K::OutForDelivery, 400), PartStatus::Shipped, &lines, &parcels);
        assert_eq!((got.shipment.status, got.part), (S::OutForDelivery, None));
        // Lines still waiting to ship: delivered parcels do not deliver the part.
        let waiting = [PartLine { done: 1, ..lines[0].clone() }];
        let got = record_event(2, &seen, &ev("b", K::Delivered, 500), PartStatus::PartiallyShipped, &waiting, &parcels);
        assert_eq!(got.part, None);
    }
}
