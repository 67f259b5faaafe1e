//! Product search: full-text match in the store, typo correction against the catalog's
//! vocabulary when nothing matches as typed, then the usual product cards in relevance order.
use super::catalog_store::{CatalogStore, ProductQuery, StoreError};
use crate::domain::listing::{PAGE_SIZE, Page, Sort, clamp_page};
use crate::domain::ranking::{Signal, availability, by_max, freshness, rank};
use crate::domain::search::{correct, tokenize};
use crate::domain::storefront::SearchResults;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Enough hits for many pages; beyond this a shopper refines the query.
pub const MAX_HITS: i64 = 480;
pub const MAX_QUERY_CHARS: usize = 200;
/// A product loses half its freshness every 90 days.
pub const FRESHNESS_HALF_LIFE_SECS: i64 = 90 * 24 * 3600;

/// The vocabulary changes only when products do; rebuilding it on every misspelled query would
/// scan the whole index, so it is kept for a few minutes.
#[derive(Default)]
pub struct VocabularyCache {
    cached: Mutex<Option<(Instant, std::sync::Arc<Vec<(String, i64)>>)>>,
}

const VOCABULARY_TTL: Duration = Duration::from_secs(300);

impl VocabularyCache {
    async fn get(&self, store: &dyn CatalogStore) -> Result<std::sync::Arc<Vec<(String, i64)>>, StoreError> {
        if let Some((at, words)) = self.cached.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if at.elapsed() < VOCABULARY_TTL {
                return Ok(words.clone());
            }
        }
        let words = std::sync::Arc::new(store.search_vocabulary().await?);
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), words.clone()));
        Ok(words)
    }
}

pub async fn search(
    store: &dyn CatalogStore,
    vocabulary: &VocabularyCache,
    query: &str,
    requested_page: u32,
) -> Result<SearchResults, StoreError> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    let words = tokenize(&query);
    let mut hits = store.search(&words, MAX_HITS).await?;
    let mut corrected = None;
    if hits.is_empty() && !words.is_empty() {
        if let Some(fixed) = correct(&words, &vocabulary.get(store).await?) {
            hits = store.search(&fixed, MAX_HITS).await?;
            if !hits.is_empty() {
                corrected = Some(fixed.join(" "));
            }
        }
    }
    // Load every hit's card (visibility rules apply there), then rank: text relevance first,
    // with freshness and availability (score = Σ wᵢ·sᵢ / Σ wᵢ, see domain::ranking).
    let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
    let q = ProductQuery {
        category_ids: None,
        ids: Some(ids),
        sort: Sort::Newest,
        offset: 0,
        limit: MAX_HITS,
        in_stock_only: false,
    };
    let (mut cards, _) = store.list_products(&q).await?;
    let position = |id: i64| hits.iter().position(|(h, _)| *h == id).unwrap_or(usize::MAX);
    cards.sort_by_key(|c| position(c.id));
    let relevance = by_max(&cards.iter().map(|c| hits[position(c.id)].1).collect::<Vec<_>>());
    let now = super::accounts::now();
    let signals = cards.into_iter().zip(relevance).map(|(card, text)| {
        let s = vec![
            (Signal::TextRelevance, text),
            (Signal::Freshness, freshness(now - card.created_at, FRESHNESS_HALF_LIFE_SECS)),
            (Signal::Availability, availability(card.total_stock)),
        ];
        (card, s)
    });
    let cards: Vec<_> =
        rank(signals.collect(), &store.ranking_weights().await?).into_iter().map(|(card, _)| card).collect();
    let total = cards.len() as i64;
    let page = clamp_page(requested_page, total, PAGE_SIZE);
    let start = ((page - 1) * PAGE_SIZE) as usize;
    let items = cards.into_iter().skip(start).take(PAGE_SIZE as usize).collect();
    Ok(SearchResults { query, corrected, products: Page { items, page, per_page: PAGE_SIZE, total } })
}
