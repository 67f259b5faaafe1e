//! The storage port for inventory: a store's variants with their stock, adjustments applied with
//! their history row in one transaction, and the store's low-stock threshold. Every call is
//! scoped to one store: a variant of another store answers as if it did not exist.
use super::catalog_store::StoreError;
use crate::domain::inventory::{Adjustment, StockRow, VariantHistory};
use async_trait::async_trait;

/// What became of an adjustment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdjustOutcome {
    /// Applied (or, for a repeated idempotency key, applied before): the stock it left.
    Applied { adjustment_id: i64, stock_after: i64 },
    /// It would take stock below zero; nothing was written. `stock` is what there is.
    Insufficient { stock: i64 },
    /// No such variant in this store.
    NotFound,
}

#[async_trait]
pub trait InventoryStore: Send + Sync + 'static {
    /// The store's variants matching `q` (part of the title, variant title or SKU,
    /// case-insensitive; blank for all), only those at or below `threshold` when `low_only`, by
    /// product title then variant, read by cursor (`domain::paging`: `Before` reads down the list
    /// from a variant, `After` up from it). At most `limit` rows; nothing is counted.
    async fn stock_rows(
        &self,
        merchant_id: i64,
        q: &str,
        low_only: bool,
        threshold: i64,
        cursor: crate::domain::paging::Cursor,
        limit: i64,
    ) -> Result<Vec<StockRow>, StoreError>;

    /// Applies the adjustment in one transaction: the stock changes only if the variant is the
    /// store's and the result is not negative, then the history row records the stock it left.
    async fn adjust(
        &self,
        merchant_id: i64,
        user_id: Option<i64>,
        adjustment: &Adjustment,
        idempotency_key: Option<&str>,
        now: i64,
    ) -> Result<AdjustOutcome, StoreError>;

    /// The variant's stock and its latest `limit` adjustments, newest first; `None` when it is not
    /// the store's.
    async fn history(
        &self,
        merchant_id: i64,
        variant_id: i64,
        limit: i64,
    ) -> Result<Option<VariantHistory>, StoreError>;

    async fn low_stock_threshold(&self, merchant_id: i64) -> Result<i64, StoreError>;

    async fn set_low_stock_threshold(&self, merchant_id: i64, threshold: i64) -> Result<(), StoreError>;
}
