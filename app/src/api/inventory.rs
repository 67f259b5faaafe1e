//! Inventory server functions: the store's variants with their stock, adjustments with a reason
//! (kept as a history), a variant's history and the store's low-stock threshold. For the store's
//! own staff, or the platform admin acting for a store (`merchant_id`). The SQL checks that a
//! variant is the acting store's: another store's variant answers like a missing one.
use crate::domain::errors::AppError;
use crate::domain::inventory::{Adjusted, InventoryList, VariantHistory};
use leptos::prelude::*;

/// `q` searches titles and SKUs; `low` keeps the variants at or below the threshold; `page` is
/// 1-based, 50 rows a page.
#[server(endpoint = "admin/inventory")]
pub async fn inventory(
    merchant_id: Option<i64>,
    q: Option<String>,
    low: Option<bool>,
    page: Option<i64>,
) -> Result<InventoryList, AppError> {
    use crate::domain::inventory::PAGE_SIZE;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let q: String = q.unwrap_or_default().trim().chars().take(100).collect();
    let low_only = low.unwrap_or(false);
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let threshold = shop.inventory.low_stock_threshold(merchant_id).await.map_err(internal)?;
    let (rows, total) = shop
        .inventory
        .stock_rows(merchant_id, &q, low_only, threshold, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await
        .map_err(internal)?;
    let store_name = shop
        .accounts
        .merchants()
        .await
        .map_err(internal)?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .map(|m| m.name)
        .unwrap_or_default();
    let action_key =
        crate::domain::idempotency::IdempotencyKey::from_random(crate::services::passwords::random_bytes::<16>())
            .as_str()
            .to_string();
    Ok(InventoryList { merchant_id, store_name, threshold, rows, total, page, q, low_only, action_key })
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
    use crate::domain::inventory::{insufficient_message, validate};
    use crate::services::inventory_store::AdjustOutcome;
    let (who, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let adjustment = validate(variant_id, &delta, &reason, note.as_deref().unwrap_or(""))?;
    let key = match idempotency_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(crate::domain::idempotency::IdempotencyKey::parse(k).map_err(|m| AppError::one("form", m))?),
        None => None,
    };
    // One key per variant and change: the page's key is shared by its forms.
    let key = key.map(|k| format!("{}-{}-{}", k.as_str(), variant_id, adjustment.delta));
    let now = crate::services::accounts::now();
    let outcome = shop
        .inventory
        .adjust(merchant_id, Some(who.user_id), &adjustment, key.as_deref(), now)
        .await
        .map_err(crate::services::accounts::store_err)?;
    match outcome {
        AdjustOutcome::Applied { stock_after, .. } => Ok(Adjusted { variant_id, delta: adjustment.delta, stock_after }),
        AdjustOutcome::Insufficient { stock } => {
            Err(AppError::one("delta", insufficient_message(stock, adjustment.delta)))
        }
        AdjustOutcome::NotFound => Err(AppError::NotFound("We couldn't find that variant in your store.".into())),
    }
}

/// A variant's stock and its last 50 adjustments, newest first.
#[server(endpoint = "admin/inventory/history")]
pub async fn stock_history(merchant_id: Option<i64>, variant_id: i64) -> Result<VariantHistory, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    shop.inventory
        .history(merchant_id, variant_id, crate::domain::inventory::HISTORY_LIMIT)
        .await
        .map_err(crate::services::accounts::store_err)?
        .ok_or_else(|| AppError::NotFound("We couldn't find that variant in your store.".into()))
}

/// Sets the store's low-stock threshold (0–10 000): variants at or below it count as low.
#[server(endpoint = "admin/inventory/threshold")]
pub async fn set_threshold(merchant_id: Option<i64>, threshold: String) -> Result<i64, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let threshold = crate::domain::inventory::validate_threshold(&threshold)?;
    shop.inventory
        .set_low_stock_threshold(merchant_id, threshold)
        .await
        .map_err(crate::services::accounts::store_err)?;
    Ok(threshold)
}
