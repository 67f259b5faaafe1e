//! Offline evaluation of recommendations: hold out part of a purchase log, train on the rest, and
//! score the top k of the recommender and of a popularity baseline against what was held out.
//!
//! Metrics (binary relevance, averaged over the evaluated users, as in the Online Retail data
//! set's README): precision@k = hits/k, recall@k = hits/|relevant|, hit rate@k = 1 if hits > 0,
//! NDCG@k with gain 1/log2(rank+1) normalised by the ideal DCG of min(|relevant|, k) hits, and
//! catalogue coverage = distinct items recommended to anyone / items in the catalogue.
use super::{Interaction, InteractionKind, InterestWeights, SimilarityParams, SimilarityStats};
use crate::domain::dates::days_from_civil;
use std::collections::{HashMap, HashSet};

/// One purchase line with dense ids (the CSV reader interns user, item and basket names).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub user: u32,
    pub item: i64,
    /// Unix seconds.
    pub at: i64,
    /// The basket (order) the line belongs to: an explicit basket column, or one per user and timestamp.
    pub basket: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Split {
    /// Hold out each user's last basket (baskets ordered by their earliest line, ties by basket
    /// id); only users with at least two baskets are tested, the others' lines all train.
    LastBasket,
    /// Lines before the cut train, lines from the cut on are the test; every user with test lines
    /// is evaluated (users with no training history get popularity). `TimeFraction(0.8)` puts the
    /// cut at the timestamp of the line at 80 % of the log in time order.
    TimeFraction(f64),
    /// An absolute cut in unix seconds.
    TimeAt(i64),
}

impl Split {
    /// `last-basket`, `time:0.8` or `time:<unix seconds | YYYY-MM-DD[ HH:MM[:SS]]>`.
    pub fn parse(s: &str) -> Result<Split, String> {
        if s == "last-basket" {
            return Ok(Split::LastBasket);
        }
        if let Some(rest) = s.strip_prefix("time:") {
            if rest.contains('.') || rest == "0" || rest == "1" {
                let f: f64 = rest.parse().map_err(|_| format!("--split time:{rest}: not a fraction"))?;
                if !(f > 0.0 && f < 1.0) {
                    return Err(format!("--split time:{rest}: the fraction must be between 0 and 1 (exclusive)"));
                }
                return Ok(Split::TimeFraction(f));
            }
            return parse_timestamp(rest).map(Split::TimeAt).map_err(|e| format!("--split time:{rest}: {e}"));
        }
        Err(format!("--split must be last-basket, time:<fraction> or time:<date>, got {s:?}"))
    }
}

/// One evaluated user: what they bought in the test part and when the recommendation is made.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    pub user: u32,
    pub relevant: HashSet<i64>,
    pub at: i64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitData {
    pub train: Vec<Line>,
    /// Sorted by user.
    pub test: Vec<TestCase>,
}

pub fn split(lines: &[Line], how: &Split) -> SplitData {
    match how {
        Split::LastBasket => split_last_basket(lines),
        Split::TimeFraction(f) => {
            if lines.is_empty() {
                return SplitData::default();
            }
            let mut times: Vec<i64> = lines.iter().map(|l| l.at).collect();
            times.sort_unstable();
            let k = ((times.len() as f64 * f).floor() as usize).min(times.len() - 1);
            split_time(lines, times[k])
        }
        Split::TimeAt(cut) => split_time(lines, *cut),
    }
}

fn split_last_basket(lines: &[Line]) -> SplitData {
    // user -> basket -> earliest timestamp
    let mut baskets: HashMap<u32, HashMap<u32, i64>> = HashMap::new();
    for l in lines {
        let t = baskets.entry(l.user).or_default().entry(l.basket).or_insert(l.at);
        *t = (*t).min(l.at);
    }
    // user -> (held-out basket, its time)
    let mut last: HashMap<u32, (u32, i64)> = HashMap::new();
    for (user, bs) in &baskets {
        if bs.len() < 2 {
            continue;
        }
        let (b, t) = bs.iter().max_by_key(|(b, t)| (**t, **b)).map(|(b, t)| (*b, *t)).expect("two baskets");
        last.insert(*user, (b, t));
    }
    let mut data = SplitData::default();
    let mut relevant: HashMap<u32, HashSet<i64>> = HashMap::new();
    for l in lines {
        match last.get(&l.user) {
            Some((b, _)) if *b == l.basket => {
                relevant.entry(l.user).or_default().insert(l.item);
            }
            _ => data.train.push(l.clone()),
        }
    }
    data.test = relevant.into_iter().map(|(user, relevant)| TestCase { user, relevant, at: last[&user].1 }).collect();
    data.test.sort_by_key(|t| t.user);
    data
}

