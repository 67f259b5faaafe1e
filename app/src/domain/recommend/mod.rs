//! Recommendations: item-to-item similarity from co-occurrence ("customers also bought"), a
//! shopper's time-decayed interest in the items they touched, the predicted interest
//! R(j) = Σᵢ sim(i, j)·rᵢ / Σᵢ sim(i, j) ("recommended for you"; the shop ranks with
//! `predict_with_prior`, the same average with a prior term of interest 0 and weight λ, which
//! `server eval-recs` shows beating both the plain average and popularity) and time-decayed
//! popularity for a cold start. Plain Rust: no Leptos, no sqlx, no async; the storage and pages live elsewhere.
//!
//! `eval` holds the offline evaluation (metrics and train/test splits) and `synthetic` a seeded
//! generator of transactions with a planted co-purchase structure.
pub mod eval;
pub mod eval_for_you;
pub mod eval_repeat;
pub mod for_you;
pub mod repeat;
pub mod synthetic;

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InteractionKind {
    Purchase,
    Rating,
    Cart,
    View,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    pub item: i64,
    pub kind: InteractionKind,
    /// Unix seconds.
    pub at: i64,
    /// 1..=5 for `Rating`; `None` for the other kinds (a rating without a value counts fully).
    pub rating: Option<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InterestWeights {
    pub purchase: f64,
    pub rating: f64,
    pub cart: f64,
    pub view: f64,
    /// An interaction this many days old counts half; `<= 0` or not finite turns decay off.
    pub half_life_days: f64,
}

impl Default for InterestWeights {
    fn default() -> Self {
        InterestWeights { purchase: 4.0, rating: 3.0, cart: 2.0, view: 1.0, half_life_days: 30.0 }
    }
}

impl InterestWeights {
    /// The weight of one interaction before decay.
    pub fn weight(&self, kind: InteractionKind, rating: Option<u8>) -> f64 {
        match kind {
            InteractionKind::Purchase => self.purchase,
            InteractionKind::Rating => self.rating * rating.map(|r| f64::from(r.clamp(1, 5)) / 5.0).unwrap_or(1.0),
            InteractionKind::Cart => self.cart,
            InteractionKind::View => self.view,
        }
    }
}

const SECONDS_PER_DAY: f64 = 86_400.0;

/// 0.5^(age / half-life), age in seconds clamped at 0 (a timestamp in the future counts as now).
/// A half-life that is not a positive finite number means no decay.
pub fn decay(age_seconds: i64, half_life_days: f64) -> f64 {
    if !(half_life_days.is_finite() && half_life_days > 0.0) {
        return 1.0;
    }
    let age_days = age_seconds.max(0) as f64 / SECONDS_PER_DAY;
    0.5f64.powf(age_days / half_life_days)
}

/// rᵢ for every item the shopper touched: Σ over its interactions of kind weight (a rating scales
/// its weight by rating/5) × 0.5^(age / half-life). Sorted by item id.
///
/// Items whose total is not positive (e.g. only views with a view weight of 0) are left out.
pub fn interest(history: &[Interaction], now: i64, w: &InterestWeights) -> Vec<(i64, f64)> {
    let mut totals: HashMap<i64, f64> = HashMap::new();
    for h in history {
        let weight = w.weight(h.kind, h.rating);
        if !weight.is_finite() || weight <= 0.0 {
            continue;
        }
        *totals.entry(h.item).or_insert(0.0) += weight * decay(now - h.at, w.half_life_days);
    }
    let mut out: Vec<(i64, f64)> = totals.into_iter().filter(|(_, r)| *r > 0.0 && r.is_finite()).collect();
    out.sort_by_key(|(item, _)| *item);
    out
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimilarityParams {
    pub min_support: u32,
    pub top_n: usize,
}

/// Baskets with more distinct items than this are left out of the similarity computation by
/// `similar_items`: pairs grow with the square of a basket's size, and a basket that big is a bulk
/// order, a catalogue import or a crawler's session, which says little about what goes together.
/// (The largest basket in the Online Retail data set has 541 lines.) They are counted in
/// `SimilarityStats::skipped_baskets`.
pub const MAX_BASKET_ITEMS: usize = 1000;

/// What a similarity computation saw and kept (for logs and the benchmark).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimilarityStats {
    /// Baskets with at least two distinct items that were used for pairs (single-item baskets
    /// only count in c(i)).
    pub baskets: usize,
    /// Distinct items in the used baskets.
    pub items: usize,
    /// Distinct unordered item pairs that occur together in some basket.
    pub pairs_seen: u64,
    /// Of those, the pairs with c(i,j) >= min_support.
    pub pairs_kept: u64,
    /// Neighbour entries returned (Σ over items of their list length, ≤ top_n each).
    pub neighbours_kept: u64,
    /// Baskets over the size cap that were left out.
    pub skipped_baskets: usize,
    /// The largest basket (distinct items) that was used.
    pub largest_basket: usize,
}

/// Item-item cosine over co-occurrence: sim(i,j) = c(i,j) / sqrt(c(i)·c(j)), where c counts the
/// baskets containing the items (a basket = one order's items, or one shopper's/session's viewed
/// items; duplicates inside a basket count once). Pairs with c(i,j) < min_support are dropped.
/// Result: for each item its top_n neighbours, score desc, ties by id asc.
///
/// Baskets with more than [`MAX_BASKET_ITEMS`] distinct items are skipped (see there); use
/// [`similar_items_with_stats`] to choose the cap and see what was counted.
pub fn similar_items(baskets: &[Vec<i64>], p: &SimilarityParams) -> HashMap<i64, Vec<(i64, f64)>> {
    similar_items_with_stats(baskets, p, MAX_BASKET_ITEMS).0
}

/// [`similar_items`] with an explicit basket-size cap, and statistics.
///
/// How: item ids are mapped to dense indices in id order and every basket is deduplicated; an
/// inverted index lists the baskets of each item. For each item i, the baskets containing i are
/// walked and c(i, j) is accumulated in a dense counter array (touched entries are reset
/// afterwards), then the top_n neighbours are selected. The work is Σ over baskets of size², with
/// no hash map of pairs and memory linear in the number of lines; items are split over the
/// available cores (std threads, none on targets without them).
pub fn similar_items_with_stats(
    baskets: &[Vec<i64>],
    p: &SimilarityParams,
    max_basket_items: usize,
) -> (HashMap<i64, Vec<(i64, f64)>>, SimilarityStats) {
    let mut stats = SimilarityStats::default();
    // Dense ids, in item id order so that ties by index are ties by id.
    let mut ids: Vec<i64> = baskets.iter().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let index: HashMap<i64, u32> = ids.iter().enumerate().map(|(k, id)| (*id, k as u32)).collect();

    // Deduplicated baskets as dense indices, flattened (offsets into one vector).
    // c(i) counts every basket containing i, single-item baskets included.
    let n = ids.len();
    let mut count = vec![0u32; n];
    let mut flat: Vec<u32> = Vec::new();
    let mut starts: Vec<usize> = vec![0];
    let mut scratch: Vec<u32> = Vec::new();
    for basket in baskets {
        scratch.clear();
        scratch.extend(basket.iter().map(|id| index[id]));
        scratch.sort_unstable();
        scratch.dedup();
        if scratch.len() > max_basket_items {
            stats.skipped_baskets += 1;
            continue;
        }
        for &i in &scratch {
            count[i as usize] += 1;
        }
        if scratch.len() < 2 {
            continue;
        }
        stats.largest_basket = stats.largest_basket.max(scratch.len());
        flat.extend_from_slice(&scratch);
        starts.push(flat.len());
    }
    let n_baskets = starts.len() - 1;
    stats.baskets = n_baskets;

    // The inverted index item -> baskets with at least two items (CSR layout).
    let mut in_pairs = vec![0u32; n];
    for &i in &flat {
        in_pairs[i as usize] += 1;
    }
    stats.items = in_pairs.iter().filter(|c| **c > 0).count();
    let mut inv_start = vec![0usize; n + 1];
    for i in 0..n {
        inv_start[i + 1] = inv_start[i] + in_pairs[i] as usize;
    }
    let mut inv = vec![0u32; flat.len()];
    let mut fill = inv_start.clone();
    for b in 0..n_baskets {
        for &i in &flat[starts[b]..starts[b + 1]] {
            inv[fill[i as usize]] = b as u32;
            fill[i as usize] += 1;
        }
    }

    let ctx = Ctx {
        flat: &flat,
        starts: &starts,
        inv: &inv,
        inv_start: &inv_start,
        count: &count,
        min_support: p.min_support.max(1),
        top_n: p.top_n,
    };
    let threads = worker_count(n, flat.len());
    let parts: Vec<Part> = if threads <= 1 {
        vec![ctx.rows(0, n)]
    } else {
        // Interleaved-ish ranges: items are in id order, so contiguous chunks are fine for
        // synthetic and real catalogues alike.
        let chunk = n.div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let ctx = &ctx;
                    s.spawn(move || ctx.rows((t * chunk).min(n), ((t + 1) * chunk).min(n)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("similarity worker panicked")).collect()
        })
    };

    let mut out: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    let mut directed_seen = 0u64;
    let mut directed_kept = 0u64;
    for part in parts {
        directed_seen += part.seen;
        directed_kept += part.kept;
        for (i, row) in part.rows {
            stats.neighbours_kept += row.len() as u64;
            out.insert(ids[i as usize], row.into_iter().map(|(j, s)| (ids[j as usize], s)).collect());
        }
    }
    stats.pairs_seen = directed_seen / 2;
    stats.pairs_kept = directed_kept / 2;
    (out, stats)
}

