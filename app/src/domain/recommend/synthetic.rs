//! A seeded, deterministic generator of purchase logs with a planted co-purchase structure, for
//! the offline evaluation (`server recs-synth`) and the similarity benchmark (`server bench-recs`).
//!
//! The catalogue is items `1..=items`. The first `items / 50` (at least 5) are "popular" noise that
//! anyone buys now and then (skewed towards the lowest ids); the rest are split into groups of
//! `group_size` items that are bought together. Every user has two favourite groups (a primary
//! one and a secondary one) and buys mostly from them: in each basket an item comes from the
//! primary group with probability 55 %, the secondary 25 %, popular noise 20 %.
use std::io::Write;

/// SplitMix64 (the same idea as the demo seed's generator): tiny, fast, deterministic.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Skewed towards 0: the smaller of two uniform draws in `0..n`.
    pub fn skewed(&mut self, n: u64) -> u64 {
        self.below(n).min(self.below(n))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SynthParams {
    pub users: u32,
    pub items: u32,
    pub seed: u64,
    pub group_size: u32,
    /// Baskets per user, inclusive range.
    pub baskets: (u32, u32),
    /// Lines per basket, inclusive range.
    pub basket_size: (u32, u32),
    /// Unix seconds of the first purchase (2025-01-01T00:00:00Z by default).
    pub start: i64,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            users: 2000,
            items: 1000,
            seed: 7,
            group_size: 20,
            baskets: (2, 6),
            basket_size: (2, 6),
            start: 1_735_689_600,
        }
    }
}

/// One line of the generated log.
#[derive(Clone, Debug, PartialEq)]
pub struct Purchase {
    pub user: u32,
    pub item: i64,
    pub at: i64,
    pub quantity: u32,
}

/// The catalogue layout shared by both generators.
struct Layout {
    items: u64,
    popular: u64,
    group_size: u64,
    groups: u64,
}

impl Layout {
    fn new(items: u32, group_size: u32) -> Layout {
        let items = u64::from(items.max(2));
        let popular = (items / 50).max(5).min(items / 2).max(1);
        let group_size = u64::from(group_size.max(2)).min(items - popular).max(1);
        let groups = ((items - popular) / group_size).max(1);
        Layout { items, popular, group_size, groups }
    }

    fn popular_item(&self, rng: &mut Rng) -> i64 {
        1 + rng.skewed(self.popular) as i64
    }

    /// An item of group g (the last group also takes the remainder), skewed within the group.
    fn group_item(&self, g: u64, rng: &mut Rng) -> i64 {
        let first = self.popular + g * self.group_size;
        let len = if g + 1 == self.groups { self.items - first } else { self.group_size };
        let k = if rng.below(100) < 50 { rng.skewed(len) } else { rng.below(len) };
        (first + k + 1) as i64
    }
}

/// The purchase log, sorted by user then time. Deterministic for a given `SynthParams`.
pub fn generate(p: &SynthParams) -> Vec<Purchase> {
    let mut rng = Rng::new(p.seed);
    let layout = Layout::new(p.items, p.group_size);
    let mut out = Vec::new();
    for user in 1..=p.users {
        let primary = rng.below(layout.groups);
        let secondary = rng.below(layout.groups);
        let mut at = p.start + rng.range(0, 200) * 86_400 + rng.range(8 * 3600, 20 * 3600);
        let n_baskets = rng.range(i64::from(p.baskets.0), i64::from(p.baskets.1.max(p.baskets.0)));
        for _ in 0..n_baskets {
            let size = rng.range(i64::from(p.basket_size.0.max(1)), i64::from(p.basket_size.1.max(p.basket_size.0)));
            let mut basket: Vec<i64> = Vec::new();
            for _ in 0..size {
                let roll = rng.below(100);
                let item = if roll < 55 {
                    layout.group_item(primary, &mut rng)
                } else if roll < 80 {
                    layout.group_item(secondary, &mut rng)
                } else {
                    layout.popular_item(&mut rng)
                };
                if !basket.contains(&item) {
                    basket.push(item);
                }
            }
            for item in basket {
                out.push(Purchase { user, item, at, quantity: 1 + rng.skewed(3) as u32 });
            }
            at += rng.range(1, 30) * 86_400 + rng.range(-3600, 3600);
        }
    }
    out
}

/// Writes `user,item,timestamp,quantity` with a header, timestamps as unix seconds.
pub fn write_csv<W: Write>(purchases: &[Purchase], out: &mut W) -> std::io::Result<()> {
    writeln!(out, "user,item,timestamp,quantity")?;
    for p in purchases {
        writeln!(out, "u{},{},{},{}", p.user, p.item, p.at, p.quantity)?;
    }
    Ok(())
}

