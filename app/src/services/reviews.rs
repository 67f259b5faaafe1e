//! Review use cases: read a product's reviews, write or edit one's own, mark others' helpful,
//! and reply as the selling store. Who may do what is decided here as well as in the server
//! functions' guard, so a caller that skips the guard still cannot reply for another store.
//! The rules take the review port (the suites run them on both engines); the server functions
//! call the `*_for` entries with the shop.
use super::Shop;
use super::catalog_store::StoreError;
use super::clock::now;
use super::errors::store_err;
use super::review_store::{HelpfulVote, NewReview, ReplyOutcome, ReviewStore, StoredReview};
use crate::domain::account::Principal;
use crate::domain::admin_pages::StoreReviews;
use crate::domain::errors::AppError;
use crate::domain::paging::{Cursor, fetch_size};
use crate::domain::review::{
    PAGE_SIZE, Review, ReviewSort, ReviewsView, Viewer, last_page, public_name, validate_reply, validate_review,
};

pub const ALREADY_REVIEWED: &str =
    "You have already reviewed this product. Edit your review instead: you can change its stars and text.";

fn no_product() -> AppError {
    AppError::NotFound("This product is not available.".into())
}

fn no_review() -> AppError {
    AppError::NotFound("This review no longer exists.".into())
}

fn staff_of(who: &Principal, merchant_id: i64) -> bool {
    who.is_admin || who.works_for(merchant_id)
}

fn to_review(r: StoredReview, viewer: Option<&Principal>) -> Review {
    Review {
        id: r.id,
        product_id: r.product_id,
        author: public_name(&r.author_name),
        rating: r.rating,
        body: r.body,
        helpful_count: r.helpful_count,
        verified_purchase: r.verified_purchase,
        merchant_reply: r.merchant_reply,
        replied_at: r.replied_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        is_own: viewer.is_some_and(|v| v.user_id == r.user_id),
        voted_helpful: r.voted_helpful,
    }
}

async fn merchant_of_product(store: &dyn ReviewStore, product_id: i64) -> Result<i64, AppError> {
    store.product_merchant(product_id).await.map_err(store_err)?.ok_or_else(no_product)
}

/// The store selling the product a review is about (for the reply guard).
pub async fn review_merchant(store: &dyn ReviewStore, review_id: i64) -> Result<i64, AppError> {
    store.review_merchant(review_id).await.map_err(store_err)?.ok_or_else(no_review)
}

/// The reviews section of a product page, as `viewer` sees it.
pub async fn reviews_view(
    store: &dyn ReviewStore,
    viewer: Option<&Principal>,
    product_id: i64,
    sort: ReviewSort,
    requested_page: u32,
) -> Result<ReviewsView, AppError> {
    let merchant = merchant_of_product(store, product_id).await?;
    let summary = store.rating_summary(product_id).await.map_err(store_err)?;
    // A page past the end shows the last one.
    let page = requested_page.clamp(1, last_page(summary.count));
    let offset = (page as i64 - 1) * PAGE_SIZE;
    let rows =
        store.list_reviews(product_id, sort, offset, PAGE_SIZE, viewer.map(|v| v.user_id)).await.map_err(store_err)?;
    let mine = match viewer {
        Some(v) => store.review_by_author(product_id, v.user_id).await.map_err(store_err)?,
        None => None,
    };
    let who = match viewer {
        None => Viewer::Visitor,
        // A platform admin may reply through the API (moderation) but sees the page as a shopper.
        Some(v) if v.works_for(merchant) => Viewer::StoreStaff,
        Some(_) => Viewer::Shopper,
    };
    Ok(ReviewsView {
        product_id,
        summary,
        sort,
        reviews: rows.into_iter().map(|r| to_review(r, viewer)).collect(),
        viewer: who,
        mine: mine.map(|r| to_review(r, viewer)),
        page,
    })
}

/// A review as its form sends it: which product, which of the author's reviews it edits (none for
/// a new one), the stars and the text, both still to be checked.
#[derive(Clone, Copy, Debug)]
pub struct ReviewDraft<'a> {
    pub product_id: i64,
    pub editing: Option<i64>,
    pub rating: Option<&'a str>,
    pub body: &'a str,
}

