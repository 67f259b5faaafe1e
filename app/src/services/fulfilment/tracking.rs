//! Carrier tracking: events from carriers' webhooks move a parcel along and, when every line has
//! left and every parcel arrived, its part (shipped → delivered); anyone with a parcel's link
//! sees where it is.
//!
//! Carriers send late, twice and out of order, so the parcel's status is folded from all its
//! events in the order they happened (`domain::tracking`), decided here on what was read and
//! written only if neither the parcel nor its part moved meanwhile; otherwise it is decided again.
use super::views::public_tracking_view;
use super::{ATTEMPTS, busy, internal};
use crate::domain::carriers::Carrier;
use crate::domain::errors::AppError;
use crate::domain::shipment::ShipmentStatus;
use crate::domain::tracking::{TrackingEvent, record_event};
use crate::services::Shop;
use crate::services::fulfilment_store::{EventWrite, FulfilmentStore, TrackingWrite};
use crate::views::shipments::PublicTracking;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrackingRecorded {
    /// Stored; the shipment's status after folding in every event so far.
    Applied { shipment_status: ShipmentStatus },
    /// This carrier already sent an event with this id: nothing changed.
    Duplicate,
}

/// Records a carrier event for shipment `shipment_id` of `carrier` (`Carrier::code`) once (by
/// carrier and `event.id`), with the shipment's status re-derived from all its events and the
/// part advanced when its last parcel arrived, in one transaction.
pub async fn record_tracking_event(
    store: &dyn FulfilmentStore,
    shipment_id: i64,
    carrier: &str,
    event: &TrackingEvent,
    now: i64,
) -> Result<TrackingRecorded, AppError> {
    for _ in 0..ATTEMPTS {
        let Some(seen) = store.tracking_snapshot(shipment_id, carrier).await.map_err(internal)? else {
            return Err(AppError::NotFound(format!("There is no {carrier} shipment #{shipment_id}.")));
        };
        let outcome = record_event(shipment_id, &seen.events, event, seen.part_status, &seen.lines, &seen.parcels);
        let write = TrackingWrite {
            shipment_id,
            carrier,
            event,
            shipment_version: seen.shipment_version,
            part_id: seen.part_id,
            part_version: seen.part_version,
            status: outcome.shipment.status,
            delivered_at: outcome.shipment.delivered_at,
            part: outcome.part,
            now,
        };
        match store.record_tracking_event(&write).await.map_err(internal)? {
            EventWrite::Recorded => return Ok(TrackingRecorded::Applied { shipment_status: outcome.shipment.status }),
            EventWrite::Duplicate => return Ok(TrackingRecorded::Duplicate),
            EventWrite::Stale => continue,
        }
    }
    Err(busy())
}

/// What a carrier's webhook event did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CarrierEvent {
    Recorded {
        shipment_id: i64,
        shipment_status: ShipmentStatus,
    },
    Duplicate,
    /// No shipment of this carrier has the tracking number.
    UnknownShipment,
}

/// A verified carrier webhook's event: recorded against the carrier's shipment with this
/// tracking number, and the shopper told once the parcel arrived.
pub async fn receive_carrier_event(
    shop: &Shop,
    carrier: Carrier,
    tracking_number: &str,
    event: &TrackingEvent,
    now: i64,
) -> Result<CarrierEvent, AppError> {
    let store = shop.fulfilment.as_ref();
    let Some(shipment_id) = store.shipment_by_tracking(carrier.code(), tracking_number).await.map_err(internal)? else {
        return Ok(CarrierEvent::UnknownShipment);
    };
    match record_tracking_event(store, shipment_id, carrier.code(), event, now).await? {
        TrackingRecorded::Applied { shipment_status } => {
            if shipment_status == ShipmentStatus::Delivered {
                crate::services::fulfilment_notices::delivered(shop, shipment_id, now).await;
            }
            Ok(CarrierEvent::Recorded { shipment_id, shipment_status })
        }
        TrackingRecorded::Duplicate => Ok(CarrierEvent::Duplicate),
    }
}

/// `/track/{token}`: where the parcel is, for anyone holding the link; none for a token that
/// opens nothing.
pub async fn public_tracking(store: &dyn FulfilmentStore, token: &str) -> Result<Option<PublicTracking>, AppError> {
    // Tokens are short ASCII; anything else cannot be one, so the database is not asked.
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    Ok(store.shipment_by_token(token).await.map_err(internal)?.map(public_tracking_view))
}
