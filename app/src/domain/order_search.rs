//! What a store's staff type into the orders search, read once into the forms the store looks
//! up by index: an order number (exact, forgiving like the shopper's lookup), an e-mail address
//! or the start of one, the start of the ship-to name, or a SKU (exact). Every form is an
//! indexed lookup, so a search costs the same in a store of 100 orders and of 100,000.
use super::order::OrderNumber;
use serde::{Deserialize, Serialize};

pub const MIN_QUERY: usize = 2;
pub const MAX_QUERY: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuery {
    /// As typed, trimmed (what the search box shows again).
    pub typed: String,
    /// Lowercased: the start of an e-mail address or of a ship-to name.
    pub prefix: String,
    /// The first string after every string that starts with `prefix` (exclusive upper bound of
    /// the index range).
    pub prefix_end: String,
    /// The order number it reads as, if it reads as one.
    pub number: Option<String>,
    /// Trimmed, case kept: SKUs are matched exactly as stored.
    pub sku: String,
}

/// `None` for an empty box; an error that says what to type for one that cannot be searched.
pub fn parse(raw: &str) -> Result<Option<OrderQuery>, String> {
    let typed = raw.trim();
    let chars = typed.chars().count();
    if chars == 0 {
        return Ok(None);
    }
    if chars < MIN_QUERY {
        return Err(format!("Type at least {MIN_QUERY} characters: an order number, e-mail, name or SKU."));
    }
    if chars > MAX_QUERY {
        return Err(format!("A search has at most {MAX_QUERY} characters."));
    }
    if typed.chars().any(char::is_control) {
        return Err("Search for an order number, e-mail, name or SKU.".into());
    }
    let prefix = typed.to_lowercase();
    Ok(Some(OrderQuery {
        typed: typed.to_string(),
        prefix_end: prefix_end(&prefix),
        prefix,
        number: OrderNumber::parse(typed).ok().map(|n| n.as_str().to_string()),
        sku: typed.to_string(),
    }))
}

/// `prefix` with its last character raised by one code point (skipping the surrogate gap), so
/// `s >= prefix AND s < prefix_end` holds exactly for the strings that start with `prefix` in
/// code-point order; a last character that cannot be raised is dropped and the one before it
/// raised instead.
fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 {
            0xD7FF => char::from_u32(0xE000),
            c => char::from_u32(c + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only U+10FFFF characters: nothing sorts after them; an empty end matches nothing.
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_numbers_emails_names_and_skus() {
        let q = parse("  Ada@Example.com ").unwrap().unwrap();
        assert_eq!((q.prefix.as_str(), q.prefix_end.as_str()), ("ada@example.com", "ada@example.con"));
        assert_eq!(q.number, None);
        let q = parse("mm-7k2q9f4xr1bd").unwrap().unwrap();
        assert_eq!(q.number.as_deref(), Some("MM-7K2Q9F4XR1BD"));
        let q = parse("LAMP-OAK-01").unwrap().unwrap();
        assert_eq!(q.sku, "LAMP-OAK-01");
        assert_eq!(parse("   ").unwrap(), None);
        assert!(parse("a").unwrap_err().contains("at least 2"));
        assert!(parse(&"x".repeat(101)).unwrap_err().contains("at most 100"));
        assert!(parse("ab\u{0}c").is_err());
    }

    #[test]
    fn the_prefix_range_ends_past_every_continuation() {
        assert_eq!(prefix_end("ada"), "adb");
        assert_eq!(prefix_end("z\u{d7ff}"), "z\u{e000}");
        assert_eq!(prefix_end("a\u{10ffff}"), "b");
        assert_eq!(prefix_end("\u{10ffff}"), "");
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused_with_a_message(raw in "\\PC{0,120}|.{0,10}") {
            match parse(&raw) {
                Ok(Some(q)) => {
                    prop_assert!(q.prefix_end.is_empty() || q.prefix < q.prefix_end);
                    prop_assert!(q.typed.chars().count() >= MIN_QUERY);
                }
                Ok(None) => prop_assert!(raw.trim().is_empty()),
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }

        #[test]
        fn a_string_with_the_prefix_falls_in_the_range(prefix in "[a-zé@.\u{10ffff}]{1,6}", tail in "\\PC{0,8}") {
            let end = prefix_end(&prefix);
            let s = format!("{prefix}{tail}");
            prop_assert!(s.as_str() >= prefix.as_str());
            prop_assert!(end.is_empty() || s < end);
        }
    }
}