fn worker_count(items: usize, lines: usize) -> usize {
    if items < 2_000 && lines < 50_000 {
        return 1;
    }
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8)
}

struct Ctx<'a> {
    flat: &'a [u32],
    starts: &'a [usize],
    inv: &'a [u32],
    inv_start: &'a [usize],
    count: &'a [u32],
    min_support: u32,
    top_n: usize,
}

struct Part {
    rows: Vec<(u32, Vec<(u32, f64)>)>,
    seen: u64,
    kept: u64,
}

impl Ctx<'_> {
    /// Neighbour rows of the items `from..to`.
    fn rows(&self, from: usize, to: usize) -> Part {
        let mut part = Part { rows: Vec::new(), seen: 0, kept: 0 };
        let mut co = vec![0u32; self.count.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut row: Vec<(u32, f64)> = Vec::new();
        for i in from..to {
            if self.inv_start[i] == self.inv_start[i + 1] {
                continue;
            }
            for &b in &self.inv[self.inv_start[i]..self.inv_start[i + 1]] {
                let b = b as usize;
                for &j in &self.flat[self.starts[b]..self.starts[b + 1]] {
                    if j as usize == i {
                        continue;
                    }
                    let c = &mut co[j as usize];
                    if *c == 0 {
                        touched.push(j);
                    }
                    *c += 1;
                }
            }
            part.seen += touched.len() as u64;
            row.clear();
            let ci = f64::from(self.count[i]);
            for &j in &touched {
                let cij = co[j as usize];
                co[j as usize] = 0;
                if cij >= self.min_support {
                    let sim = f64::from(cij) / (ci * f64::from(self.count[j as usize])).sqrt();
                    row.push((j, sim));
                }
            }
            touched.clear();
            part.kept += row.len() as u64;
            if row.is_empty() || self.top_n == 0 {
                continue;
            }
            let by_score = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            if row.len() > self.top_n {
                row.select_nth_unstable_by(self.top_n - 1, by_score);
                row.truncate(self.top_n);
            }
            row.sort_unstable_by(by_score);
            part.rows.push((i as u32, row.clone()));
        }
        part
    }
}

