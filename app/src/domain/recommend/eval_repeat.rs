//! Evaluation of the repeat-aware recommender that cannot flatter it. In next-basket data many
//! held-out items are things the customer bought before, so a method that only re-ranks past
//! purchases looks good on the whole list while predicting nothing new ("A Next Basket
//! Recommendation Reality Check", Li et al., 2023). Every method is therefore scored three ways:
//! on the whole held-out basket, on its repeat items only (bought before the split; users with at
//! least one) and on its new items only (users with at least one); with the share of each list
//! that the user bought before.
//!
//! The blend's weights and half-life are tuned on a validation split carved from the training
//! part only (the same kind of split, applied to the training lines), never on the test users'
//! held-out baskets.
use super::eval::{Accumulator, EvalParams, Line, Split, SplitData, Summary, split};
use super::eval_for_you::{self, ForYouGrid, ForYouValidation, Trend};
use super::for_you::ForYouParams;
use super::repeat::{self, Purchase, RepeatParams};
use super::{Interaction, InteractionKind, SimilarityParams, SimilarityStats};
use std::collections::{HashMap, HashSet};

/// What the training lines give every method.
pub struct Trained {
    pub neighbours: HashMap<i64, Vec<(i64, f64)>>,
    /// Distinct training baskets holding each item, best first, ties by id.
    pub popular: Vec<(i64, f64)>,
    pub purchases: HashMap<u32, Vec<Purchase>>,
    /// Distinct training baskets.
    pub baskets: usize,
    pub similarity: SimilarityStats,
}

impl Trained {
    pub fn new(train: &[Line], p: &SimilarityParams) -> Trained {
        let mut by_basket: HashMap<u32, Vec<i64>> = HashMap::new();
        let mut purchases: HashMap<u32, Vec<Purchase>> = HashMap::new();
        for l in train {
            by_basket.entry(l.basket).or_default().push(l.item);
            purchases.entry(l.user).or_default().push(Purchase { item: l.item, at: l.at, basket: i64::from(l.basket) });
        }
        let mut baskets: Vec<Vec<i64>> = by_basket.into_values().collect();
        for b in &mut baskets {
            b.sort_unstable();
            b.dedup();
        }
        baskets.sort_unstable();
        let (neighbours, similarity) = super::similar_items_with_stats(&baskets, p, super::MAX_BASKET_ITEMS);
        let events: Vec<(i64, i64, f64)> = baskets.iter().flatten().map(|i| (*i, 0, 1.0)).collect();
        let popular = super::popular(&events, 0, 0.0);
        Trained { neighbours, popular, purchases, baskets: baskets.len(), similarity }
    }
}

/// The values tried when tuning, simplest first (a tie keeps the earlier).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub half_lives: Vec<f64>,
    pub explore: Vec<f64>,
    pub popularity: Vec<f64>,
}

