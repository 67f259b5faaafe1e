//! Persistence of what happens after payment: shipments and their tracking events, cancellations,
//! refunds and returns. Every multi-row change is one transaction; carrier events are recorded
//! once per (carrier, event id).
use super::catalog_store::StoreError;
use crate::domain::shipment_view::PublicTracking;
use crate::domain::tracking::TrackingEvent;
use async_trait::async_trait;

/// A shipment not yet delivered, for the carrier simulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentRef {
    pub id: i64,
    /// `Carrier::code`.
    pub carrier: String,
    pub tracking_number: String,
    /// `ShipmentStatus::as_str`.
    pub status: String,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrackingRecorded {
    /// Stored; the shipment's status after folding in every event so far.
    Applied { shipment_status: String },
    /// This carrier already sent an event with this id: nothing changed.
    Duplicate,
}

#[async_trait]
pub trait FulfilmentStore: Send + Sync + 'static {
    /// The shipment with this carrier (`Carrier::code`) and normalised tracking number.
    async fn shipment_by_tracking(&self, carrier: &str, tracking_number: &str) -> Result<Option<i64>, StoreError>;
    /// Records a carrier event once (by carrier and `event.id`) and, in the same transaction,
    /// re-derives the shipment's status from all its events in timestamp order
    /// (`domain::tracking::derive`, so late, older events never undo newer ones) and advances
    /// the order part (shipped → delivered) and the order when every parcel has arrived.
    async fn record_tracking_event(
        &self,
        shipment_id: i64,
        carrier: &str,
        event: &TrackingEvent,
        now: i64,
    ) -> Result<TrackingRecorded, StoreError>;
    /// The public view of the shipment with this token.
    async fn public_tracking(&self, token: &str) -> Result<Option<PublicTracking>, StoreError>;
    /// Shipments not yet delivered, oldest first.
    async fn open_shipments(&self, limit: i64) -> Result<Vec<ShipmentRef>, StoreError>;
}
