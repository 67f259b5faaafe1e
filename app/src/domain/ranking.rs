//! Every ordering of products is a weighted average of signals normalised to [0, 1]:
//! score = Σ wᵢ·sᵢ / Σ wᵢ over the signals that apply to the listing. Each result keeps its
//! per-signal contributions (wᵢ·sᵢ / Σ wᵢ), which add up to its score, so an order can be explained.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Signal {
    TextRelevance,
    Rating,
    Sales,
    Freshness,
    Availability,
    Affinity,
}

impl Signal {
    pub const ALL: [Signal; 6] = [
        Signal::TextRelevance,
        Signal::Rating,
        Signal::Sales,
        Signal::Freshness,
        Signal::Availability,
        Signal::Affinity,
    ];

    /// The name stored in the database and used in forms.
    pub fn key(self) -> &'static str {
        match self {
            Signal::TextRelevance => "text_relevance",
            Signal::Rating => "rating",
            Signal::Sales => "sales",
            Signal::Freshness => "freshness",
            Signal::Availability => "availability",
            Signal::Affinity => "affinity",
        }
    }

    pub fn from_key(key: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Signal::TextRelevance => "Text relevance",
            Signal::Rating => "Rating",
            Signal::Sales => "Recent sales",
            Signal::Freshness => "Freshness",
            Signal::Availability => "Availability",
            Signal::Affinity => "Personal affinity",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weights(pub Vec<(Signal, f64)>);

impl Default for Weights {
    /// Relevance first in search; among equals, well-rated, selling, new and available products.
    fn default() -> Self {
        Weights(vec![
            (Signal::TextRelevance, 4.0),
            (Signal::Rating, 2.0),
            (Signal::Sales, 2.0),
            (Signal::Freshness, 1.0),
            (Signal::Availability, 1.5),
            (Signal::Affinity, 1.0),
        ])
    }
}

pub const MAX_WEIGHT: f64 = 10.0;

impl Weights {
    pub fn get(&self, signal: Signal) -> f64 {
        self.0.iter().find(|(s, _)| *s == signal).map(|(_, w)| *w).unwrap_or(0.0)
    }

    /// [`Weights::parse`] of a form's fields by name (`Signal::key`); other fields are ignored.
    pub fn parse_fields(
        fields: &std::collections::BTreeMap<String, String>,
    ) -> Result<Weights, crate::domain::errors::AppError> {
        let typed: Vec<(Signal, &str)> =
            Signal::ALL.into_iter().filter_map(|s| Some((s, fields.get(s.key())?.as_str()))).collect();
        Weights::parse(&typed)
    }

    /// Parses one form field per signal (named by `Signal::key`); every problem is reported.
    pub fn parse(fields: &[(Signal, &str)]) -> Result<Weights, crate::domain::errors::AppError> {
        let mut errors = crate::domain::errors::FieldErrors::default();
        let mut out = Vec::new();
        for signal in Signal::ALL {
            let raw = fields.iter().find(|(s, _)| *s == signal).map(|(_, v)| v.trim()).unwrap_or("");
            match raw.parse::<f64>() {
                Ok(w) if w.is_finite() && (0.0..=MAX_WEIGHT).contains(&w) => out.push((signal, w)),
                _ => errors.add(signal.key(), format!("Enter a number from 0 to {MAX_WEIGHT}.")),
            }
        }
        if errors.is_empty() && out.iter().all(|(_, w)| *w == 0.0) {
            errors.add("form", "At least one weight must be above 0.");
        }
        errors.into_result()?;
        Ok(Weights(out))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub signal: Signal,
    pub weight: f64,
    /// The normalised signal, in [0, 1].
    pub value: f64,
    /// weight · value / Σ weights: the part of the score this signal gives.
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub score: f64,
    pub contributions: Vec<Contribution>,
}

/// The weighted average of the signals present. Values are clamped to [0, 1]; signals with no
/// weight, or not present, count in neither the sum nor the total weight.
pub fn score(signals: &[(Signal, f64)], weights: &Weights) -> Score {
    let present: Vec<(Signal, f64, f64)> = signals
        .iter()
        .map(|(s, v)| (*s, weights.get(*s), if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 }))
        .filter(|(_, w, _)| *w > 0.0)
        .collect();
    let total: f64 = present.iter().map(|(_, w, _)| w).sum();
    if total <= 0.0 {
        return Score { score: 0.0, contributions: Vec::new() };
    }
    let contributions: Vec<Contribution> = present
        .into_iter()
        .map(|(signal, weight, value)| Contribution { signal, weight, value, share: weight * value / total })
        .collect();
    Score { score: contributions.iter().map(|c| c.share).sum(), contributions }
}

/// Orders items by score, best first; equal scores keep their input order.
pub fn rank<T>(items: Vec<(T, Vec<(Signal, f64)>)>, weights: &Weights) -> Vec<(T, Score)> {
    let mut scored: Vec<(T, Score)> = items.into_iter().map(|(item, s)| (item, score(&s, weights))).collect();
    scored.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    scored
}

/// Scales raw values (relevance, sales) into [0, 1] by the largest one.
pub fn by_max(values: &[f64]) -> Vec<f64> {
    let max = values.iter().cloned().filter(|v| v.is_finite()).fold(0.0, f64::max);
    values.iter().map(|v| if max > 0.0 && v.is_finite() { (v / max).max(0.0) } else { 0.0 }).collect()
}

/// Halves every `half_life_secs`: a new product scores 1, one a half-life old 0.5.
pub fn freshness(age_secs: i64, half_life_secs: i64) -> f64 {
    if half_life_secs <= 0 {
        return 0.0;
    }
    0.5f64.powf(age_secs.max(0) as f64 / half_life_secs as f64)
}

/// Sold out 0, a few left 0.6, in stock 1: shoppers can buy what ranks high.
pub fn availability(stock: i64) -> f64 {
    match stock {
        s if s <= 0 => 0.0,
        s if s <= super::catalog::LOW_STOCK => 0.6,
        _ => 1.0,
    }
}

/// Half from how often the shopper viewed the product's category, half from its store, each
/// relative to the category and store they viewed most: 1 is "their favourite", 0 "never seen".
pub fn affinity(category_views: i64, max_category_views: i64, store_views: i64, max_store_views: i64) -> f64 {
    let part = |n: i64, max: i64| if max > 0 { (n.max(0) as f64 / max as f64).min(1.0) } else { 0.0 };
    0.5 * part(category_views, max_category_views) + 0.5 * part(store_views, max_store_views)
}

/// IMDb-style Bayesian average on a 1–5 scale, mapped to [0, 1]: few votes lean on the
/// catalog-wide mean `c`, `m` votes weigh as much as the product's own.
pub fn bayesian_rating(votes: f64, mean: f64, m: f64, c: f64) -> f64 {
    if votes + m <= 0.0 {
        return 0.0;
    }
    let r = votes / (votes + m) * mean + m / (votes + m) * c;
    ((r - 1.0) / 4.0).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn score_is_the_weighted_average_and_contributions_add_up() {
        let w = Weights(vec![(Signal::TextRelevance, 3.0), (Signal::Freshness, 1.0)]);
        let s = score(&[(Signal::TextRelevance, 1.0), (Signal::Freshness, 0.2)], &w);
        assert!(close(s.score, (3.0 * 1.0 + 1.0 * 0.2) / 4.0));
        assert!(close(s.contributions.iter().map(|c| c.share).sum::<f64>(), s.score));
        assert!(close(s.contributions[0].share, 0.75));
    }

    #[test]
    fn absent_or_unweighted_signals_do_not_dilute_the_score() {
        let w = Weights(vec![(Signal::Freshness, 1.0), (Signal::Rating, 0.0)]);
        let s = score(&[(Signal::Freshness, 0.8), (Signal::Rating, 1.0)], &w);
        assert!(close(s.score, 0.8), "a zero weight is ignored, the rest still averages to 0.8");
        assert_eq!(s.contributions.len(), 1);
        assert_eq!(score(&[], &w).score, 0.0);
        let clamped = score(&[(Signal::Freshness, 7.0)], &w);
        assert!(close(clamped.score, 1.0), "values are clamped into [0, 1]");
    }

    #[test]
    fn rank_orders_best_first_and_keeps_ties_stable() {
        let w = Weights::default();
        let items = vec![
            ("sold out", vec![(Signal::Availability, 0.0), (Signal::Freshness, 1.0)]),
            ("fresh", vec![(Signal::Availability, 1.0), (Signal::Freshness, 1.0)]),
            ("old", vec![(Signal::Availability, 1.0), (Signal::Freshness, 0.1)]),
            ("fresh twin", vec![(Signal::Availability, 1.0), (Signal::Freshness, 1.0)]),
        ];
        let order: Vec<&str> = rank(items, &w).into_iter().map(|(n, _)| n).collect();
        assert_eq!(order, vec!["fresh", "fresh twin", "old", "sold out"]);
    }

    #[test]
    fn weights_parse_from_a_form_with_field_errors() {
        let fields: Vec<(Signal, &str)> = Signal::ALL.iter().map(|s| (*s, "1.5")).collect();
        assert_eq!(Weights::parse(&fields).unwrap().get(Signal::Rating), 1.5);
        let mut bad = fields.clone();
        bad[1].1 = "-1";
        bad[2].1 = "lots";
        let err = Weights::parse(&bad).unwrap_err();
        assert!(err.field("rating").is_some() && err.field("sales").is_some());
        let zeros: Vec<(Signal, &str)> = Signal::ALL.iter().map(|s| (*s, "0")).collect();
        assert!(Weights::parse(&zeros).unwrap_err().field("form").is_some());
        for s in Signal::ALL {
            assert_eq!(Signal::from_key(s.key()), Some(s));
        }
    }

    #[test]
    fn normalisers_stay_in_range() {
        assert_eq!(by_max(&[2.0, 4.0, 0.0]), vec![0.5, 1.0, 0.0]);
        assert_eq!(by_max(&[0.0, 0.0]), vec![0.0, 0.0]);
        assert!(close(freshness(0, 100), 1.0));
        assert!(close(freshness(100, 100), 0.5));
        assert!(close(freshness(-5, 100), 1.0), "future dates count as new");
        assert_eq!(availability(0), 0.0);
        assert_eq!(availability(3), 0.6);
        assert_eq!(availability(50), 1.0);
        // 2 votes of 5.0 against a catalog mean of 3.0 with m = 10: pulled towards the mean.
        let few = bayesian_rating(2.0, 5.0, 10.0, 3.0);
        let many = bayesian_rating(200.0, 5.0, 10.0, 3.0);
        assert!(few < many && many <= 1.0 && few > 0.5);
        assert_eq!(bayesian_rating(0.0, 0.0, 0.0, 3.0), 0.0);
        assert!(close(affinity(4, 4, 1, 2), 0.75));
        assert_eq!(affinity(0, 0, 0, 0), 0.0);
        assert_eq!(affinity(9, 3, 9, 3), 1.0);
    }

    #[test]
    fn all_zero_weights_fall_back_to_zero_without_nan() {
        let zero = Weights(Signal::ALL.iter().map(|s| (*s, 0.0)).collect());
        let s = score(&[(Signal::Rating, 0.9), (Signal::Freshness, f64::NAN)], &zero);
        assert_eq!((s.score, s.contributions.len()), (0.0, 0));
        let nan = score(&[(Signal::Freshness, f64::NAN)], &Weights::default());
        assert_eq!(nan.score, 0.0, "a NaN signal counts as 0, never poisons the score");
    }

    #[test]
    fn equal_weights_average_and_one_extreme_weight_dominates() {
        let equal = Weights(Signal::ALL.iter().map(|s| (*s, 1.0)).collect());
        let s = score(&[(Signal::Rating, 1.0), (Signal::Freshness, 0.0), (Signal::Availability, 0.5)], &equal);
        assert!(close(s.score, 0.5));
        let extreme = Weights(vec![(Signal::Rating, MAX_WEIGHT), (Signal::Freshness, 0.001)]);
        let items = vec![
            ("well rated", vec![(Signal::Rating, 0.9), (Signal::Freshness, 0.0)]),
            ("brand new", vec![(Signal::Rating, 0.5), (Signal::Freshness, 1.0)]),
        ];
        let ranked = rank(items, &extreme);
        assert_eq!(ranked[0].0, "well rated");
        for (_, s) in &ranked {
            assert!((0.0..=1.0).contains(&s.score));
            assert!(close(s.contributions.iter().map(|c| c.share).sum::<f64>(), s.score));
            assert!(s.contributions.iter().all(|c| (0.0..=1.0).contains(&c.value)));
        }
    }
}