impl Default for Grid {
    fn default() -> Self {
        Grid {
            half_lives: vec![0.0, 30.0, 90.0, 365.0],
            explore: vec![0.0, 0.1, 0.3, 1.0, 3.0],
            popularity: vec![0.0, 0.05, 0.2],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// How the training lines were split again.
    pub split: Split,
    pub train_lines: usize,
    /// Validation users scored per grid point (0: too little data; `repeat::DEFAULT` was used).
    pub users: usize,
    /// The best validation NDCG@k (the tuned parameters').
    pub ndcg: f64,
    pub grid_points: usize,
}

/// One method's scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub name: &'static str,
    pub whole: Summary,
    /// Relevant = the held-out items the user had bought before; users with at least one.
    pub repeat: Summary,
    /// Relevant = the held-out items new to the user; users with at least one.
    pub new: Summary,
    /// The whole basket of the users with a training history only ("seen in training").
    pub seen: Summary,
    /// Average share of a top-k list that the user had bought before.
    pub repeat_share: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RepeatReport {
    pub methods: Vec<Breakdown>,
    pub tuned: RepeatParams,
    pub validation: Validation,
    /// The shop's "Recommended for you" settings and how they were chosen.
    pub for_you: ForYouParams,
    pub for_you_validation: ForYouValidation,
    /// Share of all held-out (user, item) pairs that the user had bought before.
    pub repeat_fraction: f64,
}

pub const METHODS: [&str; 6] = [
    "repeat-aware blend (tuned)",
    "repeat-aware for you (the shop's)",
    "frequency alone (Buy it again)",
    "item-kNN alone (for you)",
    "popularity, bought items left out",
    "same top k for everyone",
];

/// The ranked lists of one user at time `at` (in `METHODS` order), each topped up with popularity
/// to k. The shop shows the second ("Recommended for you") and the third ("Buy it again").
fn lists(
    t: &Trained,
    user: u32,
    at: i64,
    tuned: &RepeatParams,
    for_you: &(ForYouParams, Trend),
    p: &EvalParams,
) -> [Vec<i64>; 6] {
    let k = p.k;
    let past = t.purchases.get(&user).map(Vec::as_slice).unwrap_or(&[]);
    let freq = repeat::personal_frequency(past, at, tuned.half_life_days);
    let bought: HashSet<i64> = freq.keys().copied().collect();
    let none = HashSet::new();
    let ids = |v: Vec<(i64, f64)>| v.into_iter().map(|(i, _)| i).collect::<Vec<i64>>();
    let explored = repeat::explore(&freq, &t.neighbours);
    let blended = ids(repeat::recommend(&freq, &explored, &t.popular, tuned, &none, k));
    let frequency = ids(repeat::buy_again(&freq, &none, k));
    let history: Vec<Interaction> = past
        .iter()
        .map(|h| Interaction { item: h.item, kind: InteractionKind::Purchase, at: h.at, rating: None })
        .collect();
    let r = super::interest(&history, at, &p.weights);
    let knn = ids(super::predict_with_prior(&r, &t.neighbours, &bought, k, p.prior_weight));
    let popular = t.popular.iter().map(|(i, _)| *i);
    let without_bought: Vec<i64> = popular.clone().filter(|i| !bought.contains(i)).take(k).collect();
    let everyone: Vec<i64> = popular.take(k).collect();
    let top_up = |mut list: Vec<i64>, skip: &HashSet<i64>| {
        let have: HashSet<i64> = list.iter().copied().collect();
        let fill: Vec<i64> = t
            .popular
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| !have.contains(i) && !skip.contains(i))
            .take(k - list.len().min(k))
            .collect();
        list.extend(fill);
        list
    };
    let inputs = eval_for_you::user_inputs(t, user, at, p);
    let shop = eval_for_you::list(&inputs, for_you.1.at(at), t, &for_you.0, k);
    [top_up(blended, &none), shop, top_up(frequency, &none), top_up(knn, &bought), without_bought, everyone]
}

/// Scores every test user with every method; `tuned` from [`tune`].
fn score(
    data: &SplitData,
    t: &Trained,
    catalogue_items: usize,
    tuned: &RepeatParams,
    for_you: &(ForYouParams, Trend),
    p: &EvalParams,
) -> (Vec<Breakdown>, f64) {
    let k = p.k;
    let mut acc: [[Accumulator; 4]; 6] = Default::default();
    let mut share = [0.0f64; 6];
    let (mut repeat_pairs, mut pairs) = (0usize, 0usize);
    for case in &data.test {
        let past: HashSet<i64> =
            t.purchases.get(&case.user).map(|v| v.iter().map(|h| h.item).collect()).unwrap_or_default();
        let repeats: HashSet<i64> = case.relevant.intersection(&past).copied().collect();
        let new: HashSet<i64> = case.relevant.difference(&past).copied().collect();
        repeat_pairs += repeats.len();
        pairs += case.relevant.len();
        for (m, list) in lists(t, case.user, case.at, tuned, for_you, p).iter().enumerate() {
            acc[m][0].add(list, &case.relevant, k);
            if t.purchases.contains_key(&case.user) {
                acc[m][3].add(list, &case.relevant, k);
            }
            if !repeats.is_empty() {
                acc[m][1].add(list, &repeats, k);
            }
            if !new.is_empty() {
                acc[m][2].add(list, &new, k);
            }
            let top = &list[..list.len().min(k)];
            share[m] += top.iter().filter(|i| past.contains(i)).count() as f64 / k.max(1) as f64;
        }
    }
    let users = data.test.len().max(1) as f64;
    let methods = METHODS
        .iter()
        .zip(&acc)
        .zip(share)
        .map(|((&name, a), s)| Breakdown {
            name,
            whole: a[0].summary(catalogue_items),
            repeat: a[1].summary(catalogue_items),
            new: a[2].summary(catalogue_items),
            seen: a[3].summary(catalogue_items),
            repeat_share: s / users,
        })
        .collect();
    (methods, if pairs == 0 { 0.0 } else { repeat_pairs as f64 / pairs as f64 })
}

/// The validation split of the training lines: the same kind as the test split (a time split
/// becomes a time split at 80 % of the training lines).
pub(super) fn validation_split(how: &Split) -> Split {
    match how {
        Split::LastBasket => Split::LastBasket,
        Split::TimeFraction(_) | Split::TimeAt(_) => Split::TimeFraction(0.8),
    }
}

/// Picks the half-life and weights with the best NDCG@k of the blend on a validation split of
/// `train` (w_r fixed at 1: only ratios matter).
pub fn tune(train: &[Line], how: &Split, p: &EvalParams, grid: &Grid) -> (RepeatParams, Validation) {
    let vsplit = validation_split(how);
    let data = split(train, &vsplit);
    let points = grid.half_lives.len() * grid.explore.len() * grid.popularity.len();
    let mut validation = Validation {
        split: vsplit,
        train_lines: data.train.len(),
        users: data.test.len(),
        ndcg: 0.0,
        grid_points: points,
    };
    if data.test.is_empty() || points == 0 {
        validation.users = 0;
        return (repeat::DEFAULT, validation);
    }
    let t = Trained::new(&data.train, &p.similarity);
    let none = HashSet::new();
    let mut best: Option<(f64, RepeatParams)> = None;
    for &half_life_days in &grid.half_lives {
        // The candidates depend on the half-life only; the weights are tried on them.
        let users: Vec<(Vec<(i64, [f64; 3])>, &HashSet<i64>)> = data
            .test
            .iter()
            .map(|case| {
                let past = t.purchases.get(&case.user).map(Vec::as_slice).unwrap_or(&[]);
                let freq = repeat::personal_frequency(past, case.at, half_life_days);
                let explored = repeat::explore(&freq, &t.neighbours);
                (repeat::candidates(&freq, &explored, &t.popular, &none), &case.relevant)
            })
            .collect();
        for &explore in &grid.explore {
            for &popularity in &grid.popularity {
                let params = RepeatParams { half_life_days, repeat: 1.0, explore, popularity };
                let mut acc = Accumulator::default();
                for (candidates, relevant) in &users {
                    let list: Vec<i64> = repeat::rank(candidates, &params, p.k).into_iter().map(|(i, _)| i).collect();
                    acc.add(&list, relevant, p.k);
                }
                let ndcg = acc.summary(1).ndcg;
                if best.is_none_or(|(b, _)| ndcg > b) {
                    best = Some((ndcg, params));
                }
            }
        }
    }
    let (ndcg, params) = best.unwrap_or((0.0, repeat::DEFAULT));
    validation.ndcg = ndcg;
    (params, validation)
}

/// Tunes on a validation split of `data.train`, then scores every method on `data.test`.
pub fn evaluate_repeat(
    data: &SplitData,
    how: &Split,
    catalogue_items: usize,
    p: &EvalParams,
    grid: &Grid,
) -> RepeatReport {
    let (tuned, validation) = tune(&data.train, how, p, grid);
    let (for_you, for_you_validation) = eval_for_you::tune(&data.train, how, p, &ForYouGrid::default());
    let t = Trained::new(&data.train, &p.similarity);
    let shop = (for_you, Trend::new(&data.train, for_you.trend_half_life_days));
    let (methods, repeat_fraction) = score(data, &t, catalogue_items, &tuned, &shop, p);
    RepeatReport { methods, tuned, validation, for_you, for_you_validation, repeat_fraction }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    /// Users who re-buy their own staple every time and now and then try what others bought with it.
    fn loyal_shoppers() -> Vec<Line> {
        let mut lines = Vec::new();
        let mut basket = 0u32;
        for user in 0..30u32 {
            let staple = 100 + i64::from(user % 5);
            for week in 0..6i64 {
                basket += 1;
                let at = (week * 7 + i64::from(user)) * DAY;
                lines.push(Line { user, item: staple, at, basket });
                // Everyone also buys a different "hit" each week: popular, but never re-bought.
                lines.push(Line { user, item: 200 + week, at, basket });
            }
        }
        lines
    }

    #[test]
    fn repeat_buyers_are_found_by_the_tuned_blend_and_not_by_popularity() {
        let lines = loyal_shoppers();
        let data = split(&lines, &Split::LastBasket);
        let p = EvalParams { k: 2, ..EvalParams::default() };
        let report = evaluate_repeat(&data, &Split::LastBasket, 10, &p, &Grid::default());
        let by = |name: &str| report.methods.iter().find(|m| m.name == name).unwrap().clone();
        let blend = by("repeat-aware blend (tuned)");
        let everyone = by("same top k for everyone");
        // Each held-out basket is the staple (a repeat) and an item nobody bought before (week 5's hit).
        assert!((report.repeat_fraction - 0.5).abs() < 1e-9, "{}", report.repeat_fraction);
        assert_eq!(blend.repeat.users, 30);
        assert_eq!(blend.repeat.hit_rate, 1.0, "the staple is in every tuned list: {blend:?}");
        assert!(blend.whole.ndcg > everyone.whole.ndcg, "{blend:?} vs {everyone:?}");
        assert_eq!(blend.new.hit_rate, 0.0, "the new hit was never bought in training: nothing can predict it");
        assert!(blend.repeat_share > 0.0 && blend.repeat_share <= 1.0);
        assert!(report.validation.users > 0 && report.validation.grid_points == 60);
        assert!(report.tuned.repeat > 0.0);
    }

    #[test]
    fn the_validation_split_never_sees_the_test_baskets() {
        let lines = loyal_shoppers();
        let data = split(&lines, &Split::LastBasket);
        let (_, validation) = tune(&data.train, &Split::LastBasket, &EvalParams::default(), &Grid::default());
        // Training has 5 of each user's 6 baskets; validation trains on 4 of them.
        assert_eq!(data.train.len(), 30 * 5 * 2);
        assert_eq!(validation.train_lines, 30 * 4 * 2);
        assert_eq!(validation.users, 30);
    }

    #[test]
    fn too_little_data_to_validate_keeps_the_defaults() {
        let lines = vec![Line { user: 1, item: 5, at: 0, basket: 1 }];
        let (params, validation) = tune(&lines, &Split::LastBasket, &EvalParams::default(), &Grid::default());
        assert_eq!(params, repeat::DEFAULT);
        assert_eq!(validation.users, 0);
    }

    #[test]
    fn every_list_is_topped_up_to_k() {
        let lines = loyal_shoppers();
        let t = Trained::new(&lines, &SimilarityParams { min_support: 1, top_n: 20 });
        let shop = (super::super::for_you::DEFAULT, Trend::new(&lines, 7.0));
        let p = |k| EvalParams { k, ..EvalParams::default() };
        for list in lists(&t, 3, 50 * DAY, &repeat::DEFAULT, &shop, &p(4)) {
            assert_eq!(list.len(), 4, "{list:?}");
            let distinct: HashSet<&i64> = list.iter().collect();
            assert_eq!(distinct.len(), 4, "{list:?}");
        }
        // A user the training never saw gets popularity from every method.
        for list in lists(&t, 999, 50 * DAY, &repeat::DEFAULT, &shop, &p(3)) {
            assert_eq!(list.len(), 3);
        }
    }
}
