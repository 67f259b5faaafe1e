//! Shipping addresses, checked field by field.
use super::errors::{AppError, FieldErrors};
use serde::{Deserialize, Serialize};

/// An address as its form posts it. The optional fields may be left out of the post.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressInput {
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    #[serde(default)]
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. "US", "GB", "CN".
    pub country: String,
    #[serde(default)]
    pub phone: String,
}

/// A saved address's new fields, posted flat beside its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressEdit {
    /// A form posts every value as text; inside a flattened struct serde no longer converts
    /// text to a number by itself, so the id is read from either.
    #[serde(deserialize_with = "id_from_text_or_number")]
    pub id: i64,
    #[serde(flatten)]
    pub address: AddressInput,
}

fn id_from_text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(i64),
        Text(String),
    }
    match Id::deserialize(d)? {
        Id::Number(n) => Ok(n),
        Id::Text(t) => t.trim().parse().map_err(|_| serde::de::Error::custom("id must be a whole number")),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub id: i64,
    #[serde(flatten)]
    pub fields: AddressInput,
}

/// Countries the shop ships to, with names for the form.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("IE", "Ireland"),
    ("SE", "Sweden"),
    ("CN", "China"),
    ("JP", "Japan"),
    ("SG", "Singapore"),
    ("NZ", "New Zealand"),
];

fn text(errors: &mut FieldErrors, field: &str, value: &str, label: &str, required: bool, max: usize) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.add(field, format!("Enter the {label}."));
    } else if v.chars().count() > max {
        errors.add(field, format!("The {label} has at most {max} characters."));
    } else if v.chars().any(char::is_control) {
        errors.add(field, format!("Remove control characters from the {label}."));
    }
    v.to_string()
}

/// Trims every field and returns the cleaned address, or every problem at once.
/// Text is stored as typed (HTML included); pages escape it when they render it.
pub fn validate_address(input: &AddressInput) -> Result<AddressInput, AppError> {
    let mut e = FieldErrors::default();
    let mut out = AddressInput {
        name: text(&mut e, "name", &input.name, "recipient's name", true, 100),
        line1: text(&mut e, "line1", &input.line1, "street address", true, 200),
        line2: text(&mut e, "line2", &input.line2, "second address line", false, 200),
        city: text(&mut e, "city", &input.city, "city", true, 100),
        region: text(&mut e, "region", &input.region, "state or region", false, 100),
        postal_code: text(&mut e, "postal_code", &input.postal_code, "postal code", true, 20).to_uppercase(),
        country: input.country.trim().to_uppercase(),
        phone: text(&mut e, "phone", &input.phone, "phone number", false, 30),
    };
    if !COUNTRIES.iter().any(|(code, _)| *code == out.country) {
        e.add("country", "Choose a country from the list.");
    }
    if !out.postal_code.is_empty()
        && !out.postal_code.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        e.add("postal_code", "Use letters, digits, spaces and dashes only.");
    }
    if !out.phone.is_empty() {
        let digits = out.phone.chars().filter(char::is_ascii_digit).count();
        let allowed = out.phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !allowed || !(6..=15).contains(&digits) {
            e.add("phone", "Enter a phone number with 6 to 15 digits, e.g. +1 555 010 0199.");
        }
    }
    out.line2 = out.line2.trim().to_string();
    e.into_result()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> AddressInput {
        AddressInput {
            name: " Ada Lovelace ".into(),
            line1: "12 St James's Square".into(),
            line2: String::new(),
            city: "London".into(),
            region: String::new(),
            postal_code: "sw1y 4jh".into(),
            country: "gb".into(),
            phone: "+44 20 7946 0958".into(),
        }
    }

    #[test]
    fn cleans_a_valid_address() {
        let a = validate_address(&valid()).unwrap();
        assert_eq!(a.name, "Ada Lovelace");
        assert_eq!(a.postal_code, "SW1Y 4JH");
        assert_eq!(a.country, "GB");
    }

    #[test]
    fn names_every_problem() {
        let bad = AddressInput { country: "XX".into(), phone: "call me".into(), city: String::new(), ..valid() };
        let err = validate_address(&bad).unwrap_err();
        assert!(err.field("country").is_some());
        assert!(err.field("phone").is_some());
        assert!(err.field("city").is_some());
        let long = AddressInput { line1: "x".repeat(1_000_000), ..valid() };
        assert!(validate_address(&long).unwrap_err().field("line1").unwrap().contains("at most"));
    }

    #[test]
    fn markup_is_kept_as_typed() {
        let a = AddressInput { name: "<script>alert(1)</script>".into(), ..valid() };
        assert_eq!(validate_address(&a).unwrap().name, "<script>alert(1)</script>");
    }
}

