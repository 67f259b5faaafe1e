//! One path for every product list a shopper filters and sorts (category pages and search):
//! load cheap signal rows for all candidates, count facets, apply the filters, order (the
//! ranking engine for ranked sorts, plain keys otherwise), then build cards for one page only.
use super::catalog_store::{Candidates, CatalogStore, ListingRow, ProductQuery, StoreError, ViewProfile};
use crate::domain::catalog::Category;
use crate::domain::category_tree;
use crate::domain::facets::{self, FacetItem, Filters};
use crate::domain::listing::{PAGE_SIZE, Page, Sort, clamp_page};
use crate::domain::ranking::{Signal, Weights, affinity, availability, bayesian_rating, by_max, freshness, rank};
use crate::domain::storefront::{Listing, RankedCard};
use std::collections::HashMap;

/// A product loses half its freshness every 90 days.
pub const FRESHNESS_HALF_LIFE_SECS: i64 = 90 * 24 * 3600;
/// Reviews a product needs before its own average counts as much as the catalog's.
pub const RATING_PRIOR_VOTES: f64 = 5.0;
/// The catalog mean assumed before any review exists.
const DEFAULT_MEAN_RATING: f64 = 3.5;
/// Affinity looks at the last 90 days of product views.
pub const AFFINITY_WINDOW_SECS: i64 = 90 * 24 * 3600;
/// Categories offered in the search facet; more is noise.
const MAX_CATEGORY_FACETS: usize = 12;

/// Signal rows of whole categories, kept while the catalog version stays the same: a large
/// category's rows cost tens of milliseconds to read (100 ms for 9 000 products), and a category
/// page is asked for far more often than its products change. The version moves with every price,
/// publish, review or store change and whenever a variant sells out or comes back, on any
/// instance; prices and stock shown on cards are always read fresh.
#[derive(Default)]
pub struct ListingCache {
    rows: std::sync::Mutex<HashMap<Vec<i64>, (i64, std::sync::Arc<Vec<ListingRow>>)>>,
    /// The marketplace's review totals (the rating signal's prior): a sum over every reviewed
    /// product, so reading it per listing made a page's cost grow with the number of reviews
    /// (bench/history.sh). Review totals move the catalog version.
    rating_totals: super::per_version::PerVersion<(i64, i64)>,
}

const MAX_CACHED_LISTINGS: usize = 64;

impl ListingCache {
    async fn rows(
        &self,
        store: &dyn CatalogStore,
        candidates: &Candidates,
    ) -> Result<std::sync::Arc<Vec<ListingRow>>, StoreError> {
        let Candidates::Categories(ids) = candidates else {
            return Ok(std::sync::Arc::new(store.listing_rows(candidates).await?));
        };
        let lock = || self.rows.lock().unwrap_or_else(|e| e.into_inner());
        let version = store.catalog_version().await?;
        if let Some((seen, rows)) = lock().get(ids) {
            if *seen == version {
                return Ok(rows.clone());
            }
        }
        let rows = std::sync::Arc::new(store.listing_rows(candidates).await?);
        let mut cache = lock();
        cache.retain(|_, (seen, _)| *seen == version);
        if cache.len() < MAX_CACHED_LISTINGS {
            cache.insert(ids.clone(), (version, rows.clone()));
        }
        Ok(rows)
    }
}

pub struct ListingRequest {
    pub candidates: Candidates,
    /// Text relevance per product id (search only), any positive scale.
    pub relevance: Option<HashMap<i64, f64>>,
    pub filters: Filters,
    pub sort: Sort,
    pub page: u32,
    /// Offer a category facet (search); a category page shows its subcategories instead.
    pub category_facet: bool,
    /// The signed-in shopper's views, for the affinity signal.
    pub viewer: Option<ViewProfile>,
    pub can_explain: bool,
    /// Weights to rank with instead of the stored ones (the admin's preview).
    pub weights: Option<Weights>,
}

/// The signals of one product, each normalised to [0, 1].
fn signals(
    rows: &[&ListingRow],
    relevance: Option<&HashMap<i64, f64>>,
    prior_mean: f64,
    viewer: Option<&ViewProfile>,
    now: i64,
) -> Vec<Vec<(Signal, f64)>> {
    let text =
        relevance.map(|r| by_max(&rows.iter().map(|row| r.get(&row.id).copied().unwrap_or(0.0)).collect::<Vec<_>>()));
    let viewer = viewer.filter(|v| !v.by_category.is_empty());
    let max_cat = viewer.and_then(|v| v.by_category.iter().map(|(_, n)| *n).max()).unwrap_or(0);
    let max_store = viewer.and_then(|v| v.by_merchant.iter().map(|(_, n)| *n).max()).unwrap_or(0);
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut s = Vec::with_capacity(5);
            if let Some(text) = &text {
                s.push((Signal::TextRelevance, text[i]));
            }
            let mean = if row.review_count > 0 { row.rating_sum as f64 / row.review_count as f64 } else { 0.0 };
            s.push((Signal::Rating, bayesian_rating(row.review_count as f64, mean, RATING_PRIOR_VOTES, prior_mean)));
            s.push((Signal::Freshness, freshness(now - row.created_at, FRESHNESS_HALF_LIFE_SECS)));
            s.push((Signal::Availability, availability(row.total_stock)));
            if let Some(v) = viewer {
                let cat = v.by_category.iter().find(|(c, _)| *c == row.category_id).map(|(_, n)| *n).unwrap_or(0);
                let store = v.by_merchant.iter().find(|(m, _)| *m == row.merchant_slug).map(|(_, n)| *n).unwrap_or(0);
                s.push((Signal::Affinity, affinity(cat, max_cat, store, max_store)));
            }
            s
        })
        .collect()
}

