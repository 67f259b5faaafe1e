//! Repeat-aware recommendations: "Buy it again" and a "Recommended for you" that knows people buy
//! the same things again. In next-basket data a third or more of what a customer buys next is
//! something they bought before, and the strongest single signal is their own purchase frequency
//! with time decay (TIFU-KNN, Hu et al., SIGIR 2020). The list blends three signals, each scaled
//! to [0, 1] over the candidates, as one weighted average
//!
//!   score(j) = (w_r·R(j) + w_e·E(j) + w_p·P(j)) / (w_r + w_e + w_p)
//!
//! R — repeat: the shopper's own frequency of j, Σ over the distinct baskets holding j of
//!     0.5^(age / half-life), divided by the largest such frequency of theirs;
//! E — explore: Σᵢ f(i)·sim(i,j) / Σᵢ f(i) over the shopper's items i (the item-item neighbours
//!     of what they buy, weighted by how much they buy it), divided by the largest E;
//! P — popularity in the shop, divided by the most popular item's.
//!
//! The weights and the half-life are tuned on a validation split carved from training data only
//! (`eval_repeat::tune`); `DEFAULT` holds the values tuned on the Online Retail data set.
use super::decay;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RepeatParams {
    /// Half-life of a past basket's weight, in days (0: every basket counts fully).
    pub half_life_days: f64,
    /// w_r, w_e, w_p of the blend (any scale; only their ratios matter).
    pub repeat: f64,
    pub explore: f64,
    pub popularity: f64,
}

/// Tuned by `eval-recs` on the Online Retail data set (validation: each customer's last basket of
/// the training part; see README, Recommendations). "Buy it again" uses its half-life.
pub const DEFAULT: RepeatParams = RepeatParams { half_life_days: 365.0, repeat: 1.0, explore: 0.1, popularity: 0.2 };

/// How many of the most popular items are always candidates (a shopper with a short history
/// still gets a full list).
pub const POPULAR_POOL: usize = 100;

/// One past purchase line of a shopper.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase {
    pub item: i64,
    /// Unix seconds.
    pub at: i64,
    /// The order (basket) it was part of: an item bought on three lines of one order counts once.
    pub basket: i64,
}

/// f(i) for each item the shopper bought: Σ over the distinct baskets holding it of
/// 0.5^(age / half-life), the age of a basket being that of its earliest line.
pub fn personal_frequency(purchases: &[Purchase], now: i64, half_life_days: f64) -> HashMap<i64, f64> {
    let mut baskets: HashMap<(i64, i64), i64> = HashMap::new();
    for p in purchases {
        let at = baskets.entry((p.item, p.basket)).or_insert(p.at);
        *at = (*at).min(p.at);
    }
    // Summed in (item, basket) order: the same bits on every run, so ties break the same way.
    let mut baskets: Vec<((i64, i64), i64)> = baskets.into_iter().collect();
    baskets.sort_unstable();
    let mut freq: HashMap<i64, f64> = HashMap::new();
    for ((item, _), at) in baskets {
        *freq.entry(item).or_insert(0.0) += decay(now - at, half_life_days);
    }
    freq.retain(|_, f| f.is_finite() && *f > 0.0);
    freq
}

/// "Buy it again": the shopper's own items by frequency, best first (ties by id), without
/// `exclude` (sold out, hidden), at most n.
pub fn buy_again(freq: &HashMap<i64, f64>, exclude: &HashSet<i64>, n: usize) -> Vec<(i64, f64)> {
    let mut out: Vec<(i64, f64)> = freq.iter().filter(|(i, _)| !exclude.contains(i)).map(|(i, f)| (*i, *f)).collect();
    out.sort_by(by_score);
    out.truncate(n);
    out
}

