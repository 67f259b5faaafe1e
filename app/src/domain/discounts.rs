//! Discount codes as a store (or the platform admin, for the whole marketplace) makes them in the
//! dashboard: the form's fields checked into a `DiscountCode`, and a code shown as a list row.
//! Checkout applies them with `checkout::apply_discount_to`.
use super::checkout::{DiscountCode, DiscountKind, normalize_code};
use super::dates::{days_from_civil, ymd};
use super::errors::{AppError, FieldErrors};
use super::money::{Currency, Money, parse_minor, percent_bps, percent_text};
use serde::{Deserialize, Serialize};

/// What the dashboard's form sent, as typed.
#[derive(Clone, Debug, Default)]
pub struct DiscountForm {
    pub code: String,
    /// "percent", "fixed" or "free_shipping".
    pub kind: String,
    /// The percentage or the amount; ignored for free shipping.
    pub value: String,
    pub min_spend: String,
    pub usage_limit: String,
    /// YYYY-MM-DD: the last day it works (UTC); empty for no end.
    pub last_day: String,
}

/// A code as the dashboard lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountRow {
    pub code: String,
    /// "10 % off", "$5.00 off", "Free shipping".
    pub offer: String,
    /// "Orders from $50.00", or empty.
    pub condition: String,
    /// "3 used", "3 of 100 used".
    pub usage: String,
    /// "Until 2027-01-31", or empty.
    pub ends: String,
    pub active: bool,
}

impl DiscountRow {
    pub fn of(c: &DiscountCode) -> DiscountRow {
        DiscountRow {
            code: c.code.clone(),
            offer: match c.kind {
                DiscountKind::Percent { bps } => format!("{} off", percent_text(i64::from(bps))),
                DiscountKind::Fixed { amount } => format!("{amount} off"),
                DiscountKind::FreeShipping => "Free standard shipping".into(),
            },
            condition: c.min_spend.map(|m| format!("Orders from {m}")).unwrap_or_default(),
            usage: match c.usage_limit {
                Some(limit) => format!("{} of {limit} used", c.times_used),
                None => format!("{} used", c.times_used),
            },
            // Stored as the instant it stops: the day before is its last.
            ends: c.expires_at.map(|t| format!("Until {}", ymd(t - 1))).unwrap_or_default(),
            active: !c.disabled,
        }
    }
}

/// The most a fixed code takes off, and the longest a code is.
const MAX_FIXED_MINOR: i64 = 100_000_00;
pub const MAX_CODE_CHARS: usize = 30;

