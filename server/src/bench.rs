//! `server bench-search`: server-side search latency over a fixed query mix, measured in
//! process (the search service with its real database, no HTTP or rendering), so the figures
//! say where search itself spends its time. Run it on a catalog seeded with
//! `server seed --products 100000`; `bench/search.sh` does both for SQLite and PostgreSQL.
use app::domain::facets::Filters;
use app::domain::listing::Sort;
use app::services::CatalogStore;
use app::services::catalog::CategoryCache;
use app::services::catalog_store::ProductQuery;
use app::services::listing::ListingCache;
use app::services::search::{SearchRequest, VocabularyCache, search};
use std::time::{Duration, Instant};

struct Case {
    name: &'static str,
    query: String,
    filters: Filters,
    sort: Sort,
}

fn case(name: &'static str, query: &str) -> Case {
    Case { name, query: query.to_string(), filters: Filters::default(), sort: Sort::Recommended }
}

/// The query mix, picked from the catalog's own vocabulary so it works on any seed: the most
/// common word, the rarest word, the first two words of a title, a 4-letter prefix, the common
/// word with two letters swapped, a facet filter and the best-rated sort.
async fn mix(store: &dyn CatalogStore) -> Result<Vec<Case>, String> {
    // Words from product titles only: store names (all products of a store share them) would
    // make an unrealistically common "word".
    let newest =
        ProductQuery { category_ids: None, ids: None, sort: Sort::Newest, offset: 0, limit: 500, in_stock_only: false };
    let cards = store.list_products(&newest).await.map_err(|e| e.to_string())?;
    let store_words: std::collections::HashSet<String> =
        cards.iter().flat_map(|c| app::domain::search::tokenize(&c.merchant_name)).collect();
    let title_words: std::collections::HashSet<String> = cards
        .iter()
        .flat_map(|c| app::domain::search::tokenize(&c.title))
        .filter(|w| !store_words.contains(w))
        .collect();
    let mut vocab = store.search_vocabulary().await.map_err(|e| e.to_string())?;
    vocab.retain(|(w, _)| w.len() >= 5 && w.chars().all(|c| c.is_ascii_lowercase()) && title_words.contains(w));
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let (common, _) = vocab.first().cloned().ok_or("the catalog is empty: seed it first")?;
    let (rare, _) = vocab.last().cloned().unwrap_or_default();
    let title = cards.first().map(|c| c.title.clone()).unwrap_or_default();
    let two: Vec<&str> = title.split_whitespace().take(2).collect();
    let mut typo: Vec<char> = common.chars().collect();
    typo.swap(1, 2);
    let typo: String = typo.into_iter().collect();
    let probe = search(
        store,
        &VocabularyCache::default(),
        &CategoryCache::default(),
        &ListingCache::default(),
        request(&case("probe", &common), 1),
    )
    .await
    .map_err(|e| e.to_string())?;
    let top_store = probe.listing.facets.stores.first().map(|s| s.value.clone()).unwrap_or_default();
    let band = probe.listing.facets.prices.iter().max_by_key(|p| p.count).map(|p| p.value.clone());
    Ok(vec![
        case("very common term", &common),
        case("rare term", &rare),
        case("two terms", &two.join(" ").to_lowercase()),
        case("prefix", &common[..4]),
        case("misspelling", &typo),
        Case {
            filters: Filters::from_params(None, Some(&top_store), band.as_deref(), None, Some("1")),
            ..case("facet filter", &common)
        },
        Case { sort: Sort::BestRated, ..case("sort by rating", &common) },
    ])
}