/// E(j) before scaling, for every neighbour j of the shopper's items (their own items included):
/// Σᵢ f(i)·sim(i,j) / Σᵢ f(i).
pub fn explore(freq: &HashMap<i64, f64>, neighbours: &HashMap<i64, Vec<(i64, f64)>>) -> HashMap<i64, f64> {
    let total: f64 = freq.values().sum();
    let mut out: HashMap<i64, f64> = HashMap::new();
    if !(total > 0.0 && total.is_finite()) {
        return out;
    }
    // In id order, so that the sums (and the ranking's ties) are the same on every run.
    let mut items: Vec<(&i64, &f64)> = freq.iter().collect();
    items.sort_by_key(|(i, _)| **i);
    for (i, f) in items {
        let Some(row) = neighbours.get(i) else { continue };
        for (j, sim) in row {
            if sim.is_finite() && *sim > 0.0 {
                *out.entry(*j).or_insert(0.0) += f * sim;
            }
        }
    }
    for e in out.values_mut() {
        *e /= total;
    }
    out
}

/// Every candidate for a shopper with its three signals scaled to [0, 1]: [R, E, P]. Candidates
/// are their own items, those items' neighbours and the first `POPULAR_POOL` of `popular` (the
/// shop's popularity, best first); none in `exclude`. The weights are applied by [`rank`], so
/// that tuning can try many of them on one set of candidates.
pub fn candidates(
    freq: &HashMap<i64, f64>,
    explored: &HashMap<i64, f64>,
    popular: &[(i64, f64)],
    exclude: &HashSet<i64>,
) -> Vec<(i64, [f64; 3])> {
    let max_f = largest(freq.values().copied());
    let max_e = largest(explored.values().copied());
    let pool = &popular[..popular.len().min(POPULAR_POOL)];
    let max_p = largest(pool.iter().map(|(_, s)| *s));
    let pop: HashMap<i64, f64> = pool.iter().copied().collect();
    let scaled = |v: Option<&f64>, m: f64| if m > 0.0 { v.copied().unwrap_or(0.0).max(0.0) / m } else { 0.0 };
    let mut ids: HashSet<i64> = freq.keys().copied().collect();
    ids.extend(explored.keys().copied());
    ids.extend(pool.iter().map(|(i, _)| *i));
    let mut out: Vec<(i64, [f64; 3])> = ids
        .into_iter()
        .filter(|j| !exclude.contains(j))
        .map(|j| (j, [scaled(freq.get(&j), max_f), scaled(explored.get(&j), max_e), scaled(pop.get(&j), max_p)]))
        .collect();
    out.sort_unstable_by_key(|(j, _)| *j);
    out
}

/// The weighted average of each candidate's signals, at most n best first (ties by id). No
/// positive weight → nothing.
pub fn rank(candidates: &[(i64, [f64; 3])], p: &RepeatParams, n: usize) -> Vec<(i64, f64)> {
    let weights = [p.repeat, p.explore, p.popularity].map(|w| if w.is_finite() { w.max(0.0) } else { 0.0 });
    let total: f64 = weights.iter().sum();
    if n == 0 || total <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<(i64, f64)> = candidates
        .iter()
        .map(|(j, signals)| (*j, signals.iter().zip(weights).map(|(s, w)| s * w).sum::<f64>() / total))
        .collect();
    if out.len() > n {
        out.select_nth_unstable_by(n - 1, by_score);
        out.truncate(n);
    }
    out.sort_by(by_score);
    out
}

/// The blended list: at most n (item, score) best first, ties by id (see the module's formula).
/// Items in `exclude` never appear. An empty history gives popularity alone.
pub fn recommend(
    freq: &HashMap<i64, f64>,
    explored: &HashMap<i64, f64>,
    popular: &[(i64, f64)],
    p: &RepeatParams,
    exclude: &HashSet<i64>,
    n: usize,
) -> Vec<(i64, f64)> {
    rank(&candidates(freq, explored, popular, exclude), p, n)
}

fn largest(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(0.0, f64::max)
}

