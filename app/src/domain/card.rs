//! Card input as a shopper types it, checked field by field. The full number and the CVC live only
//! in `CardDetails`, long enough to hand to a gateway; Debug and Display show brand and last four,
//! so a stray `tracing::info!("{card:?}")` cannot leak them. What is stored is `CardSummary`.
//! `now` is always a parameter: the domain compiles to wasm and never reads the clock.
use super::errors::{AppError, FieldErrors};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MIN_DIGITS: usize = 12;
pub const MAX_DIGITS: usize = 19;
pub const MAX_CARDHOLDER_NAME: usize = 100;
/// A card expiring further out than this is a typo, not a card.
pub const MAX_YEARS_AHEAD: i32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Unknown,
}

impl CardBrand {
    /// From the leading digits (IIN ranges); only the prefix matters, so a partial number works.
    pub fn detect(digits: &str) -> CardBrand {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
        if digits.starts_with('4') {
            CardBrand::Visa
        } else if matches!(prefix(2), Some(34 | 37)) {
            CardBrand::Amex
        } else if matches!(prefix(2), Some(51..=55)) || matches!(prefix(4), Some(2221..=2720)) {
            CardBrand::Mastercard
        } else if prefix(4) == Some(6011) || matches!(prefix(3), Some(644..=649)) || prefix(2) == Some(65) {
            CardBrand::Discover
        } else {
            CardBrand::Unknown
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> CardBrand {
        [CardBrand::Visa, CardBrand::Mastercard, CardBrand::Amex, CardBrand::Discover]
            .into_iter()
            .find(|b| b.as_str() == s)
            .unwrap_or(CardBrand::Unknown)
    }

    pub fn label(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
            CardBrand::Unknown => "Card",
        }
    }

    /// The usual length, for the "enter the N-digit number" message.
    pub fn typical_digits(self) -> usize {
        if self == CardBrand::Amex { 15 } else { 16 }
    }

    pub fn cvc_digits(self) -> usize {
        if self == CardBrand::Amex { 4 } else { 3 }
    }
}

/// The Luhn check digit test, which catches every single-digit typo and most swaps.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Digits only, with spaces and dashes (as printed on cards, or pasted) removed.
pub fn parse_number(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("Enter the card number.".into());
    }
    if trimmed.len() > 64 || !trimmed.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return Err("A card number has only digits (spaces and dashes are fine).".into());
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
        let brand = CardBrand::detect(&digits);
        return Err(format!("Enter the {}-digit card number.", brand.typical_digits()));
    }
    if !luhn_valid(&digits) {
        return Err("This card number is not valid (check the digits).".into());
    }
    Ok(digits)
}

/// A calendar month; `now` is passed in so the domain never reads the clock (it compiles to wasm).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> YearMonth {
        YearMonth { year, month }
    }

    /// The UTC month of a unix timestamp.
    pub fn from_unix(secs: i64) -> YearMonth {
        let (year, month, _) = super::dates::civil_from_days(secs.div_euclid(86_400));
        YearMonth { year: year as i32, month: month as u32 }
    }
}

impl fmt::Display for YearMonth {
    /// `03/2029`, as printed on cards.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{}", self.month, self.year)
    }
}

/// `MM/YY` or `MM/YYYY` (spaces allowed around the slash). A card is good through the last day
/// of its expiry month, so the current month still passes.
pub fn parse_expiry(raw: &str, now: YearMonth) -> Result<YearMonth, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter the expiry date as MM/YY.".into());
    }
    let Some((m, y)) = raw.split_once('/') else {
        return Err("Enter the expiry date as MM/YY, for example 04/29.".into());
    };
    let (m, y) = (m.trim(), y.trim());
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !numeric(m) || !numeric(y) || m.len() > 2 || !(y.len() == 2 || y.len() == 4) {
        return Err("Enter the expiry date as MM/YY, for example 04/29.".into());
    }
    let month: u32 = m.parse().map_err(|_| "Enter the expiry month as 01 to 12.".to_string())?;
    if !(1..=12).contains(&month) {
        return Err("Enter the expiry month as 01 to 12.".into());
    }
    let year: i32 = y.parse().map_err(|_| "Check the expiry year.".to_string())?;
    let year = if y.len() == 2 { 2000 + year } else { year };
    let expiry = YearMonth::new(year, month);
    if expiry < now {
        return Err("The card has expired.".into());
    }
    if year > now.year + MAX_YEARS_AHEAD {
        return Err("Check the expiry year.".into());
    }
    Ok(expiry)
}