fn split_time(lines: &[Line], cut: i64) -> SplitData {
    let mut data = SplitData::default();
    let mut relevant: HashMap<u32, HashSet<i64>> = HashMap::new();
    for l in lines {
        if l.at < cut {
            data.train.push(l.clone());
        } else {
            relevant.entry(l.user).or_default().insert(l.item);
        }
    }
    data.test = relevant.into_iter().map(|(user, relevant)| TestCase { user, relevant, at: cut }).collect();
    data.test.sort_by_key(|t| t.user);
    data
}

/// Top-k metrics of one ranked list.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub hit: f64,
    pub ndcg: f64,
}

/// Scores the first k items of `ranked` against `relevant` (binary relevance).
pub fn score_at_k(ranked: &[i64], relevant: &HashSet<i64>, k: usize) -> Scores {
    if k == 0 || relevant.is_empty() {
        return Scores::default();
    }
    let mut hits = 0usize;
    let mut dcg = 0.0;
    for (rank, item) in ranked.iter().take(k).enumerate() {
        if relevant.contains(item) {
            hits += 1;
            dcg += 1.0 / ((rank + 2) as f64).log2();
        }
    }
    let ideal: f64 = (0..relevant.len().min(k)).map(|r| 1.0 / ((r + 2) as f64).log2()).sum();
    Scores {
        precision: hits as f64 / k as f64,
        recall: hits as f64 / relevant.len() as f64,
        hit: if hits > 0 { 1.0 } else { 0.0 },
        ndcg: dcg / ideal,
    }
}

/// Averages of [`Scores`] over users, and the catalogue coverage of the lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub users: usize,
    pub precision: f64,
    pub recall: f64,
    pub hit_rate: f64,
    pub ndcg: f64,
    /// Distinct items in anyone's top k / items in the catalogue.
    pub coverage: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    users: usize,
    sum: Scores,
    recommended: HashSet<i64>,
}

impl Accumulator {
    pub fn add(&mut self, ranked: &[i64], relevant: &HashSet<i64>, k: usize) {
        let s = score_at_k(ranked, relevant, k);
        self.users += 1;
        self.sum.precision += s.precision;
        self.sum.recall += s.recall;
        self.sum.hit += s.hit;
        self.sum.ndcg += s.ndcg;
        self.recommended.extend(ranked.iter().take(k).copied());
    }