pub async fn list(
    store: &dyn CatalogStore,
    categories: &[Category],
    cache: &ListingCache,
    req: ListingRequest,
) -> Result<Listing, StoreError> {
    let rows = cache.rows(store, &req.candidates).await?;
    // Unknown category or store slugs are dropped, so a stale link still shows products.
    let mut filters = req.filters;
    filters.categories.retain(|slug| categories.iter().any(|c| &c.slug == slug));
    filters.stores.retain(|slug| rows.iter().any(|r| &r.merchant_slug == slug));

    let paths: HashMap<i64, Vec<String>> = categories
        .iter()
        .map(|c| (c.id, category_tree::path_to(categories, c.id).into_iter().map(|p| p.slug).collect()))
        .collect();
    let items: Vec<FacetItem> = rows
        .iter()
        .map(|r| FacetItem {
            category_path: paths.get(&r.category_id).cloned().unwrap_or_default(),
            store_slug: r.merchant_slug.clone(),
            price_minor: r.price_minor,
            stock: r.total_stock,
            review_count: r.review_count,
            rating_sum: r.rating_sum,
        })
        .collect();

    let facet_categories = if req.category_facet { category_choices(&rows, categories, &filters) } else { Vec::new() };
    let mut stores: Vec<(String, String)> = Vec::new();
    for r in rows.iter() {
        if !stores.iter().any(|(s, _)| s == &r.merchant_slug) {
            stores.push((r.merchant_slug.clone(), r.merchant_name.clone()));
        }
    }
    // The price bands are labelled in the listed products' currency; an empty listing has no
    // prices to band, and shows its (empty) bands in the marketplace's.
    let currency = rows.first().map(|r| r.currency).unwrap_or(super::MARKETPLACE_CURRENCY);
    let facets = facets::count(&items, &filters, &facet_categories, &stores, currency);

    let kept: Vec<&ListingRow> =
        rows.iter().zip(&items).filter(|(_, item)| facets::matches(item, &filters)).map(|(r, _)| r).collect();
    let ordered: Vec<(i64, Option<crate::domain::ranking::Score>)> = match req.sort {
        Sort::Recommended | Sort::BestRated => {
            let (total_votes, total_sum) = *cache.rating_totals.get(store, || store.rating_totals()).await?;
            let prior = if total_votes > 0 { total_sum as f64 / total_votes as f64 } else { DEFAULT_MEAN_RATING };
            let now = super::clock::now();
            let weights = if req.sort == Sort::BestRated {
                Weights(vec![(Signal::Rating, 1.0)])
            } else if let Some(w) = req.weights.clone() {
                w
            } else {
                store.ranking_weights().await?
            };
            // Equal scores keep this order: most reviewed, then newest.
            let mut kept = kept;
            kept.sort_by(|a, b| b.review_count.cmp(&a.review_count).then(b.created_at.cmp(&a.created_at)));
            let sig = signals(&kept, req.relevance.as_ref(), prior, req.viewer.as_ref(), now);
            let items = kept.iter().map(|r| r.id).zip(sig).collect();
            rank(items, &weights).into_iter().map(|(id, score)| (id, Some(score))).collect()
        }
        Sort::Newest | Sort::PriceLowHigh | Sort::PriceHighLow => {
            let mut kept = kept;
            match req.sort {
                Sort::Newest => kept.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id))),
                Sort::PriceLowHigh => kept.sort_by(|a, b| a.price_minor.cmp(&b.price_minor).then(a.id.cmp(&b.id))),
                _ => kept.sort_by(|a, b| b.price_minor.cmp(&a.price_minor).then(a.id.cmp(&b.id))),
            }
            kept.iter().map(|r| (r.id, None)).collect()
        }
    };

    let total = ordered.len() as i64;
    let page = clamp_page(req.page, total, PAGE_SIZE);
    let start = ((page - 1) * PAGE_SIZE) as usize;
    let mut shown: Vec<(i64, Option<crate::domain::ranking::Score>)> =
        ordered.into_iter().skip(start).take(PAGE_SIZE as usize).collect();
    let ids: Vec<i64> = shown.iter().map(|(id, _)| *id).collect();
    let query = ProductQuery {
        category_ids: None,
        ids: Some(ids),
        sort: Sort::Newest,
        offset: 0,
        limit: PAGE_SIZE as i64,
        in_stock_only: false,
    };
    let cards = store.list_products(&query).await?;
    let mut by_id: HashMap<i64, crate::domain::catalog::ProductCard> = cards.into_iter().map(|c| (c.id, c)).collect();
    let items =
        shown.drain(..).filter_map(|(id, score)| by_id.remove(&id).map(|card| RankedCard { card, score })).collect();
    Ok(Listing {
        products: Page { items, page, per_page: PAGE_SIZE, total },
        facets,
        filters,
        sort: req.sort,
        can_explain: req.can_explain,
    })
}

/// The categories the candidates fall in (most products first), plus any the shopper chose.
fn category_choices(rows: &[ListingRow], categories: &[Category], filters: &Filters) -> Vec<(String, String)> {
    let mut counts: Vec<(i64, usize)> = Vec::new();
    for r in rows {
        match counts.iter_mut().find(|(c, _)| *c == r.category_id) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.category_id, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1));
    let mut out: Vec<(String, String)> = counts
        .into_iter()
        .take(MAX_CATEGORY_FACETS)
        .filter_map(|(id, _)| categories.iter().find(|c| c.id == id).map(|c| (c.slug.clone(), c.name.clone())))
        .collect();
    for slug in &filters.categories {
        if !out.iter().any(|(s, _)| s == slug) {
            if let Some(c) = categories.iter().find(|c| &c.slug == slug) {
                out.push((c.slug.clone(), c.name.clone()));
            }
        }
    }
    out
}
