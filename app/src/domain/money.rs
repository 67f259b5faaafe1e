//! Money as integer minor units plus an ISO 4217 currency, so sums never drift.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency must be a three-letter ISO 4217 code such as USD, got {0:?}")]
    BadCurrency(String),
    #[error("amounts in different currencies ({0} and {1}) cannot be combined")]
    CurrencyMismatch(Currency, Currency),
    #[error("the amount is too large")]
    Overflow,
}

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const GBP: Currency = Currency(*b"GBP");

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(MoneyError::BadCurrency(code.to_string()))
        }
    }

    pub fn code(&self) -> &str {
        // Only ever built from three ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Minor units per major unit; the currencies we list all use cents.
    pub fn exponent(&self) -> u32 {
        match self.code() {
            "JPY" | "KRW" => 0,
            _ => 2,
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        match self.code() {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_mul(self, qty: i64) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(qty).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// The amount as a plain signed decimal without symbol or grouping ("-12.50", "1234.00",
    /// "500" for a currency without minor units): what a spreadsheet sums.
    pub fn decimal(&self) -> String {
        let exp = self.currency.exponent();
        let scale = 10u64.pow(exp);
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        match exp {
            0 => format!("{sign}{abs}"),
            _ => format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exp as usize),
        }
    }

    /// Whole percentage saved against a higher reference price, if any.
    pub fn percent_off(self, was: Money) -> Option<u32> {
        if was.currency != self.currency || was.minor <= self.minor || was.minor <= 0 {
            return None;
        }
        let off = (was.minor - self.minor) * 100 / was.minor;
        (off > 0).then_some(off as u32)
    }
}

/// `$1,234.50`, `€9.99`, `CHF 12.00`: grouping digits keeps big prices readable.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent();
        let scale = 10i64.pow(exp);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let major = abs / scale as u64;
        let minor = abs % scale as u64;
        let digits = major.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        match self.currency.symbol() {
            Some(sym) => write!(f, "{sign}{sym}{grouped}")?,
            None => write!(f, "{sign}{} {grouped}", self.currency.code())?,
        }
        if exp > 0 {
            write!(f, ".{:0width$}", minor, width = exp as usize)?;
        }
        Ok(())
    }
}

/// An amount typed in major units ("4.99", "$5", "0", at most two decimals) as minor units.
pub fn parse_minor(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('$');
    let (whole, cents) = match text.split_once('.') {
        Some((w, c)) if (1..=2).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()) => {
            (w, if c.len() == 1 { format!("{c}0") } else { c.to_string() })
        }
        Some(_) => return None,
        None => (text, "00".to_string()),
    };
    if whole.is_empty() || whole.len() > 9 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(whole.parse::<i64>().ok()? * 100 + cents.parse::<i64>().ok()?)
}

/// A percentage as typed: "10", "12.5", "7.25 %", "0" (at most two decimals, at most 100) in
/// basis points; None when it is not one.
pub fn percent_bps(typed: &str) -> Option<i64> {
    let t = typed.trim().trim_end_matches('%').trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || whole.len() > 3
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let bps = whole * 100 + frac;
    (0..=10_000).contains(&bps).then_some(bps)
}

/// "20 %", "12.5 %", "7.25 %" for basis points.
pub fn percent_text(bps: i64) -> String {
    let text = format!("{}.{:02}", bps / 100, bps % 100);
    format!("{} %", text.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_symbol_grouping_and_cents() {
        assert_eq!(Money::new(123450, Currency::USD).to_string(), "$1,234.50");
        assert_eq!(Money::new(999, Currency::EUR).to_string(), "€9.99");
        assert_eq!(Money::new(5, Currency::GBP).to_string(), "£0.05");
        assert_eq!(Money::new(-250, Currency::USD).to_string(), "-$2.50");
        assert_eq!(Money::new(100_000_000, Currency::USD).to_string(), "$1,000,000.00");
        let chf = Currency::parse("chf").unwrap();
        assert_eq!(Money::new(1200, chf).to_string(), "CHF 12.00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::new(1500, jpy).to_string(), "¥1,500");
    }

    #[test]
    fn rejects_bad_currency_codes() {
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        assert_eq!(Currency::parse(" usd ").unwrap(), Currency::USD);
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let a = Money::new(100, Currency::USD);
        assert_eq!(a.checked_add(a).unwrap().minor, 200);
        assert!(matches!(a.checked_add(Money::new(1, Currency::EUR)), Err(MoneyError::CurrencyMismatch(_, _))));
        assert_eq!(Money::new(i64::MAX, Currency::USD).checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(a.checked_mul(3).unwrap().minor, 300);
    }

    #[test]
    fn percent_off_only_for_real_discounts() {
        let now = Money::new(7500, Currency::USD);
        assert_eq!(now.percent_off(Money::new(10000, Currency::USD)), Some(25));
        assert_eq!(now.percent_off(Money::new(7000, Currency::USD)), None);
        assert_eq!(now.percent_off(Money::new(10000, Currency::EUR)), None);
    }
}

/// Money amounts typed by merchants ("12.50", "1,299", "$5") and currency codes from outside.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::product_form::{format_amount, parse_amount};
    use crate::domain::test_input::{config, wild};
    use proptest::prelude::*;

    /// Twelve digits before the point, as `parse_amount` allows.
    const LARGEST: i64 = 99_999_999_999_999;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn an_amount_never_panics_and_stays_in_range(text in wild()) {
            if let Some(minor) = parse_amount(&text) {
                prop_assert!((-LARGEST..=LARGEST).contains(&minor));
            }
        }

        #[test]
        fn formatted_amounts_read_back_to_themselves(minor in -LARGEST..=LARGEST) {
            prop_assert_eq!(parse_amount(&format_amount(minor)), Some(minor));
            prop_assert_eq!(parse_amount(&format!(" ${} ", format_amount(minor))), Some(minor));
        }

        #[test]
        fn whole_numbers_and_one_decimal_read_as_cents(whole in 0i64..1_000_000_000, tenth in 0i64..10) {
            prop_assert_eq!(parse_amount(&whole.to_string()), Some(whole * 100));
            prop_assert_eq!(parse_amount(&format!("{whole}.{tenth}")), Some(whole * 100 + tenth * 10));
        }

        #[test]
        fn three_decimals_letters_or_two_points_are_refused(
            whole in 0u32..1_000_000,
            frac in 100u32..1000,
            junk in "[a-zA-Zé€]{1,3}",
        ) {
            prop_assert_eq!(parse_amount(&format!("{whole}.{frac}")), None);
            prop_assert_eq!(parse_amount(&format!("{whole}{junk}")), None);
            prop_assert_eq!(parse_amount(&format!("{whole}.5.5")), None);
        }

        #[test]
        fn a_currency_code_never_panics_and_reads_back(code in wild()) {
            if let Ok(c) = Currency::parse(&code) {
                prop_assert!(c.code().len() == 3 && c.code().bytes().all(|b| b.is_ascii_uppercase()));
                prop_assert_eq!(Currency::parse(c.code()), Ok(c));
            }
        }

        #[test]
        fn any_amount_displays(minor in any::<i64>(), code in "[A-Z]{3}") {
            let c = Currency::parse(&code).unwrap();
            let shown = Money::new(minor, c).to_string();
            prop_assert!(!shown.is_empty());
        }
    }
}
