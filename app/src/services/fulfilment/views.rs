//! What is stored, dressed for the pages: a parcel's carrier name and link
//! (`domain::carriers::carrier_link`), its status and events in words (`ShipmentStatus::label`,
//! `TrackingKind::label`) in the order they happened (`domain::tracking::timeline`), a return's
//! status in words.
use crate::domain::carriers::carrier_link;
use crate::domain::tracking::{TrackingEvent, timeline};
use crate::services::fulfilment_store::{ReturnRecord, ShipmentRecord};
use crate::views::orders::ReturnView;
use crate::views::shipments::{PublicTracking, ShipmentView, TrackingEventView};

/// One parcel as its order's pages show it.
pub fn shipment_view(s: ShipmentRecord) -> ShipmentView {
    let (carrier_name, tracking_url) = carrier_link(&s.carrier, &s.tracking_number);
    ShipmentView {
        id: s.id,
        carrier: s.carrier,
        carrier_name,
        tracking_number: s.tracking_number,
        tracking_url,
        status: s.status.as_str().to_string(),
        status_label: s.status.label().to_string(),
        token: s.token,
        lines: s.lines,
        events: event_views(&s.events),
    }
}

/// One parcel as `/track/{token}` shows it to anyone holding the link: no lines, no order.
pub fn public_tracking_view(s: ShipmentRecord) -> PublicTracking {
    let (carrier_name, tracking_url) = carrier_link(&s.carrier, &s.tracking_number);
    PublicTracking {
        carrier_name,
        tracking_number: s.tracking_number,
        tracking_url,
        status: s.status.as_str().to_string(),
        status_label: s.status.label().to_string(),
        events: event_views(&s.events),
        version: s.version,
    }
}

pub fn return_view(r: ReturnRecord) -> ReturnView {
    ReturnView {
        id: r.id,
        status: r.status.as_str().to_string(),
        status_label: r.status.label().to_string(),
        reason: r.reason,
        rejection_reason: r.rejection_reason,
        lines: r.lines,
        requested_at: r.requested_at,
    }
}

/// Oldest first, a redelivered event once.
fn event_views(events: &[TrackingEvent]) -> Vec<TrackingEventView> {
    timeline(events)
        .into_iter()
        .map(|e| TrackingEventView {
            kind: e.kind.as_str().to_string(),
            label: e.kind.label().to_string(),
            at: e.at,
            location: e.location,
            description: e.description,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::returns::ReturnStatus;
    use crate::domain::shipment::{ShipmentStatus, TrackingKind};

    fn record(carrier: &str) -> ShipmentRecord {
        let event = |id: &str, kind: TrackingKind, at| TrackingEvent {
            id: id.into(),
            kind,
            at,
            location: Some("Leeds".into()),
            description: kind.label().into(),
        };
        ShipmentRecord {
            id: 3,
            carrier: carrier.into(),
            tracking_number: "AB123456789GB".into(),
            status: ShipmentStatus::InTransit,
            token: "tok".into(),
            lines: vec![("Lamp".into(), 1)],
            events: vec![event("b", TrackingKind::InTransit, 20), event("a", TrackingKind::PickedUp, 10)],
            version: 2,
        }
    }

    #[test]
    fn a_parcel_reads_in_words_with_its_events_in_time_order() {
        let v = shipment_view(record("royal-mail"));
        assert_eq!(
            (v.carrier_name.as_str(), v.status.as_str(), v.status_label.as_str()),
            ("Royal Mail", "in_transit", "In transit")
        );
        assert!(v.tracking_url.is_some());
        assert_eq!(v.events.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(), ["Picked up", "In transit"]);
        let public = public_tracking_view(record("pigeon"));
        assert_eq!((public.carrier_name.as_str(), public.tracking_url, public.version), ("pigeon", None, 2));
    }

    #[test]
    fn a_return_reads_in_words() {
        let r = ReturnRecord {
            id: 1,
            status: ReturnStatus::Requested,
            reason: "Too big".into(),
            rejection_reason: None,
            lines: vec![],
            requested_at: 5,
        };
        assert_eq!(return_view(r).status_label, ReturnStatus::Requested.label());
    }
}
