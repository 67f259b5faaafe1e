//! `server bench-recs`: times the item-to-item similarity recompute on a synthetic order log
//! (default 100 000 products, 1 000 000 order lines) and the in-memory prediction for a shopper.
//! No database: the storage and the page read are measured by the store's own tests.
use app::domain::recommend::{self, SimilarityParams, synthetic};
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq)]
pub struct BenchOptions {
    pub products: u32,
    pub lines: usize,
    pub seed: u64,
    pub min_support: u32,
    pub top_n: usize,
    pub runs: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions { products: 100_000, lines: 1_000_000, seed: 1, min_support: 2, top_n: 20, runs: 3 }
    }
}

pub const USAGE: &str =
    "server bench-recs [--products 100000] [--lines 1000000] [--seed N] [--min-support 2] [--top-n 20] [--runs 3]";

impl BenchOptions {
    pub fn parse(args: &[&str]) -> Result<BenchOptions, String> {
        let mut o = BenchOptions::default();
        let mut i = 0;
        while i < args.len() {
            let flag = args[i];
            let v = args.get(i + 1).ok_or_else(|| format!("{flag} needs a value\nusage: {USAGE}"))?;
            let bad = || format!("{flag} takes a positive whole number, got {v:?}");
            match flag {
                "--products" => o.products = v.parse().ok().filter(|n| (2..=50_000_000).contains(n)).ok_or_else(bad)?,
                "--lines" => o.lines = v.parse().ok().filter(|n| (1..=200_000_000).contains(n)).ok_or_else(bad)?,
                "--seed" => o.seed = v.parse().map_err(|_| bad())?,
                "--min-support" => o.min_support = v.parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?,
                "--top-n" => o.top_n = v.parse().ok().filter(|n| (1..=10_000).contains(n)).ok_or_else(bad)?,
                "--runs" => o.runs = v.parse().ok().filter(|n| (1..=100).contains(n)).ok_or_else(bad)?,
                other => return Err(format!("unknown option {other:?}\nusage: {USAGE}")),
            }
            i += 2;
        }
        Ok(o)
    }
}

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d.get(d.len() / 2).copied().unwrap_or_default()
}

fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