/// Predicted interest in j = Σᵢ sim(i,j)·rᵢ / Σᵢ sim(i,j) over the shopper's items i with sim > 0;
/// items in `exclude` (already bought) and the history items themselves are skipped. Returns at
/// most n (item, score) best first; ties broken by Σᵢ sim(i,j) desc, then id asc. Empty history or
/// no positive similarity → empty (callers then fall back to popularity).
///
/// sim(i, j) is read from i's neighbour list (its top-N), so j must be among i's neighbours.
pub fn predict(
    interest: &[(i64, f64)],
    neighbours: &HashMap<i64, Vec<(i64, f64)>>,
    exclude: &HashSet<i64>,
    n: usize,
) -> Vec<(i64, f64)> {
    let order = |a: &Candidate, b: &Candidate| {
        b.interest().total_cmp(&a.interest()).then(b.den.total_cmp(&a.den)).then(a.item.cmp(&b.item))
    };
    top_candidates(interest, neighbours, exclude, n, order, Candidate::interest)
}

/// The weight of the prior in [`predict_with_prior`], in units of similarity.
pub const PRIOR_WEIGHT: f64 = 1.0;

/// [`predict`]'s weighted average with one more term: a prior of interest 0 and weight λ, as the
/// Bayesian rating shrinks a product with few votes towards the mean,
///
///   R(j) = (Σᵢ sim(i,j)·rᵢ + λ·0) / (Σᵢ sim(i,j) + λ).
///
/// Still Σ w·r / Σ w, but a candidate backed by one weak neighbour no longer scores its
/// neighbour's full interest: with little similarity behind it, it stays near 0; with much, the
/// score approaches `predict`'s. Ranked by R desc, then Σ sim desc, then id asc; the score returned
/// is R. λ = 0 is exactly `predict`.
pub fn predict_with_prior(
    interest: &[(i64, f64)],
    neighbours: &HashMap<i64, Vec<(i64, f64)>>,
    exclude: &HashSet<i64>,
    n: usize,
    prior_weight: f64,
) -> Vec<(i64, f64)> {
    let lambda = if prior_weight.is_finite() { prior_weight.max(0.0) } else { 0.0 };
    let shrunk = move |c: &Candidate| c.num / (c.den + lambda);
    let order = move |a: &Candidate, b: &Candidate| {
        shrunk(b).total_cmp(&shrunk(a)).then(b.den.total_cmp(&a.den)).then(a.item.cmp(&b.item))
    };
    top_candidates(interest, neighbours, exclude, n, order, shrunk)
}

