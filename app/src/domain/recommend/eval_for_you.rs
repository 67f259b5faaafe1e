//! Tuning and scoring the repeat-aware "Recommended for you" (`for_you.rs`) offline.
//!
//! The settings are chosen on a validation split carved from the training lines only (the same
//! kind of split as the test), with a constraint instead of a single score: among the settings
//! whose NDCG@k on the validation users' *new* items is at least item-kNN alone's (the list the
//! shop showed before), the one with the best NDCG@k on the whole basket. So the list may only
//! add repeats where they do not cost the shopper discoveries.
use super::eval::{Accumulator, EvalParams, Line, Split, split};
use super::eval_repeat::{Trained, validation_split};
use super::for_you::{self, ForYouParams};
use super::repeat;
use super::{Interaction, InteractionKind};
use std::collections::{HashMap, HashSet};

const DAY: i64 = 86_400;
/// Trending items kept per day (the shop keeps its 500 most popular).
const TREND_KEEP: usize = 300;
/// Item-kNN predictions taken into the explore half.
pub const KNN_CANDIDATES: usize = 50;

/// The shop's popularity as it was at the start of each day: Σ over the distinct training baskets
/// of earlier days holding the item of 0.5^(age in days / half-life), best `TREND_KEEP` first.
/// Only earlier days count, so no list is scored with what was bought on or after its own day.
pub struct Trend {
    day0: i64,
    days: Vec<Vec<(i64, f64)>>,
}

impl Trend {
    pub fn new(train: &[Line], half_life_days: f64) -> Trend {
        // basket -> (earliest time, items)
        let mut baskets: HashMap<u32, (i64, Vec<i64>)> = HashMap::new();
        for l in train {
            let b = baskets.entry(l.basket).or_insert((l.at, Vec::new()));
            b.0 = b.0.min(l.at);
            b.1.push(l.item);
        }
        let day = |at: i64| at.div_euclid(DAY);
        let day0 = baskets.values().map(|(at, _)| day(*at)).min().unwrap_or(0);
        let span = baskets.values().map(|(at, _)| day(*at) - day0).max().unwrap_or(0).max(0) as usize + 1;
        let mut counts: Vec<HashMap<i64, f64>> = vec![HashMap::new(); span];
        for (at, items) in baskets.values_mut() {
            items.sort_unstable();
            items.dedup();
            let Some(c) = counts.get_mut((day(*at) - day0) as usize) else { continue };
            for i in items.iter() {
                *c.entry(*i).or_insert(0.0) += 1.0;
            }
        }
        let fade = super::decay(DAY, half_life_days);
        let mut running: HashMap<i64, f64> = HashMap::new();
        let mut days = Vec::with_capacity(span + 1);
        for d in 0..=span {
            let mut top: Vec<(i64, f64)> = running.iter().map(|(i, s)| (*i, *s)).collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(TREND_KEEP);
            days.push(top);
            if let Some(c) = counts.get(d) {
                running.values_mut().for_each(|s| *s *= fade);
                for (i, n) in c {
                    *running.entry(*i).or_insert(0.0) += n;
                }
            }
        }
        Trend { day0, days }
    }

