//! Product search: full-text match in the store, typo correction against the catalog's
//! vocabulary when nothing matches as typed, then the shared listing path (facets, ranking).
use super::catalog_store::{Candidates, CatalogStore, StoreError};
use super::listing::ListingRequest;
use crate::domain::search::{complete, correct, tokenize};
use crate::domain::storefront::{SearchResults, Suggestions};

pub use crate::domain::search::MAX_HITS;
pub const MAX_QUERY_CHARS: usize = 200;

/// The vocabulary changes only when products do; rebuilding it on every misspelled query would
/// scan the whole index, so it is kept while the catalog version stays the same.
#[derive(Default)]
pub struct VocabularyCache {
    cached: super::per_version::PerVersion<Vec<(String, i64)>>,
}

impl VocabularyCache {
    async fn get(&self, store: &dyn CatalogStore) -> Result<std::sync::Arc<Vec<(String, i64)>>, StoreError> {
        self.cached
            .get(store, || async {
                // Numbers (model numbers, sizes) are looked up as typed, never "corrected"; dropping
                // them keeps the list to real words (a catalog with numbered products has one per product).
                let mut words = store.search_vocabulary().await?;
                words.retain(|(w, _)| !w.chars().all(|c| c.is_ascii_digit()));
                Ok(words)
            })
            .await
    }
}

pub struct SearchRequest {
    pub query: String,
    pub filters: crate::domain::facets::Filters,
    pub sort: crate::domain::listing::Sort,
    pub page: u32,
    pub viewer: Option<super::catalog_store::ViewProfile>,
    pub can_explain: bool,
    /// Weights to rank with instead of the stored ones (the admin's preview).
    pub weights: Option<crate::domain::ranking::Weights>,
}

/// An empty query lists recommended products from the newest part of the catalog.
pub async fn search(
    store: &dyn CatalogStore,
    vocabulary: &VocabularyCache,
    categories: &super::catalog::CategoryCache,
    listings: &super::listing::ListingCache,
    req: SearchRequest,
) -> Result<SearchResults, StoreError> {
    let query: String = req.query.trim().chars().take(MAX_QUERY_CHARS).collect();
    let words = tokenize(&query);
    let mut corrected = None;
    let mut matches = 0;
    let (candidates, relevance) = if words.is_empty() {
        (Candidates::Newest(MAX_HITS), None)
    } else {
        let mut found = store.search(&words, MAX_HITS).await?;
        if found.hits.is_empty() {
            if let Some(fixed) = correct(&words, &vocabulary.get(store).await?) {
                found = store.search(&fixed, MAX_HITS).await?;
                if !found.hits.is_empty() {
                    corrected = Some(fixed.join(" "));
                }
            }
        }
        matches = found.matches;
        let ids = found.hits.iter().map(|(id, _)| *id).collect();
        (Candidates::Ids(ids), Some(found.hits.into_iter().collect()))
    };
    let categories = categories.get(store).await?;
    let request = ListingRequest {
        candidates,
        relevance,
        filters: req.filters,
        sort: req.sort,
        page: req.page,
        category_facet: true,
        viewer: req.viewer,
        can_explain: req.can_explain,
        weights: req.weights,
    };
    // Search candidates differ per query, so their rows are never cached (`ListingCache` keeps
    // whole categories' only); the rating prior is.
    let listing = super::listing::list(store, &categories, listings, request).await?;
    Ok(SearchResults { query, corrected, matches, listing })
}

pub const SUGGESTED_QUERIES: usize = 5;
pub const SUGGESTED_PRODUCTS: i64 = 4;

/// Completions of what has been typed so far, and the products the best one finds.
pub async fn suggest(
    store: &dyn CatalogStore,
    vocabulary: &VocabularyCache,
    typed: &str,
) -> Result<Suggestions, StoreError> {
    let typed: String = typed.chars().take(MAX_QUERY_CHARS).collect();
    let words = tokenize(&typed);
    if words.is_empty() {
        return Ok(Suggestions::default());
    }
    let queries = complete(&words, &vocabulary.get(store).await?, SUGGESTED_QUERIES);
    let mut hits = store.search(&words, SUGGESTED_PRODUCTS).await?.hits;
    if hits.is_empty() {
        if let Some(best) = queries.first() {
            hits = store.search(&tokenize(best), SUGGESTED_PRODUCTS).await?.hits;
        }
    }
    let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
    let query = super::catalog_store::ProductQuery {
        category_ids: None,
        ids: Some(ids.clone()),
        sort: crate::domain::listing::Sort::Newest,
        offset: 0,
        limit: SUGGESTED_PRODUCTS,
        in_stock_only: false,
    };
    let mut products = store.list_products(&query).await?;
    products.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok(Suggestions { queries, products })
}