pub fn parse_cvc(raw: &str, brand: CardBrand) -> Result<String, String> {
    let cvc = raw.trim();
    let want = brand.cvc_digits();
    if cvc.len() == want && cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(cvc.to_string());
    }
    Err(if brand == CardBrand::Amex {
        "Enter the 4-digit security code printed on the front of the card.".into()
    } else {
        "Enter the 3-digit security code (CVC) from the back of the card.".into()
    })
}

/// Optional; trimmed, bounded, and free of control characters.
pub fn parse_cardholder_name(raw: &str) -> Result<Option<String>, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_CARDHOLDER_NAME {
        return Err(format!("Use at most {MAX_CARDHOLDER_NAME} characters for the name on the card."));
    }
    if name.chars().any(char::is_control) {
        return Err("Remove control characters from the name on the card.".into());
    }
    Ok(Some(name.to_string()))
}

/// The card form as posted. Its Debug is redacted too: form structs get logged by accident.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardInput {
    pub number: String,
    pub expiry: String,
    pub cvc: String,
    pub name: String,
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInput").field("number", &"[redacted]").field("cvc", &"[redacted]").finish()
    }
}

/// A checked card. Deliberately neither Serialize nor Clone-to-browser: it never leaves the server
/// request that received it; store `summary()` instead.
#[derive(Clone, PartialEq, Eq)]
pub struct CardDetails {
    number: String,
    cvc: String,
    brand: CardBrand,
    expiry: YearMonth,
    name: Option<String>,
}

impl CardDetails {
    /// The digits, for a gateway adapter only.
    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn cvc(&self) -> &str {
        &self.cvc
    }
    pub fn brand(&self) -> CardBrand {
        self.brand
    }
    pub fn expiry(&self) -> YearMonth {
        self.expiry
    }
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    pub fn last4(&self) -> &str {
        // The number is validated digits, but never slice outside input by bytes.
        self.number.get(self.number.len().saturating_sub(4)..).unwrap_or_default()
    }
    pub fn summary(&self) -> CardSummary {
        CardSummary { brand: self.brand, last4: self.last4().to_string() }
    }
}

impl fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardDetails").field("brand", &self.brand).field("last4", &self.last4()).finish_non_exhaustive()
    }
}

impl fmt::Display for CardDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} •••• {}", self.brand.label(), self.last4())
    }
}

/// All that is ever stored, logged or shown about a card (the issue allows brand and last four).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSummary {
    pub brand: CardBrand,
    pub last4: String,
}

impl fmt::Display for CardSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} •••• {}", self.brand.label(), self.last4)
    }
}