/// Checks the form into a code of `merchant_id` (None: the marketplace's) priced in `currency`.
/// Every field that is wrong says so; nothing is half-made.
pub fn parse_discount_form(
    form: &DiscountForm,
    merchant_id: Option<i64>,
    currency: Currency,
    now: i64,
) -> Result<DiscountCode, AppError> {
    let mut errors = FieldErrors::default();
    let code = normalize_code(&form.code);
    if !(3..=MAX_CODE_CHARS).contains(&code.len())
        || !code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        errors.add("code", format!("Use 3 to {MAX_CODE_CHARS} letters, digits, - or _, like SPRING-10."));
    }
    let kind = match form.kind.trim() {
        "percent" => match percent_bps(&form.value) {
            Some(bps) if bps > 0 => Some(DiscountKind::Percent { bps: bps as u32 }),
            _ => {
                errors.add("value", "Enter a percentage above 0 and up to 100, like 10.");
                None
            }
        },
        "fixed" => match parse_minor(&form.value) {
            Some(minor) if (1..=MAX_FIXED_MINOR).contains(&minor) => {
                Some(DiscountKind::Fixed { amount: Money::new(minor, currency) })
            }
            _ => {
                errors.add("value", "Enter the amount off, like 5 or 7.50.");
                None
            }
        },
        "free_shipping" => Some(DiscountKind::FreeShipping),
        _ => {
            errors.add("kind", "Choose percent off, an amount off, or free shipping.");
            None
        }
    };
    let min_spend = match form.min_spend.trim() {
        "" | "0" => None,
        t => match parse_minor(t) {
            Some(m) if m > 0 => Some(Money::new(m, currency)),
            _ => {
                errors.add("min_spend", "Enter the smallest order it works for, like 50, or leave it empty.");
                None
            }
        },
    };
    let usage_limit = match form.usage_limit.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if (1..=10_000_000).contains(&n) => Some(n),
            _ => {
                errors.add("usage_limit", "Enter how many orders may use it (1 or more), or leave it empty.");
                None
            }
        },
    };
    let expires_at = match form.last_day.trim() {
        "" => None,
        t => match parse_day(t) {
            // It works through its last day (UTC) and stops at the next midnight.
            Some(start) if start + 86_400 > now => Some(start + 86_400),
            Some(_) => {
                errors.add("last_day", "That day has passed; choose a later last day, or leave it empty.");
                None
            }
            None => {
                errors.add("last_day", "Enter the last day as YYYY-MM-DD, like 2027-01-31.");
                None
            }
        },
    };
    match (kind, errors.is_empty()) {
        (Some(kind), true) => Ok(DiscountCode {
            code,
            kind,
            min_spend,
            expires_at,
            usage_limit,
            times_used: 0,
            merchant_id,
            disabled: false,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// "2027-01-31" as the unix second its day starts (UTC).
fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(2000..=2200).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // 2027-02-31 would roll into March: refuse it.
    (super::dates::civil_from_days(days) == (y, m, d)).then_some(days * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000; // 2027-01-15

    fn form(code: &str, kind: &str, value: &str) -> DiscountForm {
        DiscountForm { code: code.into(), kind: kind.into(), value: value.into(), ..Default::default() }
    }

    #[test]
    fn a_good_form_makes_the_code_it_says() {
        let mut f = form(" spring-10 ", "percent", "10");
        f.min_spend = "50".into();
        f.usage_limit = "100".into();
        f.last_day = "2027-01-31".into();
        let c = parse_discount_form(&f, Some(3), Currency::USD, NOW).unwrap();
        assert_eq!(
            (c.code.as_str(), c.kind, c.merchant_id),
            ("SPRING-10", DiscountKind::Percent { bps: 1000 }, Some(3))
        );
        assert_eq!(c.min_spend, Some(Money::new(5000, Currency::USD)));
        assert_eq!(ymd(c.expires_at.unwrap()), "2027-02-01", "it stops at the midnight after its last day");
        let row = DiscountRow::of(&c);
        assert_eq!(
            (row.offer.as_str(), row.ends.as_str(), row.usage.as_str()),
            ("10 % off", "Until 2027-01-31", "0 of 100 used")
        );
        let ship = parse_discount_form(&form("SHIPFREE", "free_shipping", ""), None, Currency::USD, NOW).unwrap();
        assert_eq!(DiscountRow::of(&ship).offer, "Free standard shipping");
        let five = parse_discount_form(&form("FIVE", "fixed", "7.5"), None, Currency::USD, NOW).unwrap();
        assert_eq!(five.kind, DiscountKind::Fixed { amount: Money::new(750, Currency::USD) });
    }

    #[test]
    fn every_wrong_field_says_what_to_fix() {
        let f = DiscountForm {
            code: "x y".into(),
            kind: "percent".into(),
            value: "0".into(),
            min_spend: "lots".into(),
            usage_limit: "-1".into(),
            last_day: "2027-02-31".into(),
        };
        let e = parse_discount_form(&f, None, Currency::USD, NOW).unwrap_err();
        for field in ["code", "value", "min_spend", "usage_limit", "last_day"] {
            assert!(e.field(field).is_some(), "{field}: {e:?}");
        }
        let past = DiscountForm { last_day: "2026-01-01".into(), ..form("OLD", "fixed", "5") };
        assert!(
            parse_discount_form(&past, None, Currency::USD, NOW)
                .unwrap_err()
                .field("last_day")
                .unwrap()
                .contains("passed")
        );
        assert!(
            parse_discount_form(&form("ABC", "bogo", "1"), None, Currency::USD, NOW)
                .unwrap_err()
                .field("kind")
                .is_some()
        );
    }

    proptest! {
        #[test]
        fn the_form_parser_never_panics(code in "\\PC{0,40}", value in "\\PC{0,12}", day in "\\PC{0,12}", kind in "(percent|fixed|free_shipping|\\PC{0,8})") {
            let f = DiscountForm { code, kind, value, min_spend: day.clone(), usage_limit: day.clone(), last_day: day };
            let _ = parse_discount_form(&f, None, Currency::USD, NOW);
        }
    }
}