/// A candidate item j with Σᵢ sim(i,j)·rᵢ and Σᵢ sim(i,j).
struct Candidate {
    item: i64,
    num: f64,
    den: f64,
}

impl Candidate {
    fn interest(&self) -> f64 {
        self.num / self.den
    }
}

fn top_candidates(
    interest: &[(i64, f64)],
    neighbours: &HashMap<i64, Vec<(i64, f64)>>,
    exclude: &HashSet<i64>,
    n: usize,
    order: impl Fn(&Candidate, &Candidate) -> Ordering,
    score: impl Fn(&Candidate) -> f64,
) -> Vec<(i64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let history: HashSet<i64> = interest.iter().map(|(i, _)| *i).collect();
    // j -> (Σ sim·r, Σ sim)
    let mut acc: HashMap<i64, (f64, f64)> = HashMap::new();
    for (i, r) in interest {
        let Some(row) = neighbours.get(i) else { continue };
        for (j, sim) in row {
            if !(*sim > 0.0 && sim.is_finite()) || history.contains(j) || exclude.contains(j) {
                continue;
            }
            let e = acc.entry(*j).or_insert((0.0, 0.0));
            e.0 += sim * r;
            e.1 += sim;
        }
    }
    let mut scored: Vec<Candidate> = acc
        .into_iter()
        .filter(|(_, (_, den))| *den > 0.0)
        .map(|(item, (num, den))| Candidate { item, num, den })
        .collect();
    if scored.len() > n {
        scored.select_nth_unstable_by(n - 1, &order);
        scored.truncate(n);
    }
    scored.sort_unstable_by(&order);
    scored.into_iter().map(|c| (c.item, score(&c))).collect()
}

