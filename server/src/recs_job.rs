//! The similarity job: recomputes "customers also bought" neighbours and popularity from the
//! signals, at start-up and every `RECS_REFRESH_SECS` (and once with `server recs-refresh`).
//!
//! Several server instances may run it: each run first takes the `job_leases` row
//! `recommendations` (a conditional INSERT/UPDATE), so one instance computes while the others skip;
//! the lease expires after `LEASE_SECS` if its holder dies, and the final write checks the lease
//! in the same transaction that replaces every row, so a holder that overran writes nothing.
//!
//! What it computes (kept simple on purpose):
//! - purchase similarity: cosine over paid orders' baskets (`similar_items`, min support 2);
//! - co-view similarity: the same over each shopper's / visitor's recently viewed products
//!   (their 50 latest views in the last 90 days), min support 2;
//! - blended score = purchase similarity + `VIEW_WEIGHT` × co-view similarity (views count a
//!   quarter as much as purchases), top `TOP_N` per product; support = baskets holding both
//!   (orders plus view sets, recovered from the cosine: c(i,j) = sim·√(c(i)·c(j)));
//! - popularity: `popular` over purchases, ratings, cart adds and views of the last 180 days,
//!   weighted by kind (`InterestWeights`) with the half-life "Recommended for you" was tuned with
//!   (`for_you::DEFAULT`, 7 days: what sells now); the best `POPULAR_KEEP` kept.
use app::domain::recommend::{InterestWeights, SimilarityParams, for_you, popular, similar_items};
use app::services::recommendation_store::{RecommendationStore, SimilarityRow};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const LEASE: &str = "recommendations";
/// A run must finish within this; a dead holder's lease frees up after it.
pub const LEASE_SECS: i64 = 900;
pub const TOP_N: usize = 20;
pub const MIN_SUPPORT: u32 = 2;
pub const VIEW_WEIGHT: f64 = 0.25;
pub const ORDER_WINDOW_SECS: i64 = 2 * 365 * 86_400;
pub const VIEW_WINDOW_SECS: i64 = 90 * 86_400;
pub const POPULAR_WINDOW_SECS: i64 = 180 * 86_400;
pub const POPULAR_KEEP: usize = 500;

#[derive(Debug, PartialEq)]
pub enum Refresh {
    Done {
        order_baskets: usize,
        view_baskets: usize,
        products: usize,
        rows: usize,
        popular: usize,
        millis: u128,
    },
    /// Another instance holds the lease (or this one lost it before writing).
    Skipped,
}

/// This process's name on the lease: host, process id and start time.
pub fn holder_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{host}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

/// Cosine support back from the score: c(i,j) = sim · √(c(i)·c(j)).
fn support(sim: f64, ci: u32, cj: u32) -> i64 {
    (sim * (f64::from(ci) * f64::from(cj)).sqrt()).round() as i64
}

fn basket_counts(baskets: &[Vec<i64>]) -> HashMap<i64, u32> {
    let mut counts = HashMap::new();
    for b in baskets {
        let mut items = b.clone();
        items.sort_unstable();
        items.dedup();
        for i in items {
            *counts.entry(i).or_insert(0) += 1;
        }
    }
    counts
}

/// Blends purchase and co-view neighbours into the stored rows (rank 1 = best).
pub fn blend(orders: &[Vec<i64>], views: &[Vec<i64>]) -> Vec<SimilarityRow> {
    let params = SimilarityParams { min_support: MIN_SUPPORT, top_n: TOP_N * 2 };
    let by_purchase = similar_items(orders, &params);
    let by_view = if views.is_empty() { HashMap::new() } else { similar_items(views, &params) };
    let (co, cv) = (basket_counts(orders), basket_counts(views));
    let mut products: Vec<i64> = by_purchase.keys().chain(by_view.keys()).copied().collect();
    products.sort_unstable();
    products.dedup();
    let mut rows = Vec::new();
    for i in products {
        // j → (score, support)
        let mut acc: HashMap<i64, (f64, i64)> = HashMap::new();
        for (j, s) in by_purchase.get(&i).into_iter().flatten() {
            let e = acc.entry(*j).or_insert((0.0, 0));
            e.0 += s;
            e.1 += support(*s, co[&i], co[j]);
        }
        for (j, s) in by_view.get(&i).into_iter().flatten() {
            let e = acc.entry(*j).or_insert((0.0, 0));
            e.0 += VIEW_WEIGHT * s;
            e.1 += support(*s, cv[&i], cv[j]);
        }
        let mut list: Vec<(i64, (f64, i64))> = acc.into_iter().filter(|(j, (s, _))| *j != i && *s > 0.0).collect();
        list.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.0.cmp(&b.0)));
        list.truncate(TOP_N);
        for (rank, (j, (score, support))) in list.into_iter().enumerate() {
            rows.push(SimilarityRow { product_id: i, similar_id: j, score, support, rank: rank as i64 + 1 });
        }
    }
    rows
}

