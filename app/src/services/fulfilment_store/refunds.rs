//! Refunds: reserved within every bound before the gateway is asked, then booked.
use super::parts::Applied;
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::money::Currency;
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

/// The gateway's answer to a refund (or void), to book.
#[derive(Clone, Debug)]
pub struct RefundResult {
    pub refund_id: i64,
    pub approved: bool,
    pub gateway_reference: Option<String>,
    pub now: i64,
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
    /// Completes a pending refund: approved → a payment event, the payment's status from its
    /// refunds, the part refunded when nothing is left of it after shipping, the return refunded;
    /// declined → the reserved amounts are given back. False when it was no longer pending.
    async fn complete_refund(&self, result: &RefundResult) -> Result<bool, StoreError>;
    async fn refund(&self, refund_id: i64) -> Result<Option<RefundState>, StoreError>;
    /// The refund that settled (or is settling) a return, if any.
    async fn refund_of_return(&self, return_id: i64) -> Result<Option<RefundState>, StoreError>;
}