/// Runs the benchmark and returns the printed report.
pub fn run(o: &BenchOptions) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let started = Instant::now();
    let orders = synthetic::orders(o.products, o.lines, o.seed);
    let generated = started.elapsed();
    let lines: usize = orders.iter().map(Vec::len).sum();
    let _ = writeln!(
        s,
        "bench-recs: {} products, {} order lines in {} orders (seed {}), generated in {}; threads: {}",
        o.products,
        lines,
        orders.len(),
        o.seed,
        secs(generated),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let p = SimilarityParams { min_support: o.min_support, top_n: o.top_n };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..o.runs {
        let t = Instant::now();
        let (sims, stats) = recommend::similar_items_with_stats(&orders, &p, recommend::MAX_BASKET_ITEMS);
        times.push(t.elapsed());
        last = Some((sims, stats));
    }
    let Some((sims, stats)) = last else { return s };
    let med = median(times.clone());
    let _ = writeln!(
        s,
        "similarity recompute (cosine, min support {}, top {}): median {} of {} runs ({})",
        o.min_support,
        o.top_n,
        secs(med),
        o.runs,
        times.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(
        s,
        "  {} baskets with 2+ items, {} items in them, {} co-occurring pairs, {} pairs kept (c(i,j) >= {}), \
         {} neighbour rows stored for {} items",
        stats.baskets,
        stats.items,
        stats.pairs_seen,
        stats.pairs_kept,
        o.min_support,
        stats.neighbours_kept,
        sims.len()
    );
    refresh_line(&mut s, &orders, &p, o.runs);
    // The peak baskets: over the cap they are skipped; one exactly at the cap is counted.
    let cap = recommend::MAX_BASKET_ITEMS;
    let peak: Vec<Vec<i64>> = vec![(1..=cap as i64).collect()];
    let t = Instant::now();
    let (_, peak_stats) =
        recommend::similar_items_with_stats(&peak, &SimilarityParams { min_support: 1, top_n: o.top_n }, cap);
    let peak_time = t.elapsed();
    let _ = writeln!(
        s,
        "  peak baskets: {} over {cap} distinct items skipped; largest counted {} items; one {cap}-item basket alone \
         ({} pairs) takes {}",
        stats.skipped_baskets,
        stats.largest_basket,
        peak_stats.pairs_seen,
        secs(peak_time)
    );
    // Prediction for a shopper with 20 purchases (in memory; the page reads stored neighbours).
    let mut rng = synthetic::Rng::new(o.seed ^ 0xABCD);
    let with_rows: Vec<i64> = {
        let mut v: Vec<i64> = sims.keys().copied().collect();
        v.sort_unstable();
        v
    };
    if !with_rows.is_empty() {
        let mut lat = Vec::new();
        for _ in 0..1000 {
            let interest: Vec<(i64, f64)> =
                (0..20).map(|_| (with_rows[rng.below(with_rows.len() as u64) as usize], 4.0)).collect();
            let bought: HashSet<i64> = interest.iter().map(|(i, _)| *i).collect();
            let t = Instant::now();
            let got = recommend::predict(&interest, &sims, &bought, 10);
            lat.push(t.elapsed());
            std::hint::black_box(got);
        }
        lat.sort();
        let _ = writeln!(
            s,
            "predict (20 history items, top 10, in memory): p50 {:.1}µs, p99 {:.1}µs over 1000 shoppers",
            lat[lat.len() / 2].as_secs_f64() * 1e6,
            lat[lat.len() * 99 / 100].as_secs_f64() * 1e6
        );
    }
    s
}

/// The whole refresh the repeat-aware lists stand on: the similarity recompute, the shop's
/// popularity with the trend half-life, and every customer's decayed purchase frequency (the
/// shop computes one shopper's per request; here all at once, as an upper bound). The synthetic
/// log has no customers or times: order n belongs to customer n mod (orders / 4) and is n hours
/// after the first.
fn refresh_line(s: &mut String, orders: &[Vec<i64>], p: &SimilarityParams, runs: usize) {
    use app::domain::recommend::{for_you, repeat};
    use std::collections::HashMap;
    use std::fmt::Write;
    let customers = (orders.len() / 4).max(1);
    let hour = 3_600i64;
    let now = orders.len() as i64 * hour;
    let mut times = Vec::new();
    let mut counted = (0usize, 0usize);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let (sims, _) = recommend::similar_items_with_stats(orders, p, recommend::MAX_BASKET_ITEMS);
        let events: Vec<(i64, i64, f64)> =
            orders.iter().enumerate().flat_map(|(n, b)| b.iter().map(move |i| (*i, n as i64 * hour, 4.0))).collect();
        let popular = recommend::popular(&events, now, for_you::DEFAULT.trend_half_life_days);
        let mut by_customer: HashMap<usize, Vec<repeat::Purchase>> = HashMap::new();
        for (n, b) in orders.iter().enumerate() {
            let at = n as i64 * hour;
            by_customer.entry(n % customers).or_default().extend(b.iter().map(|i| repeat::Purchase {
                item: *i,
                at,
                basket: n as i64,
            }));
        }
        let frequencies: usize = by_customer
            .values()
            .map(|h| repeat::personal_frequency(h, now, repeat::DEFAULT.half_life_days).len())
            .sum();
        times.push(t.elapsed());
        counted = (popular.len(), frequencies);
        std::hint::black_box((sims, popular));
    }
    let _ = writeln!(
        s,
        "refresh (similarity + popularity + every customer's decayed frequency): median {} of {} runs ({}); \
         {} popular items, {} (customer, item) frequencies for {customers} customers",
        secs(median(times.clone())),
        times.len(),
        times.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", "),
        counted.0,
        counted.1
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_run_reports_figures() {
        let o = BenchOptions::parse(&["--products", "2000", "--lines", "20000", "--runs", "1"]).unwrap();
        let out = run(&o);
        assert!(out.contains("median"), "{out}");
        assert!(out.contains("refresh (similarity + popularity + every customer's decayed frequency)"), "{out}");
        assert!(out.contains("20000 order lines"), "{out}");
        assert!(BenchOptions::parse(&["--products"]).is_err());
        assert!(BenchOptions::parse(&["--lines", "0"]).is_err());
    }
}