/// Time-decayed popularity: each event (item, unix seconds, weight) contributes weight × 0.5^(age/half-life);
/// all items best first, ties by id asc.
pub fn popular(events: &[(i64, i64, f64)], now: i64, half_life_days: f64) -> Vec<(i64, f64)> {
    let mut totals: HashMap<i64, f64> = HashMap::new();
    for (item, at, weight) in events {
        if !weight.is_finite() {
            continue;
        }
        *totals.entry(*item).or_insert(0.0) += weight * decay(now - at, half_life_days);
    }
    let mut out: Vec<(i64, f64)> = totals.into_iter().collect();
    out.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn buy(item: i64, at: i64) -> Interaction {
        Interaction { item, kind: InteractionKind::Purchase, at, rating: None }
    }

    fn params(min_support: u32, top_n: usize) -> SimilarityParams {
        SimilarityParams { min_support, top_n }
    }

    fn nb(rows: &[(i64, &[(i64, f64)])]) -> HashMap<i64, Vec<(i64, f64)>> {
        rows.iter().map(|(i, r)| (*i, r.to_vec())).collect()
    }

    #[test]
    fn default_weights_order_purchase_rating_cart_view() {
        let w = InterestWeights::default();
        assert!(w.purchase > w.rating && w.rating > w.cart && w.cart > w.view && w.view > 0.0);
        assert_eq!(w.half_life_days, 30.0);
    }

    #[test]
    fn interest_sums_kinds_scales_ratings_and_decays() {
        let w = InterestWeights::default();
        let now = 1_000 * DAY;
        let history = vec![
            Interaction { item: 9, kind: InteractionKind::View, at: now, rating: None },
            Interaction { item: 9, kind: InteractionKind::Cart, at: now, rating: None },
            Interaction { item: 3, kind: InteractionKind::Rating, at: now, rating: Some(4) },
            buy(5, now - 30 * DAY),
            buy(5, now - 60 * DAY),
        ];
        let r = interest(&history, now, &w);
        assert_eq!(r.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![3, 5, 9]);
        assert!(close(r[0].1, 3.0 * 4.0 / 5.0));
        assert!(close(r[1].1, 4.0 * 0.5 + 4.0 * 0.25));
        assert!(close(r[2].1, 1.0 + 2.0));
    }

    #[test]
    fn interest_of_future_event_counts_as_now_and_no_decay_when_half_life_off() {
        let w = InterestWeights { half_life_days: 0.0, ..InterestWeights::default() };
        let r = interest(&[buy(1, 0), buy(2, 10 * DAY)], 5 * DAY, &w);
        assert_eq!(r, vec![(1, 4.0), (2, 4.0)]);
        assert!(interest(&[], 0, &InterestWeights::default()).is_empty());
    }

    #[test]
    fn decay_halves_every_half_life() {
        assert!(close(decay(0, 30.0), 1.0));
        assert!(close(decay(30 * DAY, 30.0), 0.5));
        assert!(close(decay(90 * DAY, 30.0), 0.125));
        assert!(close(decay(-5 * DAY, 30.0), 1.0));
        assert!(close(decay(90 * DAY, f64::NAN), 1.0));
    }

    #[test]
    fn cosine_on_a_hand_computed_example() {
        // Baskets: {1,2,3}, {1,2}, {2,3}, {1,4}; duplicates inside a basket count once.
        let baskets = vec![vec![1, 2, 3, 3], vec![1, 2], vec![2, 3], vec![1, 4]];
        // c(1)=3, c(2)=3, c(3)=2, c(4)=1; c(1,2)=2, c(1,3)=1, c(2,3)=2, c(1,4)=1.
        let sims = similar_items(&baskets, &params(1, 10));
        let s12 = 2.0 / (3.0f64 * 3.0).sqrt();
        let s13 = 1.0 / (3.0f64 * 2.0).sqrt();
        let s23 = 2.0 / (3.0f64 * 2.0).sqrt();
        let s14 = 1.0 / (3.0f64 * 1.0).sqrt();
        let row1 = &sims[&1];
        assert_eq!(row1.iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![2, 4, 3]);
        assert!(close(row1[0].1, s12) && close(row1[1].1, s14) && close(row1[2].1, s13));
        let row2 = &sims[&2];
        assert_eq!(row2.iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![3, 1]);
        assert!(close(row2[0].1, s23) && close(row2[1].1, s12));
        assert_eq!(sims[&4].len(), 1);
        assert!(close(sims[&4][0].1, s14));
        // Symmetric.
        assert!(close(sims[&3].iter().find(|(j, _)| *j == 1).unwrap().1, s13));
    }

    #[test]
    fn single_item_baskets_count_in_the_item_total() {
        // c(1) = 2 (one basket alone), c(2) = 1, c(1,2) = 1 → 1/√2.
        let sims = similar_items(&[vec![1, 2], vec![1]], &params(1, 10));
        assert!(close(sims[&2][0].1, 1.0 / 2f64.sqrt()));
    }

    #[test]
    fn min_support_drops_rare_pairs_and_top_n_truncates_with_ties_by_id() {
        let baskets = vec![vec![1, 2, 3], vec![1, 2], vec![2, 3], vec![1, 4]];
        let sims = similar_items(&baskets, &params(2, 10));
        assert_eq!(sims[&1].iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![2]);
        assert!(!sims.contains_key(&4));
        // Ties: 10 co-occurs with 30, 20 and 40 once each and they all have c = 1.
        let sims = similar_items(&[vec![10, 40, 30, 20]], &params(1, 2));
        assert_eq!(sims[&10], vec![(20, 1.0), (30, 1.0)]);
        assert_eq!(sims[&40], vec![(10, 1.0), (20, 1.0)]);
    }

    #[test]
    fn single_item_and_empty_baskets_give_no_similarities() {
        assert!(similar_items(&[], &params(1, 10)).is_empty());
        assert!(similar_items(&[vec![1], vec![2, 2], vec![]], &params(1, 10)).is_empty());
        assert!(similar_items(&[vec![1, 2]], &params(1, 0)).is_empty());
    }

    #[test]
    fn oversized_baskets_are_skipped_and_counted() {
        let big: Vec<i64> = (100..110).collect();
        let (sims, stats) = similar_items_with_stats(&[big, vec![1, 2], vec![1, 2, 3]], &params(1, 5), 5);
        assert_eq!(stats.skipped_baskets, 1);
        assert_eq!(stats.baskets, 2);
        assert_eq!(stats.largest_basket, 3);
        assert_eq!(stats.pairs_seen, 3);
        assert_eq!(stats.pairs_kept, 3);
        assert!(!sims.contains_key(&100));
    }

    #[test]
    fn large_input_matches_a_direct_pair_count() {
        // Large enough to use the worker threads.
        let mut rng = 12345u64;
        let mut next = || {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (rng >> 33) as i64
        };
        let baskets: Vec<Vec<i64>> = (0..20_000).map(|_| (0..4).map(|_| next() % 3000).collect()).collect();
        let p = params(1, 5);
        let (a, sa) = similar_items_with_stats(&baskets, &p, MAX_BASKET_ITEMS);
        let (pairs, c) = {
            let mut pairs: HashMap<(i64, i64), u32> = HashMap::new();
            let mut c: HashMap<i64, u32> = HashMap::new();
            for b in &baskets {
                let mut b = b.clone();
                b.sort();
                b.dedup();
                for (x, i) in b.iter().enumerate() {
                    *c.entry(*i).or_insert(0) += 1;
                    for j in &b[x + 1..] {
                        *pairs.entry((*i, *j)).or_insert(0) += 1;
                    }
                }
            }
            (pairs, c)
        };
        assert_eq!(sa.pairs_seen, pairs.len() as u64);
        for (i, row) in a.iter().take(50) {
            for (j, s) in row {
                let cij = pairs[&((*i).min(*j), (*i).max(*j))];
                assert!(close(*s, f64::from(cij) / (f64::from(c[i]) * f64::from(c[j])).sqrt()));
            }
        }
    }

    #[test]
    fn predict_with_no_history_or_no_similarity_is_empty() {
        let sims = nb(&[(1, &[(2, 0.5)])]);
        assert!(predict(&[], &sims, &HashSet::new(), 10).is_empty());
        // Item 7 has no neighbours; zero similarities do not count.
        assert!(predict(&[(7, 4.0)], &sims, &HashSet::new(), 10).is_empty());
        let zero = nb(&[(1, &[(2, 0.0), (3, -0.1)])]);
        assert!(predict(&[(1, 4.0)], &zero, &HashSet::new(), 10).is_empty());
        assert!(predict(&[(1, 4.0)], &sims, &HashSet::new(), 0).is_empty());
    }

    #[test]
    fn predict_with_one_item_gives_its_interest_ordered_by_similarity() {
        // With one history item every score is r₁; the tie is broken by Σ sim desc, then id asc.
        let sims = nb(&[(1, &[(2, 0.5), (3, 0.9), (4, 0.5)])]);
        let got = predict(&[(1, 2.5)], &sims, &HashSet::new(), 10);
        assert_eq!(got, vec![(3, 2.5), (2, 2.5), (4, 2.5)]);
        assert_eq!(predict(&[(1, 2.5)], &sims, &HashSet::new(), 2), vec![(3, 2.5), (2, 2.5)]);
    }

    #[test]
    fn predict_is_the_similarity_weighted_average_of_interest() {
        // History: 1 (r=4), 2 (r=1). Candidate 10: sim(1,10)=0.5, sim(2,10)=0.25
        // → (0.5·4 + 0.25·1) / 0.75 = 3. Candidate 11: only sim(2,11)=0.8 → 1.
        let sims = nb(&[(1, &[(10, 0.5), (2, 0.9)]), (2, &[(11, 0.8), (10, 0.25), (1, 0.9)])]);
        let got = predict(&[(1, 4.0), (2, 1.0)], &sims, &HashSet::new(), 10);
        assert_eq!(got.len(), 2, "history items are never recommended: {got:?}");
        assert_eq!(got[0].0, 10);
        assert!(close(got[0].1, 3.0));
        assert_eq!(got[1].0, 11);
        assert!(close(got[1].1, 1.0));
    }

    #[test]
    fn predict_excludes_bought_items() {
        let sims = nb(&[(1, &[(2, 0.9), (3, 0.4)])]);
        let exclude: HashSet<i64> = [2].into_iter().collect();
        assert_eq!(predict(&[(1, 1.0)], &sims, &exclude, 10), vec![(3, 1.0)]);
        let all: HashSet<i64> = [2, 3].into_iter().collect();
        assert!(predict(&[(1, 1.0)], &sims, &all, 10).is_empty());
    }

    #[test]
    fn predict_ties_on_score_and_similarity_go_to_the_lower_id() {
        let sims = nb(&[(1, &[(9, 0.5), (5, 0.5), (7, 0.5)])]);
        let got = predict(&[(1, 1.0)], &sims, &HashSet::new(), 10);
        assert_eq!(got.iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![5, 7, 9]);
    }

    #[test]
    fn predict_with_decayed_interest_prefers_neighbours_of_recent_items() {
        let w = InterestWeights::default();
        let now = 400 * DAY;
        let r = interest(&[buy(1, now - 300 * DAY), buy(2, now)], now, &w);
        let sims = nb(&[(1, &[(10, 0.6)]), (2, &[(20, 0.6)])]);
        let got = predict(&r, &sims, &HashSet::new(), 10);
        assert_eq!(got[0].0, 20);
        assert_eq!(got[1].0, 10);
        assert!(got[0].1 > got[1].1 * 100.0);
    }

    #[test]
    fn the_prior_ranks_strong_neighbours_of_several_items_first() {
        // 10 is a weak neighbour of the best-liked item 1; 11 a strong neighbour of 1 and 2.
        let sims = nb(&[(1, &[(10, 0.02), (11, 0.5)]), (2, &[(11, 0.6)])]);
        let r = [(1, 4.0), (2, 1.0)];
        let avg = predict(&r, &sims, &HashSet::new(), 10);
        assert_eq!(avg[0], (10, 4.0), "the plain weighted average puts the weak neighbour first");
        let got = predict_with_prior(&r, &sims, &HashSet::new(), 10, 1.0);
        assert_eq!(got.iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![11, 10]);
        // The score is the weighted average with the prior term (weight 1, interest 0).
        assert!(close(got[0].1, (0.5 * 4.0 + 0.6 * 1.0) / (1.1 + 1.0)));
        assert!(close(got[1].1, 0.02 * 4.0 / 1.02));
        // λ = 0 is `predict`; a negative or non-finite λ counts as 0.
        assert_eq!(predict_with_prior(&r, &sims, &HashSet::new(), 10, 0.0), avg);
        assert_eq!(predict_with_prior(&r, &sims, &HashSet::new(), 10, f64::NAN), avg);
        // Same exclusions and empty cases as predict.
        let ex: HashSet<i64> = [11].into_iter().collect();
        assert_eq!(predict_with_prior(&r, &sims, &ex, 10, 1.0).len(), 1);
        assert!(predict_with_prior(&[], &sims, &HashSet::new(), 10, 1.0).is_empty());
        assert!(predict_with_prior(&r, &sims, &HashSet::new(), 0, 1.0).is_empty());
        assert_eq!(predict_with_prior(&r, &sims, &HashSet::new(), 1, 1.0).len(), 1);
    }

    #[test]
    fn popular_decays_and_breaks_ties_by_id() {
        let now = 100 * DAY;
        let events = vec![(3, now, 1.0), (1, now, 1.0), (2, now - 30 * DAY, 4.0), (2, now - 30 * DAY, 0.0)];
        let got = popular(&events, now, 30.0);
        assert_eq!(got, vec![(2, 2.0), (1, 1.0), (3, 1.0)]);
        assert!(popular(&[], now, 30.0).is_empty());
    }
}
