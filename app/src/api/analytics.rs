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
    crate::services::analytics::page(&super::guard::shop()?, merchant_id, from.as_deref(), to.as_deref()).await
}
