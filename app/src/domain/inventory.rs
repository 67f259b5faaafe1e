//! Inventory rules: stock adjustments with a reason, kept as a history, and the store's low-stock
//! threshold. Pure: the store applies an adjustment in one transaction that refuses to take stock
//! below zero; these rules decide what may be asked for at all.
use super::errors::{AppError, FieldErrors};
use serde::{Deserialize, Serialize};

/// The largest change one adjustment may make, either way.
pub const MAX_DELTA: i64 = 100_000;
/// Longest note, in characters.
pub const MAX_NOTE: usize = 200;
/// A store's threshold until it sets one.
pub const DEFAULT_THRESHOLD: i64 = 5;
pub const MAX_THRESHOLD: i64 = 10_000;
/// Rows per page of the inventory table.
pub const PAGE_SIZE: usize = 50;
/// Entries shown in a variant's history.
pub const HISTORY_LIMIT: i64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Stock arrived: adds.
    Received,
    /// Broken or lost: removes.
    Damaged,
    /// A count that differs from the books: either way.
    Correction,
}

impl Reason {
    pub const ALL: [Reason; 3] = [Reason::Received, Reason::Damaged, Reason::Correction];

    pub fn parse(s: &str) -> Option<Reason> {
        match s.trim() {
            "received" => Some(Reason::Received),
            "damaged" => Some(Reason::Damaged),
            "correction" => Some(Reason::Correction),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Received => "received",
            Reason::Damaged => "damaged",
            Reason::Correction => "correction",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::Received => "Received",
            Reason::Damaged => "Damaged",
            Reason::Correction => "Correction",
        }
    }
}

/// A checked request to change one variant's stock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub variant_id: i64,
    pub delta: i64,
    pub reason: Reason,
    pub note: String,
}

/// Checks an adjustment as typed into the form: `delta` a non-zero whole number within
/// ±`MAX_DELTA` (received adds, damaged removes), `reason` one of the three, `note` at most
/// `MAX_NOTE` characters. Errors name their field.
pub fn validate(variant_id: i64, delta: &str, reason: &str, note: &str) -> Result<Adjustment, AppError> {
    let mut errors = FieldErrors::default();
    let reason = Reason::parse(reason);
    if reason.is_none() {
        errors.add("reason", "Choose a reason: received, damaged or correction.");
    }
    let delta = match delta.trim().trim_start_matches('+').parse::<i64>() {
        Err(_) => {
            errors.add("delta", "Enter a whole number, like 10 or -3.");
            0
        }
        Ok(0) => {
            errors.add("delta", "Enter a change other than zero.");
            0
        }
        Ok(d) if d.unsigned_abs() > MAX_DELTA.unsigned_abs() => {
            errors.add("delta", format!("One adjustment can change stock by at most {MAX_DELTA}."));
            0
        }
        Ok(d) => {
            match reason {
                Some(Reason::Received) if d < 0 => errors.add("delta", "Received stock adds: enter a positive number."),
                Some(Reason::Damaged) if d > 0 => {
                    errors.add("delta", "Damaged stock is removed: enter a negative number, like -2.")
                }
                _ => {}
            }
            d
        }
    };
    let note = note.trim().to_string();
    if note.chars().count() > MAX_NOTE {
        errors.add("note", format!("Keep the note to {MAX_NOTE} characters."));
    }
    if variant_id <= 0 {
        errors.add("variant_id", "Choose a variant.");
    }
    errors.into_result()?;
    Ok(Adjustment { variant_id, delta, reason: reason.expect("checked"), note })
}

/// The store's low-stock threshold as typed: a whole number from 0 to `MAX_THRESHOLD`.
pub fn validate_threshold(value: &str) -> Result<i64, AppError> {
    match value.trim().parse::<i64>() {
        Ok(t) if (0..=MAX_THRESHOLD).contains(&t) => Ok(t),
        _ => Err(AppError::one("threshold", format!("Enter a whole number from 0 to {MAX_THRESHOLD}."))),
    }
}

/// Why a removal was refused: it would take stock below zero.
pub fn insufficient_message(stock: i64, delta: i64) -> String {
    format!("Only {stock} in stock; you cannot remove {}.", -delta)
}