/// One run: take the lease, read the signals, compute, replace the rows, give the lease back.
pub async fn refresh(store: &dyn RecommendationStore, holder: &str, now: i64) -> Result<Refresh, String> {
    let started = Instant::now();
    let err = |e: app::services::StoreError| format!("recommendation refresh failed: {e}");
    if !store.try_lease(LEASE, holder, now, LEASE_SECS).await.map_err(err)? {
        return Ok(Refresh::Skipped);
    }
    let result = compute_and_write(store, holder, now, started).await;
    let done = matches!(result, Ok(Some(_)));
    let released = store.release_lease(LEASE, holder, now + started.elapsed().as_secs() as i64, done).await;
    let outcome = result.map_err(err)?;
    released.map_err(err)?;
    Ok(match outcome {
        Some((order_baskets, view_baskets, products, rows, popular)) => Refresh::Done {
            order_baskets,
            view_baskets,
            products,
            rows,
            popular,
            millis: started.elapsed().as_millis(),
        },
        None => Refresh::Skipped,
    })
}

type Counts = (usize, usize, usize, usize, usize);

async fn compute_and_write(
    store: &dyn RecommendationStore,
    holder: &str,
    now: i64,
    started: Instant,
) -> Result<Option<Counts>, app::services::StoreError> {
    let orders = store.order_baskets(now - ORDER_WINDOW_SECS).await?;
    let views = store.view_baskets(now - VIEW_WINDOW_SECS).await?;
    let w = InterestWeights::default();
    let events = store.popularity_events(now - POPULAR_WINDOW_SECS, &w).await?;
    let (order_baskets, view_baskets) = (orders.len(), views.len());
    // CPU work off the async threads.
    let (rows, mut ranked) = tokio::task::spawn_blocking(move || {
        let rows = blend(&orders, &views);
        (rows, popular(&events, now, for_you::DEFAULT.trend_half_life_days))
    })
    .await
    .map_err(|e| app::services::StoreError::Other(format!("the similarity computation failed: {e}")))?;
    ranked.truncate(POPULAR_KEEP);
    let products = rows.iter().map(|r| r.product_id).collect::<std::collections::HashSet<_>>().len();
    // The write re-checks the lease against the time it is written.
    let written_at = now + started.elapsed().as_secs() as i64;
    if !store.replace((LEASE, holder), written_at, &rows, &ranked).await? {
        return Ok(None);
    }
    Ok(Some((order_baskets, view_baskets, products, rows.len(), ranked.len())))
}

/// Runs `refresh` now and every `every`, logging the outcome.
pub fn spawn(store: Arc<dyn RecommendationStore>, every: Duration) {
    let holder = holder_id();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let outcome = refresh(store.as_ref(), &holder, app::services::clock::now()).await;
            match &outcome {
                Ok(Refresh::Done { rows, popular, millis, .. }) => {
                    tracing::info!(rows, popular, millis, "recommendations refreshed")
                }
                Ok(Refresh::Skipped) => tracing::debug!("recommendations: another instance holds the lease"),
                Err(e) => tracing::warn!(error = %e, "recommendations were not refreshed"),
            }
            // A run skipped for another instance's lease did its part: it is not a failure.
            crate::observability::job_ran("recommendations", outcome.is_ok());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchases_outweigh_co_views_and_support_counts_both() {
        // 1–2 bought together three times; 1–3 only viewed together, three times.
        let orders = vec![vec![1, 2], vec![1, 2], vec![1, 2, 4]];
        let views = vec![vec![1, 3], vec![1, 3], vec![3, 1]];
        let rows = blend(&orders, &views);
        let of_1: Vec<&SimilarityRow> = rows.iter().filter(|r| r.product_id == 1).collect();
        assert_eq!(of_1[0].similar_id, 2);
        assert_eq!((of_1[0].rank, of_1[0].support), (1, 3));
        assert_eq!(of_1[1].similar_id, 3);
        assert!(of_1[1].score < of_1[0].score, "a co-view counts a quarter: {rows:?}");
        assert_eq!(of_1[1].support, 3);
        // Below the minimum support (one basket): not stored; never a product with itself.
        assert!(rows.iter().all(|r| r.similar_id != 4 && r.product_id != 4));
        assert!(rows.iter().all(|r| r.product_id != r.similar_id));
    }

    #[test]
    fn no_baskets_no_rows() {
        assert!(blend(&[], &[]).is_empty());
        assert!(blend(&[vec![1]], &[vec![2]]).is_empty());
    }
}