fn by_score(a: &(i64, f64), b: &(i64, f64)) -> Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn bought(item: i64, day: i64, basket: i64) -> Purchase {
        Purchase { item, at: day * DAY, basket }
    }

    #[test]
    fn frequency_counts_baskets_not_lines_and_fades_with_age() {
        let history = [bought(1, 0, 10), bought(1, 0, 10), bought(1, 30, 11), bought(2, 30, 11)];
        let f = personal_frequency(&history, 30 * DAY, 30.0);
        // Item 1: one basket 30 days old (0.5) and one today (1); two lines in basket 10 count once.
        assert!((f[&1] - 1.5).abs() < 1e-9, "{f:?}");
        assert!((f[&2] - 1.0).abs() < 1e-9, "{f:?}");
        let flat = personal_frequency(&history, 30 * DAY, 0.0);
        assert_eq!(flat[&1], 2.0);
    }

    #[test]
    fn buy_again_is_the_shoppers_items_by_frequency_without_the_excluded() {
        let f: HashMap<i64, f64> = [(1, 0.5), (2, 3.0), (3, 3.0), (4, 1.0)].into();
        let exclude: HashSet<i64> = [4].into();
        assert_eq!(buy_again(&f, &exclude, 3), vec![(2, 3.0), (3, 3.0), (1, 0.5)]);
    }

    #[test]
    fn explore_is_the_frequency_weighted_average_similarity() {
        let f: HashMap<i64, f64> = [(1, 3.0), (2, 1.0)].into();
        let nb: HashMap<i64, Vec<(i64, f64)>> = [(1, vec![(5, 0.4), (2, 0.2)]), (2, vec![(5, 0.8)])].into();
        let e = explore(&f, &nb);
        assert!((e[&5] - (3.0 * 0.4 + 1.0 * 0.8) / 4.0).abs() < 1e-12, "{e:?}");
        assert!((e[&2] - 3.0 * 0.2 / 4.0).abs() < 1e-12);
        assert!(explore(&HashMap::new(), &nb).is_empty());
    }

    #[test]
    fn the_score_is_a_weighted_average_of_the_scaled_signals() {
        let f: HashMap<i64, f64> = [(1, 2.0), (2, 1.0)].into();
        let e: HashMap<i64, f64> = [(3, 0.5), (2, 0.25)].into();
        let popular = [(4, 10.0), (2, 5.0)];
        let p = RepeatParams { half_life_days: 0.0, repeat: 2.0, explore: 1.0, popularity: 1.0 };
        let got: HashMap<i64, f64> = recommend(&f, &e, &popular, &p, &HashSet::new(), 10).into_iter().collect();
        // Item 2: R = 1/2, E = 0.25/0.5, P = 5/10 → (2·0.5 + 0.5 + 0.5) / 4.
        assert!((got[&2] - 0.5).abs() < 1e-12, "{got:?}");
        assert!((got[&1] - 2.0 / 4.0).abs() < 1e-12);
        assert!((got[&3] - 1.0 / 4.0).abs() < 1e-12);
        assert!((got[&4] - 1.0 / 4.0).abs() < 1e-12);
        assert!(got.values().all(|s| (0.0..=1.0).contains(s)));
    }

    #[test]
    fn repeat_weight_alone_ranks_the_shoppers_favourites_and_excludes_what_cannot_be_sold() {
        let f: HashMap<i64, f64> = [(7, 4.0), (8, 1.0), (9, 2.0)].into();
        let p = RepeatParams { half_life_days: 30.0, repeat: 1.0, explore: 0.0, popularity: 0.0 };
        let exclude: HashSet<i64> = [9].into();
        let got: Vec<i64> = recommend(&f, &HashMap::new(), &[(1, 9.0)], &p, &exclude, 2).iter().map(|r| r.0).collect();
        assert_eq!(got, vec![7, 8]);
    }

    #[test]
    fn no_history_gives_popularity_and_no_weight_gives_nothing() {
        let popular = [(4, 10.0), (5, 8.0), (6, 1.0)];
        let got: Vec<i64> = recommend(&HashMap::new(), &HashMap::new(), &popular, &DEFAULT, &HashSet::new(), 2)
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(got, vec![4, 5]);
        let none = RepeatParams { half_life_days: 0.0, repeat: 0.0, explore: f64::NAN, popularity: -1.0 };
        assert!(recommend(&HashMap::new(), &HashMap::new(), &popular, &none, &HashSet::new(), 2).is_empty());
    }
}
