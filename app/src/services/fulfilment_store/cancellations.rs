//! Cancelling a part before anything of it shipped.
use super::parts::Applied;
use super::refunds::NewRefund;
use crate::domain::idempotency::IdempotencyClaim;
use crate::services::catalog_store::StoreError;
use async_trait::async_trait;

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

#[async_trait]
pub trait CancellationStore: Send + Sync + 'static {
    /// Cancels the part (if still at `expected_version`), gives its stock back once, marks the
    /// order cancelled when no part is left, and reserves the refund owed. `Done(refund id)`.
    async fn cancel_part(&self, c: &PartCancellation) -> Result<Applied<Option<i64>>, StoreError>;
    /// Records a voided authorization (the last live part was cancelled before capture).
    async fn record_void(
        &self,
        payment_id: i64,
        amount_minor: i64,
        reference: Option<&str>,
        key: &str,
        now: i64,
    ) -> Result<(), StoreError>;
}
