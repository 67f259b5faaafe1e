//! The store's Reviews page: reviews of its own products, newest first by cursor, optionally only
//! those still waiting for a reply or of products matching a search. Replying uses
//! `reviews::reply_to_review`, which checks the store.
use crate::domain::admin_pages::StoreReviews;
use crate::domain::errors::AppError;
use leptos::prelude::*;

/// `q`: part of a product's title or SKU; `before`/`after`: the cursor of the page's links.
#[server(endpoint = "admin/reviews")]
pub async fn list_store_reviews(
    merchant_id: Option<i64>,
    unanswered: Option<bool>,
    q: Option<String>,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<StoreReviews, AppError> {
    use crate::domain::paging::Cursor;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let (unanswered, q, cursor) =
        (unanswered.unwrap_or(false), q.unwrap_or_default(), Cursor::from_keys(before, after));
    crate::services::reviews::store_page(&shop, merchant_id, unanswered, &q, cursor).await
}
