//! The storage port for product reviews, helpful votes, merchant replies and the per-product
//! rating totals (`product_rating_stats`), which the adapters keep in the same transaction as
//! every review change so listings can read a product's rating without counting reviews.
use super::catalog_store::StoreError;
use crate::domain::review::{RatingSummary, ReviewSort};
use async_trait::async_trait;

#[derive(Clone, Debug)]
pub struct NewReview {
    pub product_id: i64,
    pub user_id: i64,
    /// 1–5, checked by the domain before it gets here (and by the schema).
    pub rating: i64,
    pub body: String,
}

/// A review as stored, with its author's display name.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReview {
    pub id: i64,
    pub product_id: i64,
    pub user_id: i64,
    pub author_name: String,
    pub rating: i64,
    pub body: String,
    pub helpful_count: i64,
    pub merchant_reply: Option<String>,
    pub replied_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The viewer passed to `list_reviews` has marked it helpful.
    pub voted_helpful: bool,
    /// The author has a paid order containing the product.
    pub verified_purchase: bool,
}

/// A review with its history, for seeding and imports.
#[derive(Clone, Debug)]
pub struct ImportedReview {
    pub review: NewReview,
    pub created_at: i64,
    /// Users who found it helpful (never its author).
    pub helpful_voters: Vec<i64>,
    pub merchant_reply: Option<(String, i64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelpfulVote {
    Counted,
    AlreadyVoted,
    OwnReview,
    NoSuchReview,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyOutcome {
    Saved,
    AlreadyReplied,
    /// No such review on a product of this store.
    NotFound,
}

#[async_trait]
pub trait ReviewStore: Send + Sync + 'static {
    /// The store (merchant id) selling this product, when it is published by an active store.
    async fn product_merchant(&self, product_id: i64) -> Result<Option<i64>, StoreError>;
    /// The store selling the product a review is about.
    async fn review_merchant(&self, review_id: i64) -> Result<Option<i64>, StoreError>;

    /// Conflict when the user has already reviewed the product. Updates the rating totals.
    async fn create_review(&self, review: &NewReview, now: i64) -> Result<i64, StoreError>;
    /// Edits the user's own review of the product; `false` when they have none.
    async fn update_review(&self, review: &NewReview, now: i64) -> Result<bool, StoreError>;
    /// All or nothing, in one transaction, with votes and replies (seeding).
    async fn import_reviews(&self, reviews: &[ImportedReview]) -> Result<(), StoreError>;

    async fn review_by_author(&self, product_id: i64, user_id: i64) -> Result<Option<StoredReview>, StoreError>;
    /// One page of a product's reviews; `viewer` fills `voted_helpful`.
    async fn list_reviews(
        &self,
        product_id: i64,
        sort: ReviewSort,
        offset: i64,
        limit: i64,
        viewer: Option<i64>,
    ) -> Result<Vec<StoredReview>, StoreError>;
    /// Read from `product_rating_stats`; zeros when the product has no reviews.
    async fn rating_summary(&self, product_id: i64) -> Result<RatingSummary, StoreError>;

    /// One vote per user and review, never on one's own review.
    async fn vote_helpful(&self, review_id: i64, user_id: i64) -> Result<HelpfulVote, StoreError>;
    /// Sets the reply once, only when the review is about a product of `merchant_id`.
    async fn reply(&self, review_id: i64, merchant_id: i64, reply: &str, now: i64) -> Result<ReplyOutcome, StoreError>;
}