    /// The popularity at the start of `at`'s day (before the first day: nothing).
    pub fn at(&self, at: i64) -> &[(i64, f64)] {
        let d = at.div_euclid(DAY) - self.day0;
        if d < 0 {
            return &[];
        }
        self.days.get(d as usize).or(self.days.last()).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// What a user's lists are made from at time `at`.
pub struct UserInputs {
    /// Decayed basket frequency of each past purchase ("Buy it again"'s half-life).
    pub freq: HashMap<i64, f64>,
    pub bought: HashSet<i64>,
    /// Item-kNN predictions over the user's history, bought items left out.
    pub knn: Vec<(i64, f64)>,
}

pub fn user_inputs(t: &Trained, user: u32, at: i64, p: &EvalParams) -> UserInputs {
    let past = t.purchases.get(&user).map(Vec::as_slice).unwrap_or(&[]);
    let freq = repeat::personal_frequency(past, at, repeat::DEFAULT.half_life_days);
    let bought: HashSet<i64> = past.iter().map(|h| h.item).collect();
    let history: Vec<Interaction> = past
        .iter()
        .map(|h| Interaction { item: h.item, kind: InteractionKind::Purchase, at: h.at, rating: None })
        .collect();
    let r = super::interest(&history, at, &p.weights);
    let knn = super::predict_with_prior(&r, &t.neighbours, &bought, KNN_CANDIDATES, p.prior_weight);
    UserInputs { freq, bought, knn }
}

/// Fills `list` up to k with the most popular items not in it and not bought.
pub fn top_up(mut list: Vec<i64>, t: &Trained, bought: &HashSet<i64>, k: usize) -> Vec<i64> {
    let have: HashSet<i64> = list.iter().copied().collect();
    let missing = k.saturating_sub(list.len());
    list.extend(t.popular.iter().map(|(i, _)| *i).filter(|i| !have.contains(i) && !bought.contains(i)).take(missing));
    list
}

/// The repeat-aware "for you" list of one user, topped up to k.
pub fn list(u: &UserInputs, trending: &[(i64, f64)], t: &Trained, params: &ForYouParams, k: usize) -> Vec<i64> {
    let explored = for_you::explore(&u.knn, trending, &u.bought, params);
    let picks: Vec<i64> = for_you::for_you(&u.freq, &explored, params, k).iter().map(|x| x.item).collect();
    top_up(picks, t, &u.bought, k)
}

/// The values tried (the first of equal scores wins).
#[derive(Clone, Debug, PartialEq)]
pub struct ForYouGrid {
    pub trend_half_lives: Vec<f64>,
    pub trend_weights: Vec<f64>,
    pub repeat_mins: Vec<f64>,
    pub repeat_shares: Vec<f64>,
}

impl Default for ForYouGrid {
    fn default() -> Self {
        ForYouGrid {
            trend_half_lives: vec![7.0, 14.0, 30.0],
            trend_weights: vec![0.0, 0.5, 1.0, 2.0],
            repeat_mins: vec![1.0, 1.5, 2.5],
            repeat_shares: vec![0.0, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForYouValidation {
    pub split: Split,
    /// Validation users (0: too little data; `for_you::DEFAULT` was used).
    pub users: usize,
    pub grid_points: usize,
    /// The chosen setting's NDCG@k: whole basket and new items only.
    pub whole_ndcg: f64,
    pub new_ndcg: f64,
    /// Item-kNN alone's NDCG@k on the same users' new items (the bar).
    pub knn_new_ndcg: f64,
    /// False when no setting reached the bar (the best on new items was taken).
    pub constraint_met: bool,
}

/// Picks the `ForYouParams` (w_k fixed at 1) on a validation split of `train`; see the module.
pub fn tune(train: &[Line], how: &Split, p: &EvalParams, grid: &ForYouGrid) -> (ForYouParams, ForYouValidation) {
    let vsplit = validation_split(how);
    let data = split(train, &vsplit);
    let points =
        grid.trend_half_lives.len() * grid.trend_weights.len() * grid.repeat_mins.len() * grid.repeat_shares.len();
    let mut v = ForYouValidation {
        split: vsplit,
        users: data.test.len(),
        grid_points: points,
        whole_ndcg: 0.0,
        new_ndcg: 0.0,
        knn_new_ndcg: 0.0,
        constraint_met: false,
    };
    if data.test.is_empty() || points == 0 {
        v.users = 0;
        return (for_you::DEFAULT, v);
    }
    let t = Trained::new(&data.train, &p.similarity);
    let k = p.k;
    let users: Vec<(UserInputs, &HashSet<i64>, HashSet<i64>, i64)> = data
        .test
        .iter()
        .map(|c| {
            let u = user_inputs(&t, c.user, c.at, p);
            let new: HashSet<i64> = c.relevant.difference(&u.bought).copied().collect();
            (u, &c.relevant, new, c.at)
        })
        .collect();
    let mut knn_new = Accumulator::default();
    for (u, _, new, _) in &users {
        if !new.is_empty() {
            let ids: Vec<i64> = u.knn.iter().map(|(i, _)| *i).take(k).collect();
            knn_new.add(&top_up(ids, &t, &u.bought, k), new, k);
        }
    }
    v.knn_new_ndcg = knn_new.summary(1).ndcg;
    // (meets the bar, whole, new, params); the best is the greatest, earlier on ties.
    let mut best: Option<(bool, f64, f64, ForYouParams)> = None;
    for &half_life in &grid.trend_half_lives {
        let trend = Trend::new(&data.train, half_life);
        for &w_t in &grid.trend_weights {
            let params = ForYouParams { knn: 1.0, trend: w_t, trend_half_life_days: half_life, ..for_you::DEFAULT };
            // The explore half depends on the weights only; the repeat settings are tried on it.
            let explored: Vec<Vec<(i64, f64)>> =
                users.iter().map(|(u, .., at)| for_you::explore(&u.knn, trend.at(*at), &u.bought, &params)).collect();
            for &repeat_min in &grid.repeat_mins {
                for &repeat_share in &grid.repeat_shares {
                    let params = ForYouParams { repeat_min, repeat_share, ..params };
                    let (mut whole, mut new_acc) = (Accumulator::default(), Accumulator::default());
                    for ((u, relevant, new, _), e) in users.iter().zip(&explored) {
                        let picks = for_you::for_you(&u.freq, e, &params, k).iter().map(|x| x.item).collect();
                        let l = top_up(picks, &t, &u.bought, k);
                        whole.add(&l, relevant, k);
                        if !new.is_empty() {
                            new_acc.add(&l, new, k);
                        }
                    }
                    let (w, n) = (whole.summary(1).ndcg, new_acc.summary(1).ndcg);
                    let met = n >= v.knn_new_ndcg;
                    // Meeting the bar first; then whole NDCG if met, new NDCG if not.
                    let key = |m: bool, w: f64, n: f64| (m, if m { w } else { n });
                    if best.is_none_or(|(bm, bw, bn, _)| key(met, w, n) > key(bm, bw, bn)) {
                        best = Some((met, w, n, params));
                    }
                }
            }
        }
    }
    let Some((met, w, n, params)) = best else { return (for_you::DEFAULT, v) };
    v.constraint_met = met;
    v.whole_ndcg = w;
    v.new_ndcg = n;
    (params, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(user: u32, item: i64, day: i64, basket: u32) -> Line {
        Line { user, item, at: day * DAY + 3600, basket }
    }

    #[test]
    fn the_trend_of_a_day_only_counts_earlier_days_and_fades() {
        let lines = [line(1, 10, 0, 1), line(2, 10, 0, 2), line(3, 20, 1, 3), line(3, 20, 1, 3)];
        let t = Trend::new(&lines, 1.0);
        assert!(t.at(0).is_empty(), "nothing before the first day");
        assert_eq!(t.at(DAY), &[(10, 2.0)], "day 1 sees day 0 only");
        // Day 2: item 10's two baskets are a day older (half), item 20's one basket (two lines) is fresh.
        assert_eq!(t.at(2 * DAY + 5), &[(10, 1.0), (20, 1.0)]);
        assert_eq!(t.at(-DAY), &[] as &[(i64, f64)]);
        assert_eq!(t.at(400 * DAY), t.at(2 * DAY), "after the last day: the last day's");
    }

    #[test]
    fn tuning_gives_a_staple_its_slot_and_keeps_the_discovery_first() {
        // Users 0–9 re-buy their staple (100 + user); their first basket also held x (1), their
        // last holds y (2), which users 10–19 always buy together with x.
        let (x, y) = (1, 2);
        let mut lines = Vec::new();
        let mut basket = 0;
        for user in 0..20u32 {
            for day in [0, 10, 20] {
                basket += 1;
                if user < 10 {
                    let staple = 100 + i64::from(user);
                    lines.push(line(user, staple, day, basket));
                    match day {
                        0 => lines.push(line(user, x, day, basket)),
                        20 => lines.push(line(user, y, day, basket)),
                        _ => {}
                    }
                } else {
                    lines.push(line(user, x, day, basket));
                    lines.push(line(user, y, day, basket));
                }
            }
        }
        let p = EvalParams { k: 2, ..EvalParams::default() };
        let grid = ForYouGrid {
            trend_half_lives: vec![7.0],
            trend_weights: vec![0.0],
            repeat_mins: vec![1.0],
            repeat_shares: vec![0.0, 0.5],
        };
        let (params, v) = tune(&lines, &Split::LastBasket, &p, &grid);
        assert_eq!(v.users, 20);
        assert!(v.constraint_met, "{v:?}");
        assert_eq!(params.repeat_share, 0.5, "the staple is worth its slot: {params:?} {v:?}");
        let data = split(&lines, &Split::LastBasket);
        let t = Trained::new(&data.train, &p.similarity);
        let u = user_inputs(&t, 0, 20 * DAY + 3600, &p);
        let trend = Trend::new(&data.train, 7.0);
        assert_eq!(list(&u, trend.at(20 * DAY), &t, &params, 2), vec![y, 100], "the new item first, then the staple");
    }
}