fn request(c: &Case, page: u32) -> SearchRequest {
    SearchRequest {
        query: c.query.clone(),
        filters: c.filters.clone(),
        sort: c.sort,
        page,
        viewer: None,
        can_explain: false,
        weights: None,
    }
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

pub async fn run(store: &dyn CatalogStore, rounds: usize) -> Result<(), String> {
    let products = store.count_products().await.map_err(|e| e.to_string())?;
    let cases = mix(store).await?;
    let vocabulary = VocabularyCache::default();
    let categories = CategoryCache::default();
    let listings = ListingCache::default();
    // The vocabulary is cached for minutes in a running server; build it once, and say how long.
    let started = Instant::now();
    search(store, &vocabulary, &categories, &listings, request(&case("warm", "zzzzqx"), 1))
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{} on {} products; vocabulary build (cached 5 min): {} ms",
        store.engine(),
        products,
        ms(started.elapsed())
    );
    println!("{:<18} {:<28} {:>8} {:>8} {:>8} {:>8}", "case", "query", "results", "p50 ms", "p95 ms", "p99 ms");
    let mut all = Vec::new();
    for c in &cases {
        for _ in 0..3 {
            search(store, &vocabulary, &categories, &listings, request(c, 1)).await.map_err(|e| e.to_string())?;
        }
        let mut times = Vec::with_capacity(rounds);
        let mut results = 0;
        for i in 0..rounds {
            // Alternate the first two pages, as shoppers do.
            let t = Instant::now();
            let r = search(store, &vocabulary, &categories, &listings, request(c, 1 + (i % 2) as u32))
                .await
                .map_err(|e| e.to_string())?;
            times.push(t.elapsed());
            results = r.listing.products.total;
        }
        times.sort();
        let label = if c.filters.is_empty() { c.query.clone() } else { format!("{} +facets", c.query) };
        println!(
            "{:<18} {:<28} {:>8} {:>8} {:>8} {:>8}",
            c.name,
            label.chars().take(28).collect::<String>(),
            results,
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 95.0)),
            ms(percentile(&times, 99.0))
        );
        all.extend(times);
    }
    breakdown(store, &cases[0].query, rounds).await?;
    all.sort();
    println!(
        "{:<18} {:<28} {:>8} {:>8} {:>8} {:>8}",
        "all",
        format!("{} requests", all.len()),
        "",
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 95.0)),
        ms(percentile(&all, 99.0))
    );
    Ok(())
}

/// Where one search's time goes: each store call it makes, timed alone (median).
async fn breakdown(store: &dyn CatalogStore, query: &str, rounds: usize) -> Result<(), String> {
    use app::services::catalog_store::Candidates;
    let words = app::domain::search::tokenize(query);
    let e = |e: app::services::StoreError| e.to_string();
    let found = store.search(&words, app::domain::search::MAX_HITS).await.map_err(e)?;
    let ids: Vec<i64> = found.hits.iter().map(|(id, _)| *id).collect();
    let page: Vec<i64> = ids.iter().take(24).copied().collect();
    let mut steps: Vec<(&str, Vec<Duration>)> = Vec::new();
    macro_rules! step {
        ($name:expr, $call:expr) => {{
            let mut times = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let t = Instant::now();
                $call.await.map_err(e)?;
                times.push(t.elapsed());
            }
            times.sort();
            steps.push(($name, times));
        }};
    }
    step!("full-text match + rank", store.search(&words, app::domain::search::MAX_HITS));
    step!("signal rows (all hits)", store.listing_rows(&Candidates::Ids(ids.clone())));
    step!("rating prior", store.rating_totals());
    step!("ranking weights", store.ranking_weights());
    let cards = ProductQuery {
        category_ids: None,
        ids: Some(page),
        sort: Sort::Newest,
        offset: 0,
        limit: 24,
        in_stock_only: false,
    };
    step!("cards (one page)", store.list_products(&cards));
    println!("where the time goes for {query:?} ({} hits, median of {rounds}):", ids.len());
    for (name, times) in steps {
        println!("  {name:<26} {:>8} ms", ms(percentile(&times, 50.0)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&d, 95.0), Duration::from_millis(95));
        assert_eq!(percentile(&d, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
