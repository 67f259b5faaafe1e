//! Shipments: the parcels a store sends, each with its lines and its tracking events.
use super::parts::Applied;
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::order::PartStatus;
use crate::domain::shipment::ShipmentStatus;
use crate::domain::tracking::TrackingEvent;
use crate::services::catalog_store::StoreError;
use async_trait::async_trait;

/// A shipment not yet delivered, for the carrier simulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentRef {
    pub id: i64,
    /// `Carrier::code`.
    pub carrier: String,
    pub tracking_number: String,
    pub status: ShipmentStatus,
    pub token: String,
}

/// A shipment as stored: what its views are made of (`services::fulfilment::views`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentRecord {
    pub id: i64,
    /// `Carrier::code` (a carrier retired since may no longer parse).
    pub carrier: String,
    pub tracking_number: String,
    pub status: ShipmentStatus,
    /// The unguessable token of `/track/{token}`.
    pub token: String,
    /// (title, quantity) of the lines in this parcel.
    pub lines: Vec<(String, i64)>,
    /// As received, in no particular order.
    pub events: Vec<TrackingEvent>,
    /// Moves whenever an event is recorded.
    pub version: i64,
}

#[derive(Clone, Debug)]
pub struct NewShipment {
    pub part_id: i64,
    pub expected_version: i64,
    /// The part's status once these lines have left (`advance_part`).
    pub part_status: PartStatus,
    pub carrier: String,
    pub tracking_number: String,
    pub token: String,
    /// (line id, quantity).
    pub lines: Vec<(i64, i64)>,
    pub claim: Option<IdempotencyClaim>,
    pub now: i64,
}

#[async_trait]
pub trait ShipmentStore: Send + Sync + 'static {
    /// The shipment with this carrier (`Carrier::code`) and normalised tracking number.
    async fn shipment_by_tracking(&self, carrier: &str, tracking_number: &str) -> Result<Option<i64>, StoreError>;
    /// Shipments not yet delivered, oldest first.
    async fn open_shipments(&self, limit: i64) -> Result<Vec<ShipmentRef>, StoreError>;
    /// Records a shipment and moves the part, if it is still at `expected_version`; claims the
    /// idempotency key in the same transaction. `Done(shipment id)`.
    async fn ship(&self, shipment: &NewShipment) -> Result<Applied<i64>, StoreError>;
    async fn shipment(&self, shipment_id: i64) -> Result<Option<ShipmentRecord>, StoreError>;
    /// The shipment whose public tracking link carries this token.
    async fn shipment_by_token(&self, token: &str) -> Result<Option<ShipmentRecord>, StoreError>;
    /// The number of the order a shipment belongs to.
    async fn order_of_shipment(&self, shipment_id: i64) -> Result<Option<String>, StoreError>;
}
