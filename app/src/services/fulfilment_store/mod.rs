//! The storage port of what happens after payment, by subject: the part itself, shipments,
//! carrier tracking, cancellations, refunds and returns. The services decide (with the domain
//! rules) and these apply: every multi-row change is one transaction, and every change to a part
//! names the `version` it was decided on and is refused as [`Applied::Stale`] if the part moved
//! on meanwhile. Statuses and currencies cross as the domain's types, parsed once by the adapter.
mod cancellations;
mod parts;
mod refunds;
mod returns;
mod shipments;
mod tracking;

pub use cancellations::{CancellationStore, PartCancellation};
pub use parts::{Applied, LineState, PartState, PartStore, PaymentState};
pub use refunds::{NewRefund, RefundBalance, RefundBooking, RefundResult, RefundSettlement, RefundState, RefundStore};
pub use returns::{NewReturn, ReturnDecision, ReturnRecord, ReturnState, ReturnStore};
pub use shipments::{NewShipment, ShipmentRecord, ShipmentRef, ShipmentStore};
pub use tracking::{EventWrite, TrackingSnapshot, TrackingStore, TrackingWrite};

/// Everything after payment, as the services hold it (one adapter implements every subject).
pub trait FulfilmentStore:
    PartStore + ShipmentStore + TrackingStore + CancellationStore + RefundStore + ReturnStore
{
}

impl<T> FulfilmentStore for T where
    T: PartStore + ShipmentStore + TrackingStore + CancellationStore + RefundStore + ReturnStore
{
}
