//! The ranking weights an admin edits (score = Σ wᵢ·sᵢ / Σ wᵢ) and the preview of a query's order
//! under proposed weights, next to the saved order.
use super::Shop;
use super::errors::store_err;
use crate::domain::errors::AppError;
use crate::domain::ranking::Weights;
use crate::domain::ranking_preview::{PREVIEW_SIZE, RankingPreview, compare};

pub async fn weights(shop: &Shop) -> Result<Weights, AppError> {
    shop.catalog.ranking_weights().await.map_err(store_err)
}

pub async fn set_weights(shop: &Shop, weights: &Weights) -> Result<(), AppError> {
    shop.catalog.set_ranking_weights(weights).await.map_err(store_err)
}

/// How `q` would be ordered with `proposed`, next to the saved order; nothing is saved. Signed-in
/// affinity is left out: the preview shows what any visitor would see.
pub async fn preview(shop: &Shop, q: &str, proposed: Weights) -> Result<RankingPreview, AppError> {
    let query: String = q.trim().chars().take(100).collect();
    let saved = order(shop, &query, None).await?;
    let proposed = order(shop, &query, Some(proposed)).await?;
    Ok(compare(&query, &saved, &proposed, PREVIEW_SIZE))
}

/// (id, title, score) of the first page of results for `query`, under `weights` (saved: `None`).
async fn order(shop: &Shop, query: &str, weights: Option<Weights>) -> Result<Vec<(i64, String, f64)>, AppError> {
    let request = super::search::SearchRequest {
        query: query.to_string(),
        filters: Default::default(),
        sort: crate::domain::listing::Sort::Recommended,
        page: 1,
        viewer: None,
        can_explain: false,
        weights,
    };
    let found =
        super::search::search(shop.catalog.as_ref(), &shop.vocabulary, &shop.categories, &shop.listing_rows, request)
            .await
            .map_err(store_err)?;
    Ok(found
        .listing
        .products
        .items
        .into_iter()
        .map(|r| (r.card.id, r.card.title, r.score.map(|s| s.score).unwrap_or(0.0)))
        .collect())
}