/// Orders for the similarity benchmark: exactly `lines` order lines over items `1..=products`,
/// orders of 1 to 7 lines (mean 4) drawn like `generate`'s baskets, plus three "peak" baskets that
/// exercise the size cap: two of `2 × MAX_BASKET_ITEMS` items (skipped) and one of exactly
/// `MAX_BASKET_ITEMS` (kept), when `lines` is large enough.
pub fn orders(products: u32, lines: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = Rng::new(seed);
    let layout = Layout::new(products, 20);
    let cap = super::MAX_BASKET_ITEMS;
    let mut out: Vec<Vec<i64>> = Vec::with_capacity(lines / 4 + 4);
    let mut left = lines;
    if lines >= 20 * cap && layout.items as usize > 2 * cap {
        for size in [2 * cap, 2 * cap, cap] {
            let start = rng.below(layout.items - size as u64) as i64;
            out.push((start + 1..=start + size as i64).collect());
            left -= size;
        }
    }
    while left > 0 {
        let size = (rng.range(1, 7) as usize).min(left);
        let primary = rng.below(layout.groups);
        let secondary = rng.below(layout.groups);
        let mut basket = Vec::with_capacity(size);
        for _ in 0..size {
            let roll = rng.below(100);
            basket.push(if roll < 55 {
                layout.group_item(primary, &mut rng)
            } else if roll < 80 {
                layout.group_item(secondary, &mut rng)
            } else {
                layout.popular_item(&mut rng)
            });
        }
        left -= size;
        out.push(basket);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::InterestWeights;
    use super::super::eval::{EvalParams, Line, Split, evaluate, split};
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn same_seed_same_log_and_items_in_range() {
        let p = SynthParams { users: 50, items: 200, ..SynthParams::default() };
        let a = generate(&p);
        assert_eq!(a, generate(&p));
        assert_ne!(a, generate(&SynthParams { seed: 8, ..p.clone() }));
        assert!(a.iter().all(|x| (1..=200).contains(&x.item) && (1..=50).contains(&x.user) && x.quantity >= 1));
        let mut csv = Vec::new();
        write_csv(&a[..2], &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(text.starts_with("user,item,timestamp,quantity\nu1,"), "{text}");
    }

    #[test]
    fn tiny_catalogues_do_not_panic() {
        for items in [1, 2, 3, 10] {
            let log = generate(&SynthParams { users: 5, items, group_size: 20, ..SynthParams::default() });
            assert!(log.iter().all(|x| x.item >= 1 && x.item <= i64::from(items.max(2))));
        }
        assert_eq!(orders(10, 37, 1).iter().map(Vec::len).sum::<usize>(), 37);
    }

    #[test]
    fn bench_orders_have_the_requested_lines_and_peak_baskets() {
        let o = orders(100_000, 50_000, 3);
        assert_eq!(o.iter().map(Vec::len).sum::<usize>(), 50_000);
        assert_eq!(o.iter().filter(|b| b.len() > super::super::MAX_BASKET_ITEMS).count(), 2);
        assert!(o.iter().flatten().all(|i| (1..=100_000).contains(i)));
    }

    #[test]
    fn recommender_beats_popularity_on_planted_structure() {
        let log = generate(&SynthParams { users: 600, items: 400, seed: 11, ..SynthParams::default() });
        let mut users: HashMap<u32, u32> = HashMap::new();
        let mut baskets: HashMap<(u32, i64), u32> = HashMap::new();
        let lines: Vec<Line> = log
            .iter()
            .map(|p| {
                let n = users.len() as u32;
                let user = *users.entry(p.user).or_insert(n);
                let n = baskets.len() as u32;
                let basket = *baskets.entry((user, p.at)).or_insert(n);
                Line { user, item: p.item, at: p.at, basket }
            })
            .collect();
        let items = log.iter().map(|p| p.item).collect::<std::collections::HashSet<_>>().len();
        let data = split(&lines, &Split::LastBasket);
        // The shop's settings: top 20 neighbours, min support 2, 30-day half-life.
        let r = evaluate(&data, items, &EvalParams::default());
        assert!(r.all.recommender.users > 500);
        let (rec, pop) = (&r.all.recommender, &r.all.popularity);
        assert!(rec.hit_rate > pop.hit_rate * 1.3, "hit rate {} vs {}", rec.hit_rate, pop.hit_rate);
        assert!(rec.ndcg > pop.ndcg * 1.3, "NDCG {} vs {}", rec.ndcg, pop.ndcg);
        assert!(rec.coverage > pop.coverage);
        // `predict`'s weighted-average order beats popularity only without time decay (purchases
        // are spread over months here and the shoppers' tastes do not drift, so decay only
        // reorders the candidates by recency); with the 30-day half-life it falls behind.
        let no_decay =
            EvalParams { weights: InterestWeights { half_life_days: 0.0, ..Default::default() }, ..Default::default() };
        let r = evaluate(&data, items, &no_decay);
        let (avg, pop) = (&r.all.plain_average, &r.all.popularity);
        assert!(avg.hit_rate > pop.hit_rate, "hit rate {} vs {}", avg.hit_rate, pop.hit_rate);
        assert!(avg.ndcg > pop.ndcg, "NDCG {} vs {}", avg.ndcg, pop.ndcg);
    }
}
