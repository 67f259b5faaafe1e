//! Marketplace money for the dashboard: a store's Earnings (its owner, or the platform admin
//! naming it; not its staff), and the platform admin's Payouts page — recording payouts and setting commission
//! rates. The rules are in `domain::payouts`, the use cases in `services::payouts`.
use crate::domain::errors::AppError;
use crate::domain::payouts::{Earnings, PayoutRecord, PayoutsOverview};
use leptos::prelude::*;

#[server(endpoint = "admin/earnings")]
pub async fn store_earnings(merchant_id: Option<i64>, page: Option<i64>) -> Result<Earnings, AppError> {
    let (_, store) = super::guard::store_owner(merchant_id).await?;
    let page = page.unwrap_or(1).clamp(1, 1_000_000) as usize;
    crate::services::payouts::earnings(&super::guard::shop()?, store, page).await
}

#[server(endpoint = "admin/payouts")]
pub async fn marketplace_payouts() -> Result<PayoutsOverview, AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    crate::services::payouts::overview(&super::guard::shop()?).await
}

/// Records a payout to store `merchant_id`: platform admin only; at most what the store is owed;
/// a retry with the same idempotency key records it once.
#[server(endpoint = "admin/payouts/record")]
pub async fn record_payout(
    merchant_id: i64,
    currency: String,
    amount: String,
    reference: String,
    idempotency_key: String,
) -> Result<PayoutRecord, AppError> {
    use super::guard::{Access, require};
    let admin = require(Access::Admin).await?;
    let shop = super::guard::shop()?;
    crate::services::payouts::record_payout(
        &shop,
        admin.user_id,
        merchant_id,
        &currency,
        &amount,
        &reference,
        &idempotency_key,
    )
    .await
}

/// The marketplace's default commission (no store) or a store's own (blank: back to the default).
#[server(endpoint = "admin/payouts/commission")]
pub async fn set_commission(merchant_id: Option<i64>, rate: String) -> Result<(), AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    crate::services::payouts::set_commission(&super::guard::shop()?, merchant_id, &rate).await
}