    pub fn summary(&self, catalogue_items: usize) -> Summary {
        let n = self.users.max(1) as f64;
        Summary {
            users: self.users,
            precision: self.sum.precision / n,
            recall: self.sum.recall / n,
            hit_rate: self.sum.hit / n,
            ndcg: self.sum.ndcg / n,
            coverage: if catalogue_items == 0 { 0.0 } else { self.recommended.len() as f64 / catalogue_items as f64 },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EvalParams {
    pub k: usize,
    pub similarity: SimilarityParams,
    pub weights: InterestWeights,
    /// λ of `predict_with_prior`.
    pub prior_weight: f64,
}

impl Default for EvalParams {
    fn default() -> Self {
        EvalParams {
            k: 10,
            // As the shop's refresh job stores them (server/src/recs_job.rs).
            similarity: SimilarityParams { min_support: 2, top_n: 20 },
            weights: InterestWeights::default(),
            prior_weight: super::PRIOR_WEIGHT,
        }
    }
}

/// The three rankings compared, for one group of users.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The shop's item-to-item recommender (`predict_with_prior`: the weighted average with a
    /// prior of weight λ), topped up with popularity when it has fewer than k.
    pub recommender: Summary,
    /// The plain weighted average Σ sim·r / Σ sim (`predict`, λ = 0), topped up the same way.
    pub plain_average: Summary,
    /// Most-purchased in training (distinct training baskets), without what the user already bought.
    pub popularity: Summary,
    /// The same list for everyone, bought items included (the Online Retail README's baseline).
    pub popularity_all: Summary,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Every test user; users with no training history get popularity.
    pub all: Table,
    /// Only users with training history (the README's protocol B counts these).
    pub warm: Table,
    pub cold_users: usize,
    /// Users whose list needed popularity to reach k (includes the cold ones).
    pub topped_up: usize,
    pub train_lines: usize,
    pub train_baskets: usize,
    pub catalogue_items: usize,
    pub similarity: SimilarityStats,
}

/// Trains on `data.train` and scores every test user. `catalogue_items` is the number of distinct
/// items in the whole log (the denominator of coverage).
pub fn evaluate(data: &SplitData, catalogue_items: usize, p: &EvalParams) -> Report {
    let k = p.k;
    // Neighbours, popularity (distinct training baskets holding the item, ties by id) and the
    // basket count, as the repeat-aware evaluation builds them.
    let trained = super::eval_repeat::Trained::new(&data.train, &p.similarity);
    let neighbours = &trained.neighbours;
    let sim_stats = trained.similarity.clone();
    let popular: Vec<i64> = trained.popular.iter().map(|(i, _)| *i).collect();

    let mut history: HashMap<u32, Vec<Interaction>> = HashMap::new();
    for l in &data.train {
        history.entry(l.user).or_default().push(Interaction {
            item: l.item,
            kind: InteractionKind::Purchase,
            at: l.at,
            rating: None,
        });
    }

    let mut acc_all: [Accumulator; 4] = Default::default();
    let mut acc_warm: [Accumulator; 4] = Default::default();
    let (mut cold, mut topped_up) = (0, 0);
    let top_popular: Vec<i64> = popular.iter().take(k).copied().collect();
    for t in &data.test {
        let past = history.get(&t.user).map(Vec::as_slice).unwrap_or(&[]);
        let bought: HashSet<i64> = past.iter().map(|h| h.item).collect();
        let pop: Vec<i64> = popular.iter().filter(|i| !bought.contains(i)).take(k).copied().collect();
        let (mut recs, mut plain) = if past.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let r = super::interest(past, t.at, &p.weights);
            let ids = |v: Vec<(i64, f64)>| v.into_iter().map(|(i, _)| i).collect::<Vec<i64>>();
            (
                ids(super::predict_with_prior(&r, neighbours, &bought, k, p.prior_weight)),
                ids(super::predict(&r, neighbours, &bought, k)),
            )
        };
        if recs.len() < k {
            topped_up += 1;
        }
        for list in [&mut recs, &mut plain] {
            let have: HashSet<i64> = list.iter().copied().collect();
            let fill: Vec<i64> = popular
                .iter()
                .filter(|i| !bought.contains(i) && !have.contains(i))
                .take(k - list.len())
                .copied()
                .collect();
            list.extend(fill);
        }
        let lists = [&recs, &plain, &pop, &top_popular];
        for (a, list) in acc_all.iter_mut().zip(lists) {
            a.add(list, &t.relevant, k);
        }
        if past.is_empty() {
            cold += 1;
        } else {
            for (a, list) in acc_warm.iter_mut().zip(lists) {
                a.add(list, &t.relevant, k);
            }
        }
    }
    let table = |a: &[Accumulator; 4]| Table {
        recommender: a[0].summary(catalogue_items),
        plain_average: a[1].summary(catalogue_items),
        popularity: a[2].summary(catalogue_items),
        popularity_all: a[3].summary(catalogue_items),
    };
    Report {
        all: table(&acc_all),
        warm: table(&acc_warm),
        cold_users: cold,
        topped_up,
        train_lines: data.train.len(),
        train_baskets: trained.baskets,
        catalogue_items,
        similarity: sim_stats,
    }
}

/// Unix seconds from `1733000000` (optionally negative), or from ISO-8601 `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS` with a space or `T`, optionally followed by `Z` or
/// `+00:00` (times without a zone are read as UTC).
pub fn parse_timestamp(s: &str) -> Result<i64, String> {
    let bad = || format!("timestamp '{s}' is not unix seconds or YYYY-MM-DD HH:MM");
    let t = s.trim();
    if t.is_empty() {
        return Err("empty timestamp (expected unix seconds or YYYY-MM-DD HH:MM)".into());
    }
    if t.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-' && t.len() > 1)) {
        return t.parse::<i64>().map_err(|_| bad());
    }
    let t = t.strip_suffix('Z').or_else(|| t.strip_suffix("+00:00")).unwrap_or(t);
    let (date, time) = match t.split_once([' ', 'T']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let num = |part: &str, len: usize| -> Option<i64> {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse().ok()).flatten()
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, m, day] = d.as_slice() else { return Err(bad()) };
    let (y, m, day) = (num(y, 4).ok_or_else(bad)?, num(m, 2).ok_or_else(bad)?, num(day, 2).ok_or_else(bad)?);
    if !(1..=12).contains(&m) || day < 1 || day > days_in_month(y, m) {
        return Err(bad());
    }
    let mut secs = days_from_civil(y, m, day) * 86_400;
    if let Some(time) = time {
        let parts: Vec<&str> = time.split(':').collect();
        let (h, mi, se) = match parts.as_slice() {
            [h, mi] => (num(h, 2), num(mi, 2), Some(0)),
            [h, mi, se] => (num(h, 2), num(mi, 2), num(se, 2)),
            _ => return Err(bad()),
        };
        let (h, mi, se) = (h.ok_or_else(bad)?, mi.ok_or_else(bad)?, se.ok_or_else(bad)?);
        if h > 23 || mi > 59 || se > 60 {
            return Err(bad());
        }
        secs += h * 3600 + mi * 60 + se;
    }
    Ok(secs)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[i64]) -> HashSet<i64> {
        items.iter().copied().collect()
    }

    fn line(user: u32, item: i64, at: i64, basket: u32) -> Line {
        Line { user, item, at, basket }
    }

    #[test]
    fn timestamps_in_every_accepted_form() {
        assert_eq!(parse_timestamp("1733000000"), Ok(1_733_000_000));
        assert_eq!(parse_timestamp("-5"), Ok(-5));
        assert_eq!(parse_timestamp("1970-01-02"), Ok(86_400));
        assert_eq!(parse_timestamp("2010-12-01T08:26:00Z"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("2010-12-01 08:26"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("2010-12-01 08:26:00+00:00"), Ok(1_291_191_960));
        assert_eq!(parse_timestamp("2024-02-29"), Ok(days_from_civil(2024, 2, 29) * 86_400));
        for bad in ["yesterday", "2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01 25:00", "12:30", "1e9", "-"] {
            let e = parse_timestamp(bad).unwrap_err();
            assert!(e.contains(&format!("'{bad}'")), "{bad}: {e}");
        }
        assert!(parse_timestamp(" ").is_err());
    }

    #[test]
    fn split_parses() {
        assert_eq!(Split::parse("last-basket"), Ok(Split::LastBasket));
        assert_eq!(Split::parse("time:0.8"), Ok(Split::TimeFraction(0.8)));
        assert_eq!(Split::parse("time:2011-11-01"), Ok(Split::TimeAt(1_320_105_600)));
        assert!(Split::parse("time:1.5").is_err());
        assert!(Split::parse("random").is_err());
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        let rel = set(&[1, 2, 3, 4]);
        let s = score_at_k(&[9, 1, 8, 2], &rel, 4);
        assert_eq!(s.precision, 0.5);
        assert_eq!(s.recall, 0.5);
        assert_eq!(s.hit, 1.0);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 1.0 / 4f64.log2() + 1.0 / 5f64.log2();
        assert!((s.ndcg - dcg / idcg).abs() < 1e-12);
        // Ideal DCG uses min(|relevant|, k) hits: one relevant item at rank 1 is perfect.
        let s = score_at_k(&[7, 8], &set(&[7]), 10);
        assert_eq!((s.precision, s.recall, s.hit, s.ndcg), (0.1, 1.0, 1.0, 1.0));
        assert_eq!(score_at_k(&[], &set(&[7]), 10), Scores::default());
        assert_eq!(score_at_k(&[7], &set(&[]), 10), Scores::default());
    }

    #[test]
    fn accumulator_averages_and_counts_coverage() {
        let mut a = Accumulator::default();
        a.add(&[1, 2], &set(&[1]), 2);
        a.add(&[1, 3, 4], &set(&[5]), 2);
        let s = a.summary(10);
        assert_eq!(s.users, 2);
        assert_eq!(s.hit_rate, 0.5);
        assert_eq!(s.precision, 0.25);
        assert_eq!(s.coverage, 0.3); // 1, 2, 3 (4 is past k)
    }

    #[test]
    fn last_basket_split_holds_out_the_latest_basket_of_users_with_two() {
        let lines = vec![
            line(1, 10, 100, 0),
            line(1, 11, 100, 0),
            line(1, 12, 200, 1),
            line(1, 13, 200, 1),
            line(2, 10, 150, 2), // one basket only: trains
            line(3, 10, 300, 3),
            line(3, 14, 300, 4), // same start time: the higher basket id is last
        ];
        let d = split(&lines, &Split::LastBasket);
        assert_eq!(d.train.len(), 4);
        assert_eq!(d.test.len(), 2);
        assert_eq!(d.test[0], TestCase { user: 1, relevant: set(&[12, 13]), at: 200 });
        assert_eq!(d.test[1], TestCase { user: 3, relevant: set(&[14]), at: 300 });
    }

    #[test]
    fn time_split_tests_everyone_after_the_cut() {
        let lines = vec![line(1, 10, 100, 0), line(1, 11, 200, 1), line(2, 12, 250, 2), line(3, 10, 50, 3)];
        let d = split(&lines, &Split::TimeAt(200));
        assert_eq!(d.train.len(), 2);
        assert_eq!(d.test.iter().map(|t| t.user).collect::<Vec<_>>(), vec![1, 2]);
        let d = split(&lines, &Split::TimeFraction(0.5));
        assert_eq!(d.train.len(), 2);
        assert!(split(&[], &Split::TimeFraction(0.5)).test.is_empty());
    }

    #[test]
    fn evaluate_recommends_co_purchases_and_gives_cold_users_popularity() {
        // Items 1 and 2 always go together; 3 is the most popular item.
        let mut lines = Vec::new();
        let mut basket = 0;
        for user in 0..6u32 {
            lines.push(line(user, 1, 100, basket));
            lines.push(line(user, 2, 100, basket));
            lines.push(line(user, 3, 100, basket));
            basket += 1;
        }
        for user in 6..9u32 {
            lines.push(line(user, 3, 100, basket));
            basket += 1;
        }
        // Test: user 20 bought 1 earlier and buys 2 later; user 21 is new and buys 3.
        lines.push(line(20, 1, 150, basket));
        lines.push(line(20, 2, 300, basket + 1));
        lines.push(line(21, 3, 300, basket + 2));
        let d = split(&lines, &Split::TimeAt(200));
        let p = EvalParams { k: 1, ..EvalParams::default() };
        let r = evaluate(&d, 3, &p);
        assert_eq!(r.all.recommender.users, 2);
        assert_eq!(r.cold_users, 1);
        assert_eq!(r.all.recommender.hit_rate, 1.0);
        assert_eq!(r.all.plain_average.hit_rate, 1.0);
        // Popularity without bought items offers 3 to user 20 (miss) and 3 to user 21 (hit).
        assert_eq!(r.all.popularity.hit_rate, 0.5);
        assert_eq!(r.warm.recommender.users, 1);
        assert_eq!(r.warm.recommender.hit_rate, 1.0);
        assert_eq!(r.warm.popularity.hit_rate, 0.0);
    }
}
