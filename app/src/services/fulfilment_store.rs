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

    // Everything after payment that the service decides (with the domain rules) and the store
    // applies atomically.
    /// The part of order `number` that store `merchant_id` fulfils.
    async fn part(&self, number: &str, merchant_id: i64) -> Result<Option<PartState>, StoreError>;
    async fn part_by_id(&self, part_id: i64) -> Result<Option<PartState>, StoreError>;
    /// Records a shipment and moves the part, if it is still at `expected_version`; claims the
    /// idempotency key in the same transaction. `Done(shipment id)`.
    async fn ship(&self, shipment: &NewShipment) -> Result<Applied<i64>, StoreError>;
    /// Moves the part from `from` to `to` if it is still at `expected_version`.
    async fn set_part_status(
        &self,
        part_id: i64,
        expected_version: i64,
        from: &str,
        to: &str,
    ) -> Result<Applied<()>, StoreError>;
    /// Cancels the part (if still at `expected_version`), gives its stock back once, marks the
    /// order cancelled when no part is left, and reserves the refund owed. `Done(refund id)`.
    async fn cancel_part(&self, c: &PartCancellation) -> Result<Applied<Option<i64>>, StoreError>;
    /// Books a refund as pending before the gateway is asked: the part's, its lines' and the
    /// payment's refunded amounts grow only while they stay within what was paid and captured.
    /// `Repeat` when a refund with this key exists already.
    async fn reserve_refund(
        &self,
        refund: &NewRefund,
        expected_version: i64,
        claim: Option<&IdempotencyClaim>,
        now: i64,
    ) -> Result<Applied<i64>, StoreError>;
    /// Completes a pending refund: approved → a payment event, the payment's status from its
    /// refunds, the part refunded when nothing is left of it after shipping, the return refunded;
    /// declined → the reserved amounts are given back. False when it was no longer pending.
    async fn complete_refund(&self, result: &RefundResult) -> Result<bool, StoreError>;
    async fn refund(&self, refund_id: i64) -> Result<Option<RefundState>, StoreError>;
    /// Records a voided authorization (the last live part was cancelled before capture).
    async fn record_void(
        &self,
        payment_id: i64,
        amount_minor: i64,
        reference: Option<&str>,
        key: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    async fn request_return(&self, r: &NewReturn) -> Result<Applied<i64>, StoreError>;
    async fn return_state(&self, return_id: i64) -> Result<Option<ReturnState>, StoreError>;
    /// False (nothing written) when the return is no longer `from`.
    async fn decide_return(&self, d: &ReturnDecision) -> Result<bool, StoreError>;
    /// The refund that settled (or is settling) a return, if any.
    async fn refund_of_return(&self, return_id: i64) -> Result<Option<RefundState>, StoreError>;
    /// One shipment as its order's pages show it.
    async fn shipment_view(
        &self,
        shipment_id: i64,
    ) -> Result<Option<crate::domain::shipment_view::ShipmentView>, StoreError>;
    /// The number of the order a shipment belongs to.
    async fn order_of_shipment(&self, shipment_id: i64) -> Result<Option<String>, StoreError>;
}

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
    /// `PaymentStatus::as_str`.
    pub status: String,
    pub currency: String,
    pub amount_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub gateway_reference: Option<String>,
}

/// A merchant's part of an order, read whole so the service can decide with the domain rules.
/// Every write names the `version` it decided on and is refused as [`Applied::Stale`] if the
/// part changed meanwhile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartState {
    pub part_id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub merchant_id: i64,
    /// Who placed the order; none for a guest.
    pub user_id: Option<i64>,
    /// `PartStatus::as_str`.
    pub status: String,
    pub version: i64,
    pub currency: String,
    pub shipping_minor: i64,
    pub total_minor: i64,
    /// Refunded so far, refunds in flight included.
    pub refunded_minor: i64,
    /// When the part was delivered, else when its latest parcel was.
    pub delivered_at: Option<i64>,
    pub lines: Vec<LineState>,
    /// `ShipmentStatus::as_str` of each of the part's shipments.
    pub shipments: Vec<String>,
    /// Statuses of the order's other parts.
    pub other_parts: Vec<String>,
    pub payment: Option<PaymentState>,
}

/// The request's idempotency key (scope, key, fingerprint), as in `order_store`.
pub use super::order_store::IdempotencyClaim;

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

#[derive(Clone, Debug)]
pub struct NewShipment {
    pub part_id: i64,
    pub expected_version: i64,
    /// The part's status once these lines have left (`advance_part`).
    pub part_status: String,
    pub carrier: String,
    pub tracking_number: String,
    pub token: String,
    /// (line id, quantity).
    pub lines: Vec<(i64, i64)>,
    pub claim: Option<IdempotencyClaim>,
    pub now: i64,
}

#[derive(Clone, Debug)]
pub struct NewRefund {
    pub part_id: i64,
    pub payment_id: i64,
    /// "refund", "cancel" or "return".
    pub kind: String,
    pub return_id: Option<i64>,
    pub amount_minor: i64,
    /// (line id, amount, the line's paid share: the bound its refunds may not pass).
    pub lines: Vec<(i64, i64, i64)>,
    /// Unique per refund; also the key the gateway sees.
    pub key: String,
}

/// Cancelling a part: its status, its stock, and the refund owed for it, in one transaction.
#[derive(Clone, Debug)]
pub struct PartCancellation {
    pub part_id: i64,
    pub expected_version: i64,
    pub reason: String,
    pub refund: Option<NewRefund>,
    pub claim: Option<IdempotencyClaim>,
    pub now: i64,
}

/// A refund as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundState {
    pub id: i64,
    pub part_id: i64,
    pub payment_id: i64,
    pub return_id: Option<i64>,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    /// pending, succeeded or failed.
    pub status: String,
    pub key: String,
    /// The charge the refund goes against.
    pub charge_reference: Option<String>,
    pub gateway_reference: Option<String>,
}

/// The gateway's answer to a refund (or void), to book.
#[derive(Clone, Debug)]
pub struct RefundResult {
    pub refund_id: i64,
    pub approved: bool,
    pub gateway_reference: Option<String>,
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnState {
    pub id: i64,
    pub part_id: i64,
    pub merchant_id: i64,
    pub order_number: String,
    /// `ReturnStatus::as_str`.
    pub status: String,
    pub reason: String,
    pub rejection_reason: Option<String>,
    /// (line id, quantity).
    pub lines: Vec<(i64, i64)>,
    pub requested_at: i64,
}

#[derive(Clone, Debug)]
pub struct NewReturn {
    pub part_id: i64,
    pub expected_version: i64,
    pub reason: String,
    pub lines: Vec<(i64, i64)>,
    pub now: i64,
}

/// A return moving on: `from` → `to`, only if it is still `from`.
#[derive(Clone, Debug)]
pub struct ReturnDecision {
    pub return_id: i64,
    pub from: String,
    pub to: String,
    pub rejection_reason: Option<String>,
    /// Put the returned items back in stock (when the goods are received).
    pub restock: bool,
    pub now: i64,
}
