//! The ranking weights editor's preview: how a sample query's order changes from the saved
//! weights to the proposed ones, before anything is saved. Pure: the server runs the search twice
//! and hands both orders here.
use serde::{Deserialize, Serialize};

/// How many results the preview compares.
pub const PREVIEW_SIZE: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub product_id: i64,
    pub title: String,
    /// 1-based position with the saved weights; `None` when it was not in the compared results.
    pub before: Option<usize>,
    /// 1-based position with the proposed weights.
    pub after: usize,
    pub score_before: Option<f64>,
    pub score_after: f64,
}

impl PreviewRow {
    /// Places moved up (positive) or down (negative); `None` for a newcomer.
    pub fn moved(&self) -> Option<i64> {
        self.before.map(|b| b as i64 - self.after as i64)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankingPreview {
    pub query: String,
    pub rows: Vec<PreviewRow>,
    /// How many of the shown products changed place.
    pub changed: usize,
}

/// Lines the proposed top `n` up against the saved order. Both lists are best first:
/// (product id, title, score).
pub fn compare(query: &str, saved: &[(i64, String, f64)], proposed: &[(i64, String, f64)], n: usize) -> RankingPreview {
    let rows: Vec<PreviewRow> = proposed
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, (id, title, score))| {
            let before = saved.iter().position(|(s, _, _)| s == id);
            PreviewRow {
                product_id: *id,
                title: title.clone(),
                before: before.map(|b| b + 1),
                after: i + 1,
                score_before: before.map(|b| saved[b].2),
                score_after: *score,
            }
        })
        .collect();
    let changed = rows.iter().filter(|r| r.moved() != Some(0)).count();
    RankingPreview { query: query.to_string(), rows, changed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(ids: &[i64]) -> Vec<(i64, String, f64)> {
        ids.iter().enumerate().map(|(i, id)| (*id, format!("P{id}"), 1.0 - i as f64 / 10.0)).collect()
    }

    #[test]
    fn the_same_weights_change_nothing() {
        let p = compare("lamp", &list(&[1, 2, 3]), &list(&[1, 2, 3]), 10);
        assert_eq!(p.changed, 0);
        assert!(p.rows.iter().all(|r| r.moved() == Some(0)));
    }

    #[test]
    fn moves_and_newcomers_are_reported() {
        let p = compare("lamp", &list(&[1, 2, 3, 4]), &list(&[3, 1, 9]), 2);
        assert_eq!(p.rows.len(), 2, "only the top n");
        assert_eq!(
            (p.rows[0].product_id, p.rows[0].before, p.rows[0].after, p.rows[0].moved()),
            (3, Some(3), 1, Some(2))
        );
        assert_eq!(p.rows[1].moved(), Some(-1));
        assert_eq!(p.changed, 2);
        let p = compare("lamp", &list(&[1]), &list(&[9, 1]), 10);
        assert_eq!((p.rows[0].before, p.rows[0].moved(), p.rows[0].score_before), (None, None, None));
        assert_eq!(p.changed, 2, "a newcomer and the product it pushed down");
    }
}
