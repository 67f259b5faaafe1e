//! Returns: a shopper asks, the store approves or rejects, receives (restocking) and refunds.
use super::parts::Applied;
use crate::domain::returns::ReturnStatus;
use crate::services::catalog_store::StoreError;
use async_trait::async_trait;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnState {
    pub id: i64,
    pub part_id: i64,
    pub merchant_id: i64,
    pub order_number: String,
    pub status: ReturnStatus,
    pub reason: String,
    pub rejection_reason: Option<String>,
    /// (line id, quantity).
    pub lines: Vec<(i64, i64)>,
    pub requested_at: i64,
}

/// A return as its order's pages show it, before it is dressed as a view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnRecord {
    pub id: i64,
    pub status: ReturnStatus,
    pub reason: String,
    pub rejection_reason: Option<String>,
    /// (title, quantity).
    pub lines: Vec<(String, i64)>,
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
    pub from: ReturnStatus,
    pub to: ReturnStatus,
    pub rejection_reason: Option<String>,
    /// Put the returned items back in stock (when the goods are received).
    pub restock: bool,
    pub now: i64,
}

#[async_trait]
pub trait ReturnStore: Send + Sync + 'static {
    async fn request_return(&self, r: &NewReturn) -> Result<Applied<i64>, StoreError>;
    async fn return_state(&self, return_id: i64) -> Result<Option<ReturnState>, StoreError>;
    /// False (nothing written) when the return is no longer `from`.
    async fn decide_return(&self, d: &ReturnDecision) -> Result<bool, StoreError>;
}