/// Creates the author's review, or edits it when `editing` names their review. A second review
/// of the same product is refused with a message that says to edit the first.
pub async fn write_review(store: &dyn ReviewStore, who: &Principal, draft: ReviewDraft<'_>) -> Result<(), AppError> {
    let ReviewDraft { product_id, editing, rating, body } = draft;
    let merchant = merchant_of_product(store, product_id).await?;
    if who.works_for(merchant) {
        // Staff reviewing their own store's products would not be reviews.
        return Err(AppError::Forbidden);
    }
    let input = validate_review(rating, body)?;
    let review = NewReview { product_id, user_id: who.user_id, rating: input.rating, body: input.body };
    match editing {
        None => store.create_review(&review, now()).await.map(|_| ()).map_err(|e| match e {
            StoreError::Conflict(_) => AppError::one("form", ALREADY_REVIEWED),
            other => store_err(other),
        }),
        Some(id) => {
            let own = store.review_by_author(product_id, who.user_id).await.map_err(store_err)?;
            if own.as_ref().map(|r| r.id) != Some(id) {
                return Err(no_review());
            }
            if store.update_review(&review, now()).await.map_err(store_err)? { Ok(()) } else { Err(no_review()) }
        }
    }
}

pub async fn mark_helpful(store: &dyn ReviewStore, who: &Principal, review_id: i64) -> Result<(), AppError> {
    match store.vote_helpful(review_id, who.user_id).await.map_err(store_err)? {
        HelpfulVote::Counted => Ok(()),
        HelpfulVote::AlreadyVoted => Err(AppError::one("form", "You have already marked this review helpful.")),
        HelpfulVote::OwnReview => Err(AppError::one("form", "You can't mark your own review helpful.")),
        HelpfulVote::NoSuchReview => Err(no_review()),
    }
}

/// The selling store's one reply to a review. Staff of other stores are refused even when a
/// caller forgot the guard.
pub async fn reply(store: &dyn ReviewStore, who: &Principal, review_id: i64, text: &str) -> Result<(), AppError> {
    let merchant = review_merchant(store, review_id).await?;
    if !staff_of(who, merchant) {
        return Err(AppError::Forbidden);
    }
    let text = validate_reply(text)?;
    match store.reply(review_id, merchant, &text, now()).await.map_err(store_err)? {
        ReplyOutcome::Saved => Ok(()),
        ReplyOutcome::AlreadyReplied => Err(AppError::one("reply", "This review already has your store's reply.")),
        ReplyOutcome::NotFound => Err(no_review()),
    }
}

/// The reviews section of a product page, as `viewer` sees it.
pub async fn reviews_view_for(
    shop: &Shop,
    viewer: Option<&Principal>,
    product_id: i64,
    sort: ReviewSort,
    requested_page: u32,
) -> Result<ReviewsView, AppError> {
    reviews_view(shop.reviews.as_ref(), viewer, product_id, sort, requested_page).await
}

/// `write_review` over the shop's review port.
pub async fn write_review_for(shop: &Shop, who: &Principal, draft: ReviewDraft<'_>) -> Result<(), AppError> {
    write_review(shop.reviews.as_ref(), who, draft).await
}

pub async fn mark_helpful_for(shop: &Shop, who: &Principal, review_id: i64) -> Result<(), AppError> {
    mark_helpful(shop.reviews.as_ref(), who, review_id).await
}

/// The store selling the product a review is about (for the reply guard).
pub async fn review_merchant_for(shop: &Shop, review_id: i64) -> Result<i64, AppError> {
    review_merchant(shop.reviews.as_ref(), review_id).await
}

pub async fn reply_for(shop: &Shop, who: &Principal, review_id: i64, text: &str) -> Result<(), AppError> {
    reply(shop.reviews.as_ref(), who, review_id, text).await
}

/// The store's Reviews page: reviews of its own products, newest first by cursor, optionally
/// only those still waiting for a reply or of products whose title or SKU contains `search`
/// (the caller checked the access).
pub async fn store_page(
    shop: &Shop,
    merchant_id: i64,
    unanswered: bool,
    search: &str,
    cursor: Cursor,
) -> Result<StoreReviews, AppError> {
    use crate::domain::admin_pages::PAGE_SIZE;
    let search: String = search.trim().chars().take(100).collect();
    let read =
        |c: Cursor| shop.admin.store_reviews(merchant_id, unanswered, &search, c, fetch_size(PAGE_SIZE as usize));
    let page = super::list_pages::cursor_page(read, |r| r.id, cursor, PAGE_SIZE as usize).await?;
    let (total, average) = shop.admin.store_rating(merchant_id).await.map_err(store_err)?;
    let store_name = super::merchants::store_name(shop, merchant_id).await?;
    Ok(StoreReviews { merchant_id, store_name, page, unanswered, search, total, average })
}