/// Addresses are typed by shoppers (and posted by anything that speaks HTTP).
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::test_input::{config, short, wild};
    use proptest::prelude::*;

    fn any_input() -> impl Strategy<Value = AddressInput> {
        (wild(), short(), short(), short(), short(), short(), short(), wild()).prop_map(
            |(name, line1, line2, city, region, postal_code, country, phone)| AddressInput {
                name,
                line1,
                line2,
                city,
                region,
                postal_code,
                country,
                phone,
            },
        )
    }

    fn good_input() -> impl Strategy<Value = AddressInput> {
        (
            "[A-Za-zé' .-]{0,40}[A-Za-z]",
            "[0-9]{1,4} [A-Za-z ]{1,40}[a-z]",
            prop::sample::select(COUNTRIES.iter().map(|(c, _)| c.to_lowercase()).collect::<Vec<_>>()),
            "[A-Z0-9]{2,8}( [A-Z0-9]{1,4})?",
            "(\\+1 )?[0-9]{3} [0-9]{3} [0-9]{4}",
        )
            .prop_map(|(name, line1, country, postal_code, phone)| AddressInput {
                name: format!(" {name} "),
                line1,
                line2: String::new(),
                city: "Springfield".into(),
                region: String::new(),
                postal_code: postal_code.to_lowercase(),
                country,
                phone,
            })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_address_is_checked_without_panicking(input in any_input()) {
            match validate_address(&input) {
                Ok(clean) => {
                    // What was accepted is clean, and checking it again changes nothing.
                    prop_assert!(!clean.name.chars().any(char::is_control));
                    prop_assert!(COUNTRIES.iter().any(|(c, _)| *c == clean.country));
                    prop_assert_eq!(validate_address(&clean).ok(), Some(clean.clone()));
                }
                Err(e) => prop_assert!(matches!(e, AppError::Validation(_))),
            }
        }

        #[test]
        fn a_good_address_is_accepted_trimmed_and_upper_cased(input in good_input()) {
            let clean = validate_address(&input).unwrap();
            prop_assert_eq!(&clean.name, input.name.trim());
            prop_assert_eq!(clean.country, input.country.to_uppercase());
            prop_assert_eq!(clean.postal_code, input.postal_code.to_uppercase());
        }

        #[test]
        fn a_control_character_is_refused(input in good_input(), at in 0usize..10, c in prop::char::range('\u{0}', '\u{1f}')) {
            let mut name: Vec<char> = input.name.trim().chars().collect();
            name.insert(at.min(name.len()), c);
            let bad = AddressInput { name: format!("x{}x", name.into_iter().collect::<String>()), ..input };
            prop_assert!(validate_address(&bad).is_err());
        }
    }
    /// An edited address as a form posts it: every value is text (the id too).
    fn posted(id: String) -> serde_json::Value {
        serde_json::json!({ "id": id, "name": "Ada", "line1": "1 Main St", "city": "Springfield",
                            "postal_code": "12345", "country": "US" })
    }

    proptest! {
        #![proptest_config(config())]

        /// Any text in the id field is a refusal, never a panic; a whole number is read as it is,
        /// and the optional fields may be left out.
        #[test]
        fn an_edited_address_id_is_read_from_any_text(id in wild(), n in any::<i64>()) {
            let parsed = serde_json::from_value::<AddressEdit>(posted(id.clone()));
            prop_assert_eq!(parsed.is_ok(), id.trim().parse::<i64>().is_ok());
            let edit = serde_json::from_value::<AddressEdit>(posted(n.to_string()));
            prop_assert!(edit.is_ok());
            let edit = edit.unwrap_or_else(|_| unreachable!());
            prop_assert_eq!(edit.id, n);
            prop_assert_eq!(edit.address.line2, "");
        }
    }
}
