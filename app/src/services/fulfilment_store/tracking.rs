//! Carrier tracking events. The service folds an event into what it read
//! (`domain::tracking::record_event`) and the store writes the result only if neither the
//! shipment nor its part moved meanwhile; each carrier's event is recorded once (by its id).
use crate::domain::shipment::{PartLine, ShipmentStatus};
use crate::domain::tracking::{Parcel, PartProgress, TrackingEvent};
use crate::services::catalog_store::StoreError;
use async_trait::async_trait;

/// A shipment, its events and its part, as a carrier event is decided on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingSnapshot {
    pub shipment_version: i64,
    pub events: Vec<TrackingEvent>,
    pub part_id: i64,
    pub part_version: i64,
    pub part_status: crate::domain::order::PartStatus,
    /// The part's lines, `done` counting what has shipped.
    pub lines: Vec<PartLine>,
    /// Every parcel of the part, this one included.
    pub parcels: Vec<Parcel>,
}

/// A carrier event and what it was decided to do.
#[derive(Clone, Debug)]
pub struct TrackingWrite<'a> {
    pub shipment_id: i64,
    pub carrier: &'a str,
    pub event: &'a TrackingEvent,
    /// The versions the decision was made on.
    pub shipment_version: i64,
    pub part_id: i64,
    pub part_version: i64,
    pub status: ShipmentStatus,
    pub delivered_at: Option<i64>,
    /// The part's new status, when it moves on.
    pub part: Option<PartProgress>,
    pub now: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventWrite {
    Recorded,
    /// This carrier already sent an event with this id: nothing changed.
    Duplicate,
    /// The shipment or its part changed since it was read: decide again.
    Stale,
}

#[async_trait]
pub trait TrackingStore: Send + Sync + 'static {
    /// Shipment `shipment_id` of `carrier` (`Carrier::code`) with its events and its part.
    async fn tracking_snapshot(&self, shipment_id: i64, carrier: &str) -> Result<Option<TrackingSnapshot>, StoreError>;
    /// In one transaction: the event (once per carrier and event id), the shipment's status and
    /// the part's (its version moves either way, so events of two parcels of one part are
    /// decided one after the other).
    async fn record_tracking_event(&self, write: &TrackingWrite<'_>) -> Result<EventWrite, StoreError>;
}
