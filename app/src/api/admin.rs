//! The dashboard's data. Merchants see their own store; the platform admin sees every store.
use crate::domain::account::Principal;
use crate::domain::errors::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreSummary {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub status: String,
    pub product_count: i64,
    pub owner_email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub principal: Principal,
    /// The signed-in merchant's own store.
    pub store: Option<StoreSummary>,
    /// Every store, for the platform admin only.
    pub stores: Option<Vec<StoreSummary>>,
    /// What waits for the merchant's own store.
    pub todo: Option<crate::domain::admin_pages::StoreTodo>,
}

#[cfg(feature = "ssr")]
async fn all_stores(shop: &crate::services::Shop) -> Result<Vec<StoreSummary>, AppError> {
    let rows = shop.accounts.merchants().await.map_err(crate::services::accounts::store_err)?;
    Ok(rows
        .into_iter()
        .map(|m| StoreSummary {
            id: m.id,
            name: m.name,
            slug: m.slug,
            status: m.status.as_str().to_string(),
            product_count: m.product_count,
            owner_email: m.owner_email,
        })
        .collect())
}

/// `open_work: Some(false)` skips counting the store's open work: the nav, on every /admin page,
/// needs only who is signed in and the stores.
#[server(endpoint = "admin/dashboard")]
pub async fn get_dashboard(open_work: Option<bool>) -> Result<Dashboard, AppError> {
    use super::guard::{Access, require, shop};
    let principal = require(Access::AnyStoreStaff).await?;
    let shop = shop()?;
    let stores = all_stores(&shop).await?;
    let own = principal.store.as_ref().map(|s| s.merchant_id);
    let store = own.and_then(|id| stores.iter().find(|s| s.id == id).cloned());
    let stores = principal.is_admin.then_some(stores);
    let todo = match own.filter(|_| open_work.unwrap_or(true)) {
        Some(id) => {
            let internal = crate::services::accounts::store_err;
            let threshold = shop.inventory.low_stock_threshold(id).await.map_err(internal)?;
            Some(shop.admin.store_todo(id, threshold).await.map_err(internal)?)
        }
        None => None,
    };
    Ok(Dashboard { principal, store, stores, todo })
}

/// One store's summary: its own staff and admins only.
#[server(endpoint = "admin/store")]
pub async fn get_store(merchant_id: i64) -> Result<StoreSummary, AppError> {
    use super::guard::{Access, require, shop};
    require(Access::StoreStaff(merchant_id)).await?;
    all_stores(&shop()?)
        .await?
        .into_iter()
        .find(|s| s.id == merchant_id)
        .ok_or_else(|| AppError::NotFound("No such store.".into()))
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
    shop()?.catalog.ranking_weights().await.map_err(crate::services::accounts::store_err)
}

#[server(endpoint = "admin/set_ranking_weights")]
pub async fn set_ranking_weights(
    text_relevance: String,
    rating: String,
    sales: String,
    freshness: String,
    availability: String,
    affinity: String,
) -> Result<(), AppError> {
    use super::guard::{Access, require, shop};
    use crate::domain::ranking::{Signal, Weights};
    require(Access::Admin).await?;
    let weights = Weights::parse(&[
        (Signal::TextRelevance, text_relevance.as_str()),
        (Signal::Rating, rating.as_str()),
        (Signal::Sales, sales.as_str()),
        (Signal::Freshness, freshness.as_str()),
        (Signal::Availability, availability.as_str()),
        (Signal::Affinity, affinity.as_str()),
    ])?;
    shop()?.catalog.set_ranking_weights(&weights).await.map_err(crate::services::accounts::store_err)
}

/// How the sample query `q` would be ordered with the proposed weights, next to the saved order;
/// nothing is saved. Platform admin only. Signed-in affinity is left out: the preview shows what
/// any visitor would see.
#[server(endpoint = "admin/ranking_preview")]
#[allow(clippy::too_many_arguments)]
pub async fn preview_ranking(
    q: String,
    text_relevance: String,
    rating: String,
    sales: String,
    freshness: String,
    availability: String,
    affinity: String,
) -> Result<crate::domain::ranking_preview::RankingPreview, AppError> {
    use super::guard::{Access, require, shop};
    use crate::domain::ranking::{Signal, Weights};
    use crate::domain::ranking_preview::{PREVIEW_SIZE, compare};
    require(Access::Admin).await?;
    let proposed = Weights::parse(&[
        (Signal::TextRelevance, text_relevance.as_str()),
        (Signal::Rating, rating.as_str()),
        (Signal::Sales, sales.as_str()),
        (Signal::Freshness, freshness.as_str()),
        (Signal::Availability, availability.as_str()),
        (Signal::Affinity, affinity.as_str()),
    ])?;
    let shop = shop()?;
    let query: String = q.trim().chars().take(100).collect();
    let order = |weights: Option<Weights>| {
        let shop = shop.clone();
        let query = query.clone();
        async move {
            let request = crate::services::search::SearchRequest {
                query,
                filters: Default::default(),
                sort: crate::domain::listing::Sort::Recommended,
                page: 1,
                viewer: None,
                can_explain: false,
                weights,
            };
            let found =
                crate::services::search::search(shop.catalog.as_ref(), &shop.vocabulary, &shop.categories, request)
                    .await
                    .map_err(crate::services::accounts::store_err)?;
            Ok::<_, AppError>(
                found
                    .listing
                    .products
                    .items
                    .into_iter()
                    .map(|r| (r.card.id, r.card.title, r.score.map(|s| s.score).unwrap_or(0.0)))
                    .collect::<Vec<_>>(),
            )
        }
    };
    let saved = order(None).await?;
    let proposed = order(Some(proposed)).await?;
    Ok(compare(&query, &saved, &proposed, PREVIEW_SIZE))
}
