//! Inventory server functions: the store's variants with their stock, adjustments with a reason
//! (kept as a history), a variant's history and the store's low-stock threshold. For the store's
//! own staff, or the platform admin acting for a store (`merchant_id`). The SQL checks that a
//! variant is the acting store's: another store's variant answers like a missing one.
use crate::domain::errors::AppError;
use crate::domain::inventory::{Adjusted, InventoryList, VariantHistory};
use leptos::prelude::*;

/// `q` searches titles and SKUs; `low` keeps the variants at or below the threshold; 50 rows a
/// page, `before`/`after` being the cursor of the page's links (`domain::paging`).
#[server(endpoint = "admin/inventory")]
pub async fn inventory(
    merchant_id: Option<i64>,
    q: Option<String>,
    low: Option<bool>,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<InventoryList, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let cursor = crate::domain::paging::Cursor::from_keys(before, after);
    let (q, low) = (q.unwrap_or_default(), low.unwrap_or(false));
    crate::services::inventory::list(&super::guard::shop()?, merchant_id, &q, low, cursor).await
}

/// Changes a variant's stock by `delta` ("+10", "-2") for a reason (received, damaged,
/// correction) with an optional note; refused when it would leave less than nothing.
#[server(endpoint = "admin/inventory/adjust")]
pub async fn adjust_stock(
    merchant_id: Option<i64>,
    variant_id: i64,
    delta: String,
    reason: String,
    note: Option<String>,
    idempotency_key: Option<String>,
) -> Result<Adjusted, AppError> {
    use crate::services::inventory::{AdjustRequest, adjust};
    let (who, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let request = AdjustRequest {
        variant_id,
        delta: &delta,
        reason: &reason,
        note: note.as_deref().unwrap_or(""),
        idempotency_key: idempotency_key.as_deref(),
    };
    adjust(&super::guard::shop()?, merchant_id, &who, request).await
}

/// A variant's stock and its last 50 adjustments, newest first.
#[server(endpoint = "admin/inventory/history")]
pub async fn stock_history(merchant_id: Option<i64>, variant_id: i64) -> Result<VariantHistory, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    crate::services::inventory::history(&super::guard::shop()?, merchant_id, variant_id).await
}

/// Sets the store's low-stock threshold (0–10 000): variants at or below it count as low.
#[server(endpoint = "admin/inventory/threshold")]
pub async fn set_threshold(merchant_id: Option<i64>, threshold: String) -> Result<i64, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    crate::services::inventory::set_threshold(&super::guard::shop()?, merchant_id, &threshold).await
}