/// Checks every field and reports each problem under `card_number`, `card_expiry`, `card_cvc`
/// and `card_name`.
pub fn validate_card(input: &CardInput, now: YearMonth) -> Result<CardDetails, AppError> {
    let mut errors = FieldErrors::default();
    let number = parse_number(&input.number).map_err(|e| errors.add("card_number", e)).ok();
    // A half-typed number still tells us whether to ask for 3 or 4 CVC digits.
    let typed: String = input.number.chars().filter(char::is_ascii_digit).collect();
    let brand = CardBrand::detect(number.as_deref().unwrap_or(&typed));
    let expiry = parse_expiry(&input.expiry, now).map_err(|e| errors.add("card_expiry", e)).ok();
    let cvc = parse_cvc(&input.cvc, brand).map_err(|e| errors.add("card_cvc", e)).ok();
    let name = parse_cardholder_name(&input.name).map_err(|e| errors.add("card_name", e)).ok();
    errors.into_result()?;
    match (number, expiry, cvc, name) {
        (Some(number), Some(expiry), Some(cvc), Some(name)) => Ok(CardDetails { number, cvc, brand, expiry, name }),
        _ => Err(AppError::server()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: YearMonth = YearMonth { year: 2026, month: 11 };

    fn input(number: &str, expiry: &str, cvc: &str) -> CardInput {
        CardInput { number: number.into(), expiry: expiry.into(), cvc: cvc.into(), name: String::new() }
    }

    #[test]
    fn luhn_accepts_known_numbers_and_rejects_typos() {
        for good in ["4242424242424242", "4000000000000002", "378282246310005", "6011111111111117", "79927398713"] {
            assert!(luhn_valid(good), "{good}");
        }
        for bad in ["4242424242424241", "4242424242424224", "79927398710", "", "42a2"] {
            assert!(!luhn_valid(bad), "{bad}");
        }
    }

    #[test]
    fn numbers_accept_spaces_and_dashes_only() {
        assert_eq!(parse_number(" 4242 4242-4242 4242 ").unwrap(), "4242424242424242");
        assert_eq!(parse_number("").unwrap_err(), "Enter the card number.");
        assert!(parse_number("4242.4242.4242.4242").unwrap_err().contains("only digits"));
        assert!(parse_number("４２４２４２４２４２４２４２４２").unwrap_err().contains("only digits"));
        assert_eq!(parse_number("4242 4242").unwrap_err(), "Enter the 16-digit card number.");
        assert_eq!(parse_number("3782 822463").unwrap_err(), "Enter the 15-digit card number.");
        assert_eq!(parse_number(&"4".repeat(20)).unwrap_err(), "Enter the 16-digit card number.");
        assert_eq!(
            parse_number("4242 4242 4242 4241").unwrap_err(),
            "This card number is not valid (check the digits)."
        );
        assert!(parse_number(&"1".repeat(10_000)).is_err());
        // 12 and 19 digits are the bounds.
        assert!(parse_number("000000000000").is_ok());
        assert!(parse_number("0000000000000000000").is_ok());
    }

    #[test]
    fn brands_come_from_the_leading_digits() {
        assert_eq!(CardBrand::detect("4242424242424242"), CardBrand::Visa);
        assert_eq!(CardBrand::detect("5555555555554444"), CardBrand::Mastercard);
        assert_eq!(CardBrand::detect("2223003122003222"), CardBrand::Mastercard);
        assert_eq!(CardBrand::detect("2720990000000000"), CardBrand::Mastercard);
        assert_eq!(CardBrand::detect("2721000000000000"), CardBrand::Unknown);
        assert_eq!(CardBrand::detect("378282246310005"), CardBrand::Amex);
        assert_eq!(CardBrand::detect("340000000000009"), CardBrand::Amex);
        assert_eq!(CardBrand::detect("6011111111111117"), CardBrand::Discover);
        assert_eq!(CardBrand::detect("6445644564456445"), CardBrand::Discover);
        assert_eq!(CardBrand::detect("6500000000000002"), CardBrand::Discover);
        assert_eq!(CardBrand::detect("3530111333300000"), CardBrand::Unknown);
        assert_eq!(CardBrand::detect(""), CardBrand::Unknown);
        for b in [CardBrand::Visa, CardBrand::Mastercard, CardBrand::Amex, CardBrand::Discover, CardBrand::Unknown] {
            assert_eq!(CardBrand::parse(b.as_str()), b);
        }
    }

    #[test]
    fn expiry_is_month_and_year_not_in_the_past() {
        assert_eq!(parse_expiry("12/29", NOW).unwrap(), YearMonth::new(2029, 12));
        assert_eq!(parse_expiry(" 4 / 2030 ", NOW).unwrap(), YearMonth::new(2030, 4));
        assert_eq!(parse_expiry("11/26", NOW).unwrap(), NOW, "good through the end of its month");
        assert_eq!(parse_expiry("10/26", NOW).unwrap_err(), "The card has expired.");
        assert_eq!(parse_expiry("12/2025", NOW).unwrap_err(), "The card has expired.");
        assert!(parse_expiry("13/29", NOW).unwrap_err().contains("01 to 12"));
        assert!(parse_expiry("00/29", NOW).unwrap_err().contains("01 to 12"));
        for bad in ["", "1229", "12-29", "ab/cd", "12/299", "123/29", "12/", "/29"] {
            assert!(parse_expiry(bad, NOW).is_err(), "{bad:?}");
        }
        assert_eq!(parse_expiry("01/2099", NOW).unwrap_err(), "Check the expiry year.");
    }

    #[test]
    fn cvc_length_depends_on_the_brand() {
        assert_eq!(parse_cvc("123", CardBrand::Visa).unwrap(), "123");
        assert!(parse_cvc("1234", CardBrand::Visa).unwrap_err().contains("3-digit"));
        assert!(parse_cvc("12a", CardBrand::Visa).is_err());
        assert_eq!(parse_cvc("1234", CardBrand::Amex).unwrap(), "1234");
        assert!(parse_cvc("123", CardBrand::Amex).unwrap_err().contains("4-digit"));
    }

    #[test]
    fn unix_time_maps_to_the_utc_month() {
        assert_eq!(YearMonth::from_unix(0), YearMonth::new(1970, 1));
        assert_eq!(YearMonth::from_unix(951_782_400), YearMonth::new(2000, 2), "2000-02-29");
        assert_eq!(YearMonth::from_unix(1_798_761_599), YearMonth::new(2026, 12), "2026-12-31T23:59:59");
        assert_eq!(YearMonth::from_unix(1_798_761_600), YearMonth::new(2027, 1));
        assert_eq!(YearMonth::from_unix(-1), YearMonth::new(1969, 12));
    }

    #[test]
    fn validation_reports_every_bad_field() {
        let err = validate_card(&input("4242", "13/20", "1"), NOW).unwrap_err();
        assert_eq!(err.field("card_number").as_deref(), Some("Enter the 16-digit card number."));
        assert!(err.field("card_expiry").is_some());
        assert!(err.field("card_cvc").unwrap().contains("3-digit"));
        let err = validate_card(&input("3782 8224 6310 005", "01/30", "123"), NOW).unwrap_err();
        assert!(err.field("card_cvc").unwrap().contains("4-digit"), "amex asks for 4 digits");
        assert!(err.field("card_number").is_none());
        let err = validate_card(&input("4242424242424242", "10/26", "123"), NOW).unwrap_err();
        assert_eq!(err.field("card_expiry").as_deref(), Some("The card has expired."));
        let mut bad_name = input("4242424242424242", "12/30", "123");
        bad_name.name = "Ada\u{0}".into();
        assert!(validate_card(&bad_name, NOW).unwrap_err().field("card_name").is_some());
    }

    #[test]
    fn details_never_print_the_number_or_cvc() {
        let mut form = input("4242 4242 4242 4242", "12/30", "987");
        form.name = "  Ada Lovelace ".into();
        assert!(!format!("{form:?}").contains("4242"));
        assert!(!format!("{form:?}").contains("987"));
        let card = validate_card(&form, NOW).unwrap();
        assert_eq!(card.number(), "4242424242424242");
        assert_eq!((card.brand(), card.last4(), card.name()), (CardBrand::Visa, "4242", Some("Ada Lovelace")));
        for shown in [format!("{card:?}"), format!("{card:#?}"), card.to_string(), card.summary().to_string()] {
            assert!(!shown.contains("4242424242424242"), "{shown}");
            assert!(!shown.contains("4242 4242"), "{shown}");
            assert!(!shown.contains("987"), "{shown}");
            assert!(shown.contains("4242"), "{shown}");
        }
        assert_eq!(card.to_string(), "Visa •••• 4242");
        assert_eq!(card.summary(), CardSummary { brand: CardBrand::Visa, last4: "4242".into() });
    }
}

/// How pages name a payment method: "visa •••• 4242" for a card typed on our form; the
/// provider's name alone ("Stripe Checkout") when the card was typed on the provider's page and
/// its digits were never ours to keep.
pub fn method_label(brand: &str, last4: &str) -> String {
    if last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()) {
        format!("{brand} •••• {last4}")
    } else {
        brand.to_string()
    }
}

#[cfg(test)]
mod method_label_tests {
    #[test]
    fn only_real_digits_are_shown() {
        assert_eq!(super::method_label("visa", "4242"), "visa •••• 4242");
        assert_eq!(super::method_label("Stripe Checkout", "····"), "Stripe Checkout");
    }
}
