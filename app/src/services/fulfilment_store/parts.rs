//! A merchant's part of an order, read whole so the service can decide with the domain rules.
use crate::domain::money::Currency;
use crate::domain::order::PartStatus;
use crate::domain::payment::PaymentStatus;
use crate::domain::shipment::ShipmentStatus;
use crate::services::catalog_store::StoreError;
use async_trait::async_trait;

/// One line of an order part and what has happened to it since payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineState {
    pub line_id: i64,
    pub variant_id: i64,
    pub title: String,
    pub quantity: i64,
    pub line_total_minor: i64,
    /// Refunded so far, refunds in flight included.
    pub refunded_minor: i64,
    /// In shipments.
    pub shipped: i64,
    /// In shipments that were delivered.
    pub delivered: i64,
    /// In returns that still hold items (all but rejected ones).
    pub returned: i64,
}

/// The order's payment as the books stand (refunds in flight counted as refunded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentState {
    pub id: i64,
    pub status: PaymentStatus,
    pub currency: Currency,
    pub amount_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub gateway_reference: Option<String>,
}

/// A merchant's part of an order. Every write names the `version` it decided on and is refused
/// as [`Applied::Stale`] if the part changed meanwhile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartState {
    pub part_id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub merchant_id: i64,
    /// Who placed the order; none for a guest.
    pub user_id: Option<i64>,
    pub status: PartStatus,
    pub version: i64,
    pub currency: Currency,
    pub shipping_minor: i64,
    pub total_minor: i64,
    /// Refunded so far, refunds in flight included.
    pub refunded_minor: i64,
    /// When the part was delivered, else when its latest parcel was.
    pub delivered_at: Option<i64>,
    pub lines: Vec<LineState>,
    /// Each of the part's shipments, oldest first.
    pub shipments: Vec<ShipmentStatus>,
    /// The order's other parts.
    pub other_parts: Vec<PartStatus>,
    pub payment: Option<PaymentState>,
}

/// What a conditional write did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied<T> {
    Done(T),
    /// The part (or return) changed since it was read: read it again and decide again.
    Stale,
    /// The idempotency key was used before for the same request: nothing was written; the first
    /// request's outcome (the id it created) is returned.
    Repeat(i64),
    /// The idempotency key was used before for a different request.
    Conflict,
}

#[async_trait]
pub trait PartStore: Send + Sync + 'static {
    /// The part of order `number` that store `merchant_id` fulfils.
    async fn part(&self, number: &str, merchant_id: i64) -> Result<Option<PartState>, StoreError>;
    async fn part_by_id(&self, part_id: i64) -> Result<Option<PartState>, StoreError>;
    /// Moves the part from `from` to `to` if it is still at `expected_version`.
    async fn set_part_status(
        &self,
        part_id: i64,
        expected_version: i64,
        from: PartStatus,
        to: PartStatus,
    ) -> Result<Applied<()>, StoreError>;
}
