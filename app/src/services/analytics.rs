//! Store analytics: the figures for a period, from the store port, totalled by the domain rules.
use super::Shop;
use super::analytics_store::AnalyticsStore;
use super::catalog_store::StoreError;
use super::errors::store_err;
use crate::domain::analytics::{Analytics, DAY, Period, TOP_PRODUCTS, period};
use crate::domain::errors::AppError;

/// The analytics page for `merchant_id` (the caller checked the access): `from` and `to` are
/// `YYYY-MM-DD` (UTC days, both included); blank means the last 30 days.
pub async fn page(shop: &Shop, merchant_id: i64, from: Option<&str>, to: Option<&str>) -> Result<Analytics, AppError> {
    let today = shop.clock.now().div_euclid(DAY);
    let period = period(from, to, today)?;
    let store_name = super::merchants::store_name(shop, merchant_id).await?;
    figures(shop.analytics.as_ref(), merchant_id, store_name, period).await.map_err(store_err)
}

/// The analytics page's figures for `merchant_id` (the caller checked the access).
pub async fn figures(
    store: &dyn AnalyticsStore,
    merchant_id: i64,
    store_name: String,
    period: Period,
) -> Result<Analytics, StoreError> {
    let raw = store.figures(merchant_id, period, TOP_PRODUCTS).await?;
    // A store without products has nothing to total; its zeros show in the marketplace's currency.
    let currency = store.store_currency(merchant_id).await?.unwrap_or(super::MARKETPLACE_CURRENCY);
    Ok(Analytics::assemble(merchant_id, store_name, currency, period, raw))
}
