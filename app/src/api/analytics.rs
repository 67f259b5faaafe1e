//! `admin/analytics`: a store's figures for a period, for its own staff or the platform admin
//! acting for it (`merchant_id`). What counts is defined in `domain::analytics`.
use crate::domain::analytics::Analytics;
use crate::domain::errors::AppError;
use leptos::prelude::*;

/// `from` and `to` are `YYYY-MM-DD` (UTC days, both included); blank means the last 30 days.
#[server(endpoint = "admin/analytics")]
pub async fn store_analytics(
    merchant_id: Option<i64>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Analytics, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let today = crate::services::accounts::now().div_euclid(crate::domain::analytics::DAY);
    let period = crate::domain::analytics::period(from.as_deref(), to.as_deref(), today)?;
    let store_name = shop
        .accounts
        .merchants()
        .await
        .map_err(internal)?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .map(|m| m.name)
        .unwrap_or_default();
    crate::services::analytics::figures(shop.analytics.as_ref(), merchant_id, store_name, period)
        .await
        .map_err(internal)
}
