//! Product reviews: anyone reads them; a signed-in shopper writes (or edits) one per product and
//! marks others' reviews helpful; the selling store replies once per review.
use crate::domain::errors::AppError;
use crate::domain::review::ReviewsView;
use leptos::prelude::*;

/// A product's rating summary and one page of its reviews (`sort`: "newest" or "helpful";
/// `page` from 1), parsed as forgivingly as they are typed in the URL.
#[server(endpoint = "reviews/list")]
pub async fn list_reviews(
    product_id: i64,
    sort: Option<String>,
    page: Option<String>,
) -> Result<ReviewsView, AppError> {
    use super::guard::{Access, guard};
    let viewer = guard(Access::Anyone).await?;
    let sort = crate::domain::review::ReviewSort::from_param(sort.as_deref());
    let page = crate::domain::listing::page_from_param(page.as_deref());
    crate::services::reviews::reviews_view_for(&super::guard::shop()?, viewer.as_ref(), product_id, sort, page).await
}

/// Writes the caller's review of a product, or edits it when `review_id` names it.
#[server(endpoint = "reviews/write")]
pub async fn write_review(
    product_id: i64,
    review_id: Option<i64>,
    rating: Option<String>,
    body: Option<String>,
) -> Result<(), AppError> {
    use super::guard::{Access, require};
    let who = require(Access::SignedIn).await?;
    let body = body.unwrap_or_default();
    let draft = crate::services::reviews::ReviewDraft {
        product_id,
        editing: review_id,
        rating: rating.as_deref(),
        body: &body,
    };
    crate::services::reviews::write_review_for(&super::guard::shop()?, &who, draft).await
}

#[server(endpoint = "reviews/helpful")]
pub async fn mark_review_helpful(review_id: i64) -> Result<(), AppError> {
    use super::guard::{Access, require};
    let who = require(Access::SignedIn).await?;
    crate::services::reviews::mark_helpful_for(&super::guard::shop()?, &who, review_id).await
}

/// The selling store's one public reply to a review.
#[server(endpoint = "reviews/reply")]
pub async fn reply_to_review(review_id: i64, reply: String) -> Result<(), AppError> {
    use super::guard::{Access, require};
    require(Access::SignedIn).await?;
    let shop = super::guard::shop()?;
    let merchant = crate::services::reviews::review_merchant_for(&shop, review_id).await?;
    let who = require(Access::StoreStaff(merchant)).await?;
    crate::services::reviews::reply_for(&shop, &who, review_id, &reply).await
}
