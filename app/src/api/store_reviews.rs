//! The store's Reviews page: reviews of its own products, newest first, optionally only those
//! still waiting for a reply. Replying uses `reviews::reply_to_review`, which checks the store.
use crate::domain::admin_pages::StoreReviews;
use crate::domain::errors::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/reviews")]
pub async fn list_store_reviews(
    merchant_id: Option<i64>,
    unanswered: Option<bool>,
    page: Option<i64>,
) -> Result<StoreReviews, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    crate::services::reviews::store_page(&shop, merchant_id, unanswered.unwrap_or(false), page.unwrap_or(1)).await
}
