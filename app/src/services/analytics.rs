//! Store analytics: the figures for a period, from the store port, totalled by the domain rules.
use super::analytics_store::AnalyticsStore;
use super::catalog_store::StoreError;
use crate::domain::analytics::{Analytics, Period, TOP_PRODUCTS};
use crate::domain::money::Currency;

/// The analytics page's figures for `merchant_id` (the caller checked the access).
pub async fn figures(
    store: &dyn AnalyticsStore,
    merchant_id: i64,
    store_name: String,
    period: Period,
) -> Result<Analytics, StoreError> {
    let raw = store.figures(merchant_id, period, TOP_PRODUCTS).await?;
    // A store without products has no prices yet: its (zero) figures show in dollars.
    let currency = store.store_currency(merchant_id).await?.unwrap_or(Currency::USD);
    Ok(Analytics::assemble(merchant_id, store_name, currency, period, raw))
}
