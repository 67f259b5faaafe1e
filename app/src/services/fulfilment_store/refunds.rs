//! Refunds: reserved within every bound before the gateway is asked, then booked.
use super::parts::Applied;
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::money::Currency;
use crate::domain::order::PartStatus;
use crate::domain::payment::PaymentStatus;
use crate::domain::refund::{RefundKind, RefundStatus};
use crate::services::catalog_store::StoreError;
use async_trait::async_trait;

#[derive(Clone, Debug)]
pub struct NewRefund {
    pub part_id: i64,
    pub payment_id: i64,
    pub kind: RefundKind,
    pub return_id: Option<i64>,
    pub amount_minor: i64,
    /// (line id, amount, the line's paid share: the bound its refunds may not pass).
    pub lines: Vec<(i64, i64, i64)>,
    /// Unique per refund; also the key the gateway sees.
    pub key: String,
}

/// A refund as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundState {
    pub id: i64,
    pub part_id: i64,
    pub payment_id: i64,
    pub return_id: Option<i64>,
    pub kind: RefundKind,
    pub amount_minor: i64,
    pub currency: Currency,
    pub status: RefundStatus,
    pub key: String,
    /// The charge the refund goes against.
    pub charge_reference: Option<String>,
    pub gateway_reference: Option<String>,
}

/// What booking a refund that went through decides on: the part's status and total, the
/// payment's capture, and what the refunds that went through before this one returned of each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundBalance {
    pub part_status: PartStatus,
    pub part_total_minor: i64,
    pub part_refunded_minor: i64,
    pub captured_minor: i64,
    pub payment_refunded_minor: i64,
}

/// What a refund that went through moves, as the service decided it from `balance`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundSettlement {
    /// The balance the statuses were decided on: the refund is booked only while it still holds.
    pub balance: RefundBalance,
    pub payment_status: PaymentStatus,
    /// The part's new status, when the refund leaves nothing captured for it.
    pub part_status: Option<PartStatus>,
}

/// The gateway's answer to a refund (or void), to book.
#[derive(Clone, Debug)]
pub struct RefundResult {
    pub refund_id: i64,
    /// Succeeded or Failed.
    pub status: RefundStatus,
    pub gateway_reference: Option<String>,
    /// For a refund that succeeded: what else it moves. `None` for one that failed.
    pub settlement: Option<RefundSettlement>,
    pub now: i64,
}

/// What `complete_refund` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundBooking {
    Booked,
    /// It was no longer pending (booked before): nothing written.
    NotPending,
    /// The balance moved since it was read (another refund of the part or payment went through):
    /// nothing written; read it again and decide again.
    Stale,
}

#[async_trait]
pub trait RefundStore: Send + Sync + 'static {
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
    /// What a pending refund's booking decides on (`None` when there is no such refund).
    async fn refund_balance(&self, refund_id: i64) -> Result<Option<RefundBalance>, StoreError>;
    /// Completes a pending refund: succeeded → a payment event, the payment's and (if it moves)
    /// the part's status as settled, the return refunded; failed → the reserved amounts are given
    /// back.
    async fn complete_refund(&self, result: &RefundResult) -> Result<RefundBooking, StoreError>;
    async fn refund(&self, refund_id: i64) -> Result<Option<RefundState>, StoreError>;
    /// The refund that settled (or is settling) a return, if any.
    async fn refund_of_return(&self, return_id: i64) -> Result<Option<RefundState>, StoreError>;
}
