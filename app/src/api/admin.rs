//! The dashboard's data. Merchants see their own store; the platform admin sees every store.
use crate::domain::errors::AppError;
use crate::views::admin::{Dashboard, StoreSummary};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// `open_work: Some(false)` skips counting the store's open work: the nav, on every /admin page,
/// needs only who is signed in and the stores.
#[server(endpoint = "admin/dashboard")]
pub async fn get_dashboard(open_work: Option<bool>) -> Result<Dashboard, AppError> {
    use super::guard::{Access, require, shop};
    let principal = require(Access::AnyStoreStaff).await?;
    crate::services::merchants::dashboard(&shop()?, principal, open_work.unwrap_or(true)).await
}

/// One store's summary: its own staff and admins only.
#[server(endpoint = "admin/store")]
pub async fn get_store(merchant_id: i64) -> Result<StoreSummary, AppError> {
    use super::guard::{Access, require, shop};
    require(Access::StoreStaff(merchant_id)).await?;
    crate::services::merchants::summary(&shop()?, merchant_id).await
}

/// Approve (active), suspend or reset (pending) a store. A suspended store's products leave
/// the storefront at once.
#[server(endpoint = "admin/store_status")]
pub async fn set_store_status(merchant_id: i64, status: String) -> Result<(), AppError> {
    use super::guard::{Access, require, shop};
    require(Access::Admin).await?;
    crate::services::accounts::set_store_status(&shop()?, merchant_id, &status).await
}

/// The ranking weights (score = Σ wᵢ·sᵢ / Σ wᵢ): platform admin only.
#[server(endpoint = "admin/ranking_weights")]
pub async fn get_ranking_weights() -> Result<crate::domain::ranking::Weights, AppError> {
    use super::guard::{Access, require, shop};
    require(Access::Admin).await?;
    crate::services::ranking::weights(&shop()?).await
}

/// The ranking form's six weights, each field named by `Signal::key` (a missing one is reported
/// like a wrong one).
#[server(endpoint = "admin/set_ranking_weights")]
pub async fn set_ranking_weights(#[server(flatten)] fields: BTreeMap<String, String>) -> Result<(), AppError> {
    use super::guard::{Access, require, shop};
    require(Access::Admin).await?;
    let weights = crate::domain::ranking::Weights::parse_fields(&fields)?;
    crate::services::ranking::set_weights(&shop()?, &weights).await
}

/// How the sample query `q` would be ordered with the proposed weights, next to the saved order;
/// nothing is saved. Platform admin only.
#[server(endpoint = "admin/ranking_preview")]
pub async fn preview_ranking(
    q: String,
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<crate::domain::ranking_preview::RankingPreview, AppError> {
    use super::guard::{Access, require, shop};
    require(Access::Admin).await?;
    let proposed = crate::domain::ranking::Weights::parse_fields(&fields)?;
    crate::services::ranking::preview(&shop()?, &q, proposed).await
}
