//! The storage port for the catalog. The SQLite and PostgreSQL adapters in `server` implement
//! it, and one conformance suite holds both to the same behaviour.
use crate::domain::account::MerchantStatus;
use crate::domain::catalog::{Category, ProductCard, ProductDetail};
use crate::domain::listing::Sort;
use crate::domain::money::Currency;
use crate::domain::product_form::ValidVariant;
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken (slug, SKU); the text names which.
    #[error("{0}")]
    Conflict(String),
    /// Input the database would reject; the text says what to fix.
    #[error("{0}")]
    Invalid(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

#[derive(Clone, Debug)]
pub struct NewMerchant {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub status: MerchantStatus,
}

#[derive(Clone, Debug)]
pub struct NewCategory {
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductStatus {
    Draft,
    Published,
}

impl ProductStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<ProductStatus> {
        [ProductStatus::Draft, ProductStatus::Published].into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Clone, Debug)]
pub struct NewImage {
    pub url: String,
    pub alt: String,
}

#[derive(Clone, Debug)]
pub struct NewProduct {
    pub merchant_id: i64,
    pub category_id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub currency: Currency,
    pub status: ProductStatus,
    pub option_names: Vec<String>,
    /// Checked as the product form and the CSV import check theirs (`stock_seen` is `None`: the
    /// stock is a count).
    pub variants: Vec<ValidVariant>,
    pub images: Vec<NewImage>,
    /// Unix seconds; lets seeds and imports keep a product's real age.
    pub created_at: i64,
}

impl NewProduct {
    /// Checks what the schema cannot express, so a bad row is refused with a reason
    /// before anything is written.
    pub fn validate(&self) -> Result<(), StoreError> {
        let bad = |msg: String| Err(StoreError::Invalid(format!("product {:?}: {msg}", self.slug)));
        if !crate::domain::slug::is_valid_slug(&self.slug) {
            return bad("the slug must be lowercase letters, digits and single dashes".into());
        }
        if self.title.trim().is_empty() {
            return bad("the title is empty".into());
        }
        if self.variants.is_empty() {
            return bad("a product needs at least one variant".into());
        }
        for v in &self.variants {
            if v.sku.trim().is_empty() {
                return bad("a variant has an empty SKU".into());
            }
            if v.price_minor < 0 {
                return bad(format!("variant {} has a negative price", v.sku));
            }
            if v.stock < 0 {
                return bad(format!("variant {} has negative stock", v.sku));
            }
            if v.options.len() != self.option_names.len() {
                return bad(format!(
                    "variant {} has {} option values but the product has {} options",
                    v.sku,
                    v.options.len(),
                    self.option_names.len()
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct ProductQuery {
    /// `None` lists the whole catalog.
    pub category_ids: Option<Vec<i64>>,
    /// Only these products (e.g. search hits); `None` for no restriction.
    pub ids: Option<Vec<i64>>,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
    pub in_stock_only: bool,
}

pub use crate::domain::search::COMMON_MATCHES;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchHits {
    /// (product id, relevance), best first (newest first past `COMMON_MATCHES`).
    pub hits: Vec<(i64, f64)>,
    /// How many products match, counted up to `COMMON_MATCHES + 1`.
    pub matches: i64,
}

/// What ranking and faceting need about one listed product: cheap to load for every candidate,
/// so a whole result set can be filtered, counted and ordered before any card is built.
#[derive(Clone, Debug, PartialEq)]
pub struct ListingRow {
    pub id: i64,
    pub category_id: i64,
    pub merchant_slug: String,
    pub merchant_name: String,
    pub currency: Currency,
    /// The lowest variant price.
    pub price_minor: i64,
    pub total_stock: i64,
    pub created_at: i64,
    pub review_count: i64,
    pub rating_sum: i64,
}

/// Which products a listing starts from.
#[derive(Clone, Debug)]
pub enum Candidates {
    /// Products in these categories.
    Categories(Vec<i64>),
    /// Exactly these products (search hits).
    Ids(Vec<i64>),
    /// The newest products of the whole catalog, at most this many.
    Newest(i64),
}

/// How much a shopper looked at each (category, store) pair: the affinity signal's input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewProfile {
    pub by_category: Vec<(i64, i64)>,
    pub by_merchant: Vec<(String, i64)>,
}

/// A product as stored, with its category id so the service can build breadcrumbs.
#[derive(Clone, Debug)]
pub struct StoredProduct {
    pub detail: ProductDetail,
    pub category_id: i64,
}

#[async_trait]
pub trait CatalogStore: Send + Sync + 'static {
    /// "sqlite" or "postgres", for health checks and logs.
    fn engine(&self) -> &'static str;
    async fn ping(&self) -> Result<(), StoreError>;

    async fn create_merchant(&self, merchant: &NewMerchant) -> Result<i64, StoreError>;
    async fn create_category(&self, category: &NewCategory) -> Result<i64, StoreError>;
    /// All or nothing: one bad product (or a taken slug or SKU) writes none of them.
    /// Returns the new ids in input order.
    async fn create_products(&self, products: &[NewProduct]) -> Result<Vec<i64>, StoreError>;

    /// Every category with the number of its own published products from active stores.
    async fn categories(&self) -> Result<Vec<Category>, StoreError>;

    /// A number that moves (in the same transaction) with every change a listing is built from:
    /// products, prices, a variant selling out or coming back, stores' status and names,
    /// categories, review totals. Caches of such things are valid while it stays the same.
    async fn catalog_version(&self) -> Result<i64, StoreError>;
    /// Published products of active stores, one page.
    async fn list_products(&self, query: &ProductQuery) -> Result<Vec<ProductCard>, StoreError>;
    /// How many products the query matches in all (ignoring offset and limit). Separate from
    /// the page because counting a large catalog costs more than the page itself.
    async fn count_listed(&self, query: &ProductQuery) -> Result<i64, StoreError>;
    /// A published product of an active store.
    async fn product_by_slug(&self, slug: &str) -> Result<Option<StoredProduct>, StoreError>;
    async fn count_products(&self) -> Result<i64, StoreError>;

    /// Full-text search: products containing every word (the last one as a prefix), at most
    /// `limit`, with a relevance where higher is better. Title matches weigh most, then category
    /// and store names, then the description. Visibility is applied when the cards are loaded.
    /// Up to `COMMON_MATCHES` matches the best by relevance are returned; beyond that (a word in
    /// every product) ranking every match costs more than it tells, so the newest are returned.
    async fn search(&self, words: &[String], limit: i64) -> Result<SearchHits, StoreError>;
    /// Every indexed word (3+ letters) with the number of products containing it.
    async fn search_vocabulary(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Signal rows for the published products of active stores among `candidates`.
    async fn listing_rows(&self, candidates: &Candidates) -> Result<Vec<ListingRow>, StoreError>;
    /// (number of reviews, sum of their ratings) over the whole catalog: the Bayesian prior.
    async fn rating_totals(&self) -> Result<(i64, i64), StoreError>;
    /// Counts a signed-in shopper's visit to a product page.
    async fn record_view(&self, user_id: i64, product_id: i64, at: i64) -> Result<(), StoreError>;
    /// The shopper's product views since `since`, summed per category and per store.
    async fn view_profile(&self, user_id: i64, since: i64) -> Result<ViewProfile, StoreError>;

    async fn ranking_weights(&self) -> Result<crate::domain::ranking::Weights, StoreError>;
    /// Replaces every weight in one transaction.
    async fn set_ranking_weights(&self, weights: &crate::domain::ranking::Weights) -> Result<(), StoreError>;
}
