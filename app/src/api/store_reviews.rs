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
    use crate::domain::admin_pages::PAGE_SIZE;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let unanswered = unanswered.unwrap_or(false);
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total, average) =
        shop.admin.store_reviews(merchant_id, unanswered, PAGE_SIZE, (page - 1) * PAGE_SIZE).await.map_err(internal)?;
    let store_name =
        shop.admin.store_settings(merchant_id).await.map_err(internal)?.map(|s| s.name).unwrap_or_default();
    Ok(StoreReviews { merchant_id, store_name, rows, total, page, unanswered, average })
}
