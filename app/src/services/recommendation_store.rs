//! The storage port for recommendations: the signals (views written in batches; purchases, cart
//! adds and ratings read from their own tables), the similarity job's input and output (replaced
//! at once under a lease, so one server instance at a time recomputes), and the indexed reads the
//! product, cart and home pages make. Every read returns only products a shopper may buy now:
//! published, of an active store, in stock.
use super::catalog_store::StoreError;
use crate::domain::catalog::ProductCard;
use crate::domain::recommend::{Interaction, InterestWeights};
use async_trait::async_trait;

/// Who looked at a product.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Viewer {
    User(i64),
    /// The SHA-256 (hex) of the visitor's guest-cart or visitor cookie, never the cookie itself.
    Visitor(String),
}

/// One product page view, as buffered before a flush.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewEvent {
    pub viewer: Viewer,
    pub product_id: i64,
    pub at: i64,
}

/// Where product views go: recorded without waiting for the database, written in batches.
#[async_trait]
pub trait ViewSink: Send + Sync + 'static {
    /// Queues a view; never blocks on the database.
    fn record(&self, view: ViewEvent);
    /// Writes everything queued now, in one transaction; returns how many views were written.
    async fn flush(&self) -> Result<usize, StoreError>;
}

/// One stored neighbour of a product.
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarityRow {
    pub product_id: i64,
    pub similar_id: i64,
    pub score: f64,
    /// Baskets holding both products.
    pub support: i64,
    /// 1 for the best neighbour.
    pub rank: i64,
}

/// A past paid order for the demo seed: who, when, and (product id, quantity) lines (each bought
/// in its first variant).
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryOrder {
    pub user_id: i64,
    pub email: String,
    pub at: i64,
    pub lines: Vec<(i64, i64)>,
}

#[async_trait]
pub trait RecommendationStore: Send + Sync + 'static {
    // --- signals -------------------------------------------------------------------------------
    /// Writes a batch of views in one transaction: a signed-in shopper's into `product_views`
    /// (count and latest time, as the analytics funnel and ranking expect), a visitor's into
    /// `anon_product_views`. Views of products that no longer exist are skipped.
    async fn record_views(&self, views: &[ViewEvent]) -> Result<usize, StoreError>;

    /// A signed-in shopper's interactions since `since`: purchases (paid orders), ratings, cart
    /// adds and views, newest first, at most `limit`.
    async fn history(&self, user_id: i64, since: i64, limit: i64) -> Result<Vec<Interaction>, StoreError>;
    /// A visitor's (not signed in) product views since `since`, by the hash of their cookie,
    /// newest first, at most `limit`: what "Recommended for you" predicts from before sign-in.
    async fn visitor_history(&self, visitor: &str, since: i64, limit: i64) -> Result<Vec<Interaction>, StoreError>;

    // --- the similarity job --------------------------------------------------------------------
    /// Each paid order placed since `since`: its distinct products.
    async fn order_baskets(&self, since: i64) -> Result<Vec<Vec<i64>>, StoreError>;
    /// Each shopper's and each visitor's products viewed since `since` (co-view baskets).
    async fn view_baskets(&self, since: i64) -> Result<Vec<Vec<i64>>, StoreError>;
    /// (product, unix seconds, weight) for every purchase line, cart add, rating and view since
    /// `since`, weighted by kind as `w` says (a rating by rating/5, a purchase by its quantity).
    async fn popularity_events(&self, since: i64, w: &InterestWeights) -> Result<Vec<(i64, i64, f64)>, StoreError>;

    /// Takes the named lease for `holder` until `now + ttl` if it is free, expired, or already
    /// `holder`'s (a conditional INSERT, else a conditional UPDATE); true when taken.
    async fn try_lease(&self, name: &str, holder: &str, now: i64, ttl: i64) -> Result<bool, StoreError>;
    /// Gives the lease up early (only `holder`'s); records `now` as the last refresh when `done`.
    async fn release_lease(&self, name: &str, holder: &str, now: i64, done: bool) -> Result<(), StoreError>;
    /// Replaces every similarity and popularity row in one transaction, only while `holder` still
    /// holds the lease (false, and nothing written, otherwise).
    async fn replace(
        &self,
        lease: (&str, &str),
        now: i64,
        similarities: &[SimilarityRow],
        popular: &[(i64, f64)],
    ) -> Result<bool, StoreError>;

    // --- reads ---------------------------------------------------------------------------------
    /// The product's stored neighbours as cards, best first, filled up with popular products to
    /// `limit`; never the product itself.
    async fn also_bought(&self, product_id: i64, limit: i64) -> Result<Vec<ProductCard>, StoreError>;
    /// Neighbours of all of `product_ids` (summed scores), minus those products, filled up with
    /// popular products to `limit`.
    async fn together(&self, product_ids: &[i64], limit: i64) -> Result<Vec<ProductCard>, StoreError>;
    /// The stored neighbours of each of `product_ids`: (product, neighbour, score).
    async fn neighbours(&self, product_ids: &[i64]) -> Result<Vec<(i64, i64, f64)>, StoreError>;
    /// The stored popularity, best first: (product, score), at most `limit`.
    async fn popularity(&self, limit: i64) -> Result<Vec<(i64, f64)>, StoreError>;
    /// Cards for `ranked` in that order, skipping `exclude`, filled up with popular products to
    /// `limit` (popular only when `ranked` is empty).
    async fn ranked_cards(&self, ranked: &[i64], exclude: &[i64], limit: i64) -> Result<Vec<ProductCard>, StoreError>;

    /// The demo seed's past orders: written as delivered, paid orders (no stock taken) in one
    /// transaction; returns how many.
    async fn import_history(&self, orders: &[HistoryOrder]) -> Result<usize, StoreError>;
}
