//! Inventory use cases for a store's staff (the caller checked the access): the stock list, an
//! adjustment with its reason (kept as a history), a variant's history, the low-stock threshold.
//! Every port call is scoped to the store: another store's variant answers like a missing one.
use super::Shop;
use super::errors::store_err;
use super::inventory_store::AdjustOutcome;
use crate::domain::account::Principal;
use crate::domain::errors::AppError;
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::inventory::{
    Adjusted, HISTORY_LIMIT, InventoryList, PAGE_SIZE, VariantHistory, insufficient_message, validate,
    validate_threshold,
};
use crate::domain::paging::{Cursor, fetch_size};

fn missing_variant() -> AppError {
    AppError::NotFound("We couldn't find that variant in your store.".into())
}

/// `q` searches titles and SKUs; `low_only` keeps the variants at or below the threshold; 50 rows
/// a page by cursor, alphabetically by product.
pub async fn list(
    shop: &Shop,
    merchant_id: i64,
    q: &str,
    low_only: bool,
    cursor: Cursor,
) -> Result<InventoryList, AppError> {
    let q: String = q.trim().chars().take(100).collect();
    let threshold = shop.inventory.low_stock_threshold(merchant_id).await.map_err(store_err)?;
    let read = |c: Cursor| shop.inventory.stock_rows(merchant_id, &q, low_only, threshold, c, fetch_size(PAGE_SIZE));
    let page = super::list_pages::cursor_page(read, |r| r.variant_id, cursor, PAGE_SIZE).await?;
    let store_name = super::merchants::store_name(shop, merchant_id).await?;
    let action_key = super::random::action_key();
    Ok(InventoryList { merchant_id, store_name, threshold, page, q, low_only, action_key })
}

/// What an adjustment form sent.
pub struct AdjustRequest<'a> {
    pub variant_id: i64,
    /// "+10", "-2"
    pub delta: &'a str,
    pub reason: &'a str,
    pub note: &'a str,
    pub idempotency_key: Option<&'a str>,
}

/// Changes a variant's stock by the request's delta for a reason; refused when it would leave
/// less than nothing. A retried form (same key) applies once.
pub async fn adjust(
    shop: &Shop,
    merchant_id: i64,
    who: &Principal,
    req: AdjustRequest<'_>,
) -> Result<Adjusted, AppError> {
    let variant_id = req.variant_id;
    let adjustment = validate(variant_id, req.delta, req.reason, req.note)?;
    let key = match req.idempotency_key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(IdempotencyKey::parse(k).map_err(|m| AppError::one("form", m))?),
        None => None,
    };
    // One key per variant and change: the page's key is shared by its forms.
    let key = key.map(|k| format!("{}-{}-{}", k.as_str(), variant_id, adjustment.delta));
    let outcome = shop
        .inventory
        .adjust(merchant_id, Some(who.user_id), &adjustment, key.as_deref(), shop.clock.now())
        .await
        .map_err(store_err)?;
    match outcome {
        AdjustOutcome::Applied { stock_after, .. } => Ok(Adjusted { variant_id, delta: adjustment.delta, stock_after }),
        AdjustOutcome::Insufficient { stock } => {
            Err(AppError::one("delta", insufficient_message(stock, adjustment.delta)))
        }
        AdjustOutcome::NotFound => Err(missing_variant()),
    }
}

/// A variant's stock and its last adjustments, newest first.
pub async fn history(shop: &Shop, merchant_id: i64, variant_id: i64) -> Result<VariantHistory, AppError> {
    shop.inventory.history(merchant_id, variant_id, HISTORY_LIMIT).await.map_err(store_err)?.ok_or_else(missing_variant)
}

/// Sets the store's low-stock threshold (0–10 000) from the form; answers the value saved.
pub async fn set_threshold(shop: &Shop, merchant_id: i64, typed: &str) -> Result<i64, AppError> {
    let threshold = validate_threshold(typed)?;
    shop.inventory.set_low_stock_threshold(merchant_id, threshold).await.map_err(store_err)?;
    Ok(threshold)
}