/// A variant is low on stock at or below the threshold.
pub fn is_low(stock: i64, threshold: i64) -> bool {
    stock <= threshold
}

/// One row of the inventory table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    pub variant_id: i64,
    pub product_id: i64,
    pub product_title: String,
    pub variant_title: String,
    pub sku: String,
    pub stock: i64,
    pub low: bool,
}

/// A page of the store's inventory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryList {
    pub merchant_id: i64,
    pub store_name: String,
    pub threshold: i64,
    /// A page of the variants matching the search and filter, with its neighbours' cursors.
    pub page: super::paging::Page<StockRow>,
    pub q: String,
    pub low_only: bool,
    /// A fresh key for the adjust forms on this page (a resubmitted form applies once).
    pub action_key: String,
}

/// One recorded adjustment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub delta: i64,
    pub reason: Reason,
    pub note: String,
    pub stock_after: i64,
    pub by: Option<String>,
    pub created_at: i64,
}

/// A variant's stock and its latest adjustments, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantHistory {
    pub variant_id: i64,
    pub product_title: String,
    pub variant_title: String,
    pub sku: String,
    pub stock: i64,
    pub entries: Vec<HistoryEntry>,
}

/// What an applied adjustment left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjusted {
    pub variant_id: i64,
    pub delta: i64,
    pub stock_after: i64,
}

/// `+10` or `-3`.
pub fn signed(delta: i64) -> String {
    if delta > 0 { format!("+{delta}") } else { delta.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_negative_number_is_refused_not_an_overflow() {
        let err = validate(1, "-9223372036854775808", "correction", "").unwrap_err();
        assert!(err.field("delta").is_some_and(|m| m.contains("at most")), "{err:?}");
    }

    #[test]
    fn a_valid_adjustment_passes() {
        let a = validate(7, "+10", "received", "  pallet 4 ").unwrap();
        assert_eq!(a, Adjustment { variant_id: 7, delta: 10, reason: Reason::Received, note: "pallet 4".into() });
        assert_eq!(validate(7, "-2", "damaged", "").unwrap().delta, -2);
        assert_eq!(validate(7, "-2", "correction", "").unwrap().delta, -2);
        assert_eq!(validate(7, "3", "correction", "").unwrap().delta, 3);
    }

    #[test]
    fn delta_must_be_a_non_zero_number_within_bounds() {
        for bad in ["0", "", "abc", "1.5", "100001", "-100001"] {
            let e = validate(7, bad, "correction", "").unwrap_err();
            assert!(e.field("delta").is_some(), "{bad}");
        }
        assert!(validate(7, "100000", "received", "").is_ok());
        assert!(validate(7, "-100000", "damaged", "").is_ok());
    }

    #[test]
    fn reason_decides_the_sign() {
        assert!(validate(7, "-1", "received", "").unwrap_err().field("delta").is_some());
        assert!(validate(7, "1", "damaged", "").unwrap_err().field("delta").is_some());
        let e = validate(7, "1", "stolen", "").unwrap_err();
        assert!(e.field("reason").is_some());
        assert!(e.field("delta").is_none());
    }

    #[test]
    fn note_is_limited() {
        assert!(validate(7, "1", "received", &"x".repeat(200)).is_ok());
        assert!(validate(7, "1", "received", &"é".repeat(201)).unwrap_err().field("note").is_some());
    }

    #[test]
    fn threshold_bounds() {
        assert_eq!(validate_threshold(" 0 ").unwrap(), 0);
        assert_eq!(validate_threshold("10000").unwrap(), 10_000);
        for bad in ["-1", "10001", "five", ""] {
            assert!(validate_threshold(bad).unwrap_err().field("threshold").is_some(), "{bad}");
        }
    }

    #[test]
    fn messages_and_flags() {
        assert_eq!(insufficient_message(3, -5), "Only 3 in stock; you cannot remove 5.");
        assert!(is_low(5, 5) && !is_low(6, 5) && is_low(0, 0));
        assert_eq!(signed(10), "+10");
        assert_eq!(signed(-3), "-3");
        assert_eq!(Reason::ALL.map(|r| Reason::parse(r.as_str())), Reason::ALL.map(Some));
    }
}
