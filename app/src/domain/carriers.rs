//! The carriers a merchant can ship with: each one's code (in URLs, webhooks and the database),
//! display name, tracking-number format and link to its own tracking page.
//!
//! Formats are checked loosely on purpose: the shape each carrier prints on its labels, not check
//! digits, because a merchant who copies a real number must never be refused, while a number
//! typed into the wrong carrier's field, or a stray order number, should be.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Carrier {
    SfExpress,
    JdLogistics,
    ChinaPost,
    Zto,
    Ups,
    Fedex,
    DhlExpress,
    Usps,
    RoyalMail,
    Other,
}

/// A tracking number in the carrier's canonical form: no spaces, upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackingNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrackingNumberError {
    #[error("Enter the tracking number.")]
    Empty,
    #[error("{}", .0.format_hint())]
    BadFormat(Carrier),
}

impl Carrier {
    pub const ALL: [Carrier; 10] = [
        Carrier::SfExpress,
        Carrier::JdLogistics,
        Carrier::ChinaPost,
        Carrier::Zto,
        Carrier::Ups,
        Carrier::Fedex,
        Carrier::DhlExpress,
        Carrier::Usps,
        Carrier::RoyalMail,
        Carrier::Other,
    ];

    /// Stored in the database and used in `/webhooks/carriers/{code}`.
    pub fn code(self) -> &'static str {
        match self {
            Carrier::SfExpress => "sf-express",
            Carrier::JdLogistics => "jd-logistics",
            Carrier::ChinaPost => "china-post",
            Carrier::Zto => "zto",
            Carrier::Ups => "ups",
            Carrier::Fedex => "fedex",
            Carrier::DhlExpress => "dhl-express",
            Carrier::Usps => "usps",
            Carrier::RoyalMail => "royal-mail",
            Carrier::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Carrier> {
        let code = code.trim();
        Carrier::ALL.into_iter().find(|c| c.code().eq_ignore_ascii_case(code))
    }

    pub fn name(self) -> &'static str {
        match self {
            Carrier::SfExpress => "SF Express",
            Carrier::JdLogistics => "JD Logistics",
            Carrier::ChinaPost => "China Post / EMS",
            Carrier::Zto => "ZTO Express",
            Carrier::Ups => "UPS",
            Carrier::Fedex => "FedEx",
            Carrier::DhlExpress => "DHL Express",
            Carrier::Usps => "USPS",
            Carrier::RoyalMail => "Royal Mail",
            Carrier::Other => "Other carrier",
        }
    }

    /// The carrier's public tracking page with `{}` for the number; "other" has none.
    pub fn link_template(self) -> Option<&'static str> {
        match self {
            Carrier::SfExpress => Some("https://www.sf-express.com/chn/en/waybill/waybill-detail/{}"),
            Carrier::JdLogistics => Some("https://www.jdl.com/orderSearch/?waybillCodes={}"),
            Carrier::ChinaPost => Some("https://www.ems.com.cn/queryList?mailNum={}"),
            Carrier::Zto => Some("https://www.zto.com/express/expressCheck.html?txtBill={}"),
            Carrier::Ups => Some("https://www.ups.com/track?tracknum={}"),
            Carrier::Fedex => Some("https://www.fedex.com/fedextrack/?trknbr={}"),
            Carrier::DhlExpress => {
                Some("https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={}")
            }
            Carrier::Usps => Some("https://tools.usps.com/go/TrackConfirmAction?tLabels={}"),
            Carrier::RoyalMail => Some("https://www.royalmail.com/track-your-item#/tracking-results/{}"),
            Carrier::Other => None,
        }
    }

    /// Safe to put in a URL as is: a validated number is only ASCII letters, digits and dashes.
    pub fn tracking_url(self, number: &TrackingNumber) -> Option<String> {
        self.link_template().map(|t| t.replace("{}", number.as_str()))
    }

    /// What a number should look like, with an example that passes validation.
    pub fn format_hint(self) -> &'static str {
        match self {
            Carrier::SfExpress => {
                "An SF Express tracking number looks like SF followed by 12 or 13 digits (e.g. SF1234567890123), or is 12 digits."
            }
            Carrier::JdLogistics => {
                "A JD Logistics tracking number looks like JD followed by 13 to 18 letters and digits (e.g. JDVA00123456789)."
            }
            Carrier::ChinaPost => {
                "A China Post / EMS tracking number looks like two letters, nine digits and CN (e.g. EA123456789CN)."
            }
            Carrier::Zto => "A ZTO Express tracking number has 12 to 15 digits (e.g. 73100012345678).",
            Carrier::Ups => {
                "A UPS tracking number looks like 1Z followed by 16 letters and digits (e.g. 1Z999AA10123456784)."
            }
            Carrier::Fedex => "A FedEx tracking number has 12, 15 or 20 digits (e.g. 123456789012).",
            Carrier::DhlExpress => "A DHL Express tracking number has 10 digits (e.g. 1234567890).",
            Carrier::Usps => {
                "A USPS tracking number has 20 to 22 digits (e.g. 9400111899223197428490) or looks like two letters, nine digits and US (e.g. EA123456789US)."
            }
            Carrier::RoyalMail => {
                "A Royal Mail tracking number looks like two letters, nine digits and GB (e.g. AB123456789GB)."
            }
            Carrier::Other => "A tracking number has 4 to 40 letters, digits and dashes (e.g. TRK-20260315-0042).",
        }
    }

    /// Normalises (spaces out, upper case; dashes out too except for "other", whose numbers may
    /// need them) and checks the carrier's format.
    pub fn validate_tracking_number(self, raw: &str) -> Result<TrackingNumber, TrackingNumberError> {
        let keep_dashes = self == Carrier::Other;
        let n: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && (keep_dashes || *c != '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if n.is_empty() {
            return Err(TrackingNumberError::Empty);
        }
        if self.fits(&n) { Ok(TrackingNumber(n)) } else { Err(TrackingNumberError::BadFormat(self)) }
    }

    fn fits(self, n: &str) -> bool {
        let len = n.len();
        match self {
            Carrier::SfExpress => match n.strip_prefix("SF") {
                Some(rest) => matches!(rest.len(), 12 | 13) && digits(rest),
                None => len == 12 && digits(n),
            },
            Carrier::JdLogistics => n.strip_prefix("JD").is_some_and(|r| (13..=18).contains(&r.len()) && alnum(r)),
            Carrier::ChinaPost => upu_s10(n, "CN"),
            Carrier::Zto => (12..=15).contains(&len) && digits(n),
            Carrier::Ups => n.strip_prefix("1Z").is_some_and(|r| r.len() == 16 && alnum(r)),
            Carrier::Fedex => matches!(len, 12 | 15 | 20) && digits(n),
            Carrier::DhlExpress => len == 10 && digits(n),
            Carrier::Usps => ((20..=22).contains(&len) && digits(n)) || upu_s10(n, "US"),
            Carrier::RoyalMail => upu_s10(n, "GB"),
            Carrier::Other => {
                (4..=40).contains(&len)
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && n.bytes().any(|b| b.is_ascii_alphanumeric())
            }
        }
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn alnum(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The UPU S10 shape national posts share: two letters, nine digits, the country code.
/// Works on bytes: the input may hold multi-byte characters, and a `str` slice through one
/// panics (a tracking number like `AB12345678éX` once stopped the server this way).
fn upu_s10(n: &str, country: &str) -> bool {
    match n.as_bytes() {
        [a, b, middle @ .., c1, c2] if middle.len() == 9 => {
            a.is_ascii_uppercase()
                && b.is_ascii_uppercase()
                && middle.iter().all(u8::is_ascii_digit)
                && [*c1, *c2] == country.as_bytes()
        }
        _ => false,
    }
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TrackingNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a stored shipment names its carrier to people: the carrier's name and, when the number is
/// valid for it, a link to its own tracking page. An unknown code (a carrier retired since) shows
/// as stored, without a link.
pub fn carrier_link(code: &str, number: &str) -> (String, Option<String>) {
    match Carrier::parse(code) {
        Some(c) => (c.name().to_string(), c.validate_tracking_number(number).ok().and_then(|n| c.tracking_url(&n))),
        None => (code.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Carrier as C;

    #[test]
    fn multi_byte_characters_are_refused_not_a_panic() {
        for carrier in [C::RoyalMail, C::ChinaPost, C::Usps] {
            for n in ["AB12345678éX", "AB1234567éGB", "ÉB123456789GB", "AB123456789Gé", "é", "ééééééé"] {
                assert!(carrier.validate_tracking_number(n).is_err(), "{carrier:?} {n}");
            }
        }
    }

    #[test]
    fn real_looking_numbers_are_accepted_and_normalised() {
        let table: &[(Carrier, &str, &str)] = &[
            (C::Ups, "1Z999AA10123456784", "1Z999AA10123456784"),
            (C::Ups, "1z 999 aa1 01 2345 6784", "1Z999AA10123456784"),
            (C::Fedex, "1234 5678 9012", "123456789012"),
            (C::Fedex, "449044304137821", "449044304137821"),
            (C::Fedex, "61299998820821171811", "61299998820821171811"),
            (C::Usps, "9400 1118 9922 3197 4284 90", "9400111899223197428490"),
            (C::Usps, "92055901755477000000", "92055901755477000000"),
            (C::Usps, "ea123456789us", "EA123456789US"),
            (C::RoyalMail, "AB 123 456 789 GB", "AB123456789GB"),
            (C::DhlExpress, "1234567890", "1234567890"),
            (C::DhlExpress, "12-3456-7890", "1234567890"),
            (C::SfExpress, "SF1234567890123", "SF1234567890123"),
            (C::SfExpress, "sf123456789012", "SF123456789012"),
            (C::SfExpress, "123456789012", "123456789012"),
            (C::JdLogistics, "JDVA00123456789", "JDVA00123456789"),
            (C::JdLogistics, "jdx000123456789012", "JDX000123456789012"),
            (C::ChinaPost, "EA123456789CN", "EA123456789CN"),
            (C::ChinaPost, "LK 012345678 CN", "LK012345678CN"),
            (C::Zto, "73100012345678", "73100012345678"),
            (C::Zto, "758012345678", "758012345678"),
            (C::Other, "trk-20260315-0042", "TRK-20260315-0042"),
            (C::Other, "AB12", "AB12"),
        ];
        for (carrier, raw, want) in table {
            let n = carrier.validate_tracking_number(raw).unwrap_or_else(|e| panic!("{carrier:?} {raw:?}: {e}"));
            assert_eq!(n.as_str(), *want);
        }
    }

    #[test]
    fn numbers_of_the_wrong_shape_are_refused_with_the_format() {
        let table: &[(Carrier, &str)] = &[
            (C::Ups, "1Z999AA1012345678"),
            (C::Ups, "2Z999AA10123456784"),
            (C::Ups, "1Z999AA1012345678!"),
            (C::Fedex, "1234567890123"),
            (C::Fedex, "12345678901A"),
            (C::Usps, "9400111899223197428"),
            (C::Usps, "EA123456789GB"),
            (C::Usps, "E1123456789US"),
            (C::RoyalMail, "AB12345678GB"),
            (C::RoyalMail, "AB123456789CN"),
            (C::DhlExpress, "123456789"),
            (C::DhlExpress, "JJD0099999999"),
            (C::SfExpress, "SF12345678901"),
            (C::SfExpress, "SF12345678901234"),
            (C::SfExpress, "1234567890123"),
            (C::JdLogistics, "JD123456789012"),
            (C::JdLogistics, "JD1234567890123456789"),
            (C::JdLogistics, "VA00123456789012"),
            (C::ChinaPost, "EA123456789US"),
            (C::Zto, "73100012345"),
            (C::Zto, "7310001234567890"),
            (C::Other, "AB1"),
            (C::Other, "----"),
            (C::Other, "ABC_123"),
            (C::Other, "Ä1234"),
        ];
        for (carrier, raw) in table {
            assert_eq!(carrier.validate_tracking_number(raw), Err(TrackingNumberError::BadFormat(*carrier)), "{raw:?}");
        }
        assert_eq!(C::Other.validate_tracking_number(&"A".repeat(41)), Err(TrackingNumberError::BadFormat(C::Other)));
        assert_eq!(C::Ups.validate_tracking_number("  "), Err(TrackingNumberError::Empty));
        assert_eq!(
            C::Ups.validate_tracking_number("123").unwrap_err().to_string(),
            "A UPS tracking number looks like 1Z followed by 16 letters and digits (e.g. 1Z999AA10123456784)."
        );
    }

    #[test]
    fn every_hint_example_passes_its_own_carrier() {
        for c in C::ALL {
            let hint = c.format_hint();
            let mut rest = hint;
            let mut examples = 0;
            while let Some(start) = rest.find("(e.g. ") {
                let tail = &rest[start + 6..];
                let end = tail.find(')').unwrap();
                assert!(c.validate_tracking_number(&tail[..end]).is_ok(), "{c:?}: {}", &tail[..end]);
                examples += 1;
                rest = &tail[end..];
            }
            assert!(examples >= 1, "{c:?} gives an example");
            assert!(hint.contains(c.name()) || c == C::Other);
        }
    }

    #[test]
    fn codes_round_trip_and_links_fill_in_the_number() {
        for c in C::ALL {
            assert_eq!(C::parse(c.code()), Some(c));
            assert_eq!(c.link_template().is_some(), c != C::Other);
        }
        assert_eq!(C::parse(" UPS "), Some(C::Ups));
        assert_eq!(C::parse("dhl"), None);
        let n = C::Ups.validate_tracking_number("1Z999AA10123456784").unwrap();
        assert_eq!(C::Ups.tracking_url(&n).unwrap(), "https://www.ups.com/track?tracknum=1Z999AA10123456784");
        let other = C::Other.validate_tracking_number("TRK-1").unwrap();
        assert_eq!(C::Other.tracking_url(&other), None);
        for c in C::ALL.into_iter().filter(|c| *c != C::Other) {
            assert!(c.link_template().unwrap().starts_with("https://"));
            assert_eq!(c.link_template().unwrap().matches("{}").count(), 1);
        }
    }

    #[test]
    fn a_stored_shipment_names_its_carrier_and_links_a_valid_number() {
        let (name, url) = carrier_link("royal-mail", "AB123456789GB");
        assert_eq!(name, C::RoyalMail.name());
        assert!(url.is_some_and(|u| u.contains("AB123456789GB")));
        assert_eq!(carrier_link("royal-mail", "not a number").1, None);
        assert_eq!(carrier_link("pigeon", "42"), ("pigeon".to_string(), None));
    }
}

/// Tracking numbers come from merchants' forms and carriers' webhooks.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::test_input::{config, wild};
    use proptest::prelude::*;

    fn carrier() -> impl Strategy<Value = Carrier> {
        prop::sample::select(Carrier::ALL.to_vec())
    }

    /// Spaces and dashes where a person might type them, and lower case.
    fn as_typed(number: &str, spaces: &[bool]) -> String {
        number
            .chars()
            .zip(spaces.iter().cycle())
            .map(|(c, space)| if *space { format!("{} ", c.to_ascii_lowercase()) } else { c.to_string() })
            .collect()
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn never_panics_and_accepted_numbers_are_ascii_and_canonical(raw in wild(), c in carrier()) {
            if let Ok(n) = c.validate_tracking_number(&raw) {
                prop_assert!(n.as_str().is_ascii());
                prop_assert!(n.as_str().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'));
                prop_assert_eq!(c.validate_tracking_number(n.as_str()), Ok(n.clone()));
                if let Some(url) = c.tracking_url(&n) {
                    prop_assert!(url.is_ascii());
                }
            }
        }

        #[test]
        fn a_multi_byte_character_anywhere_is_refused(
            c in carrier(),
            at in 0usize..14,
            odd in any::<char>().prop_filter("not ASCII", |ch| !ch.is_ascii() && !ch.is_whitespace()),
        ) {
            for good in ["EA123456789CN", "EA123456789US", "AB123456789GB", "1Z999AA10123456784", "SF1234567890123"] {
                let mut chars: Vec<char> = good.chars().collect();
                let at = at.min(chars.len());
                chars.insert(at, odd);
                let bad: String = chars.iter().collect();
                prop_assert!(c.validate_tracking_number(&bad).is_err(), "{bad}");
            }
        }

        #[test]
        fn well_formed_numbers_are_accepted_as_typed(
            letters in "[A-Z]{2}",
            nine in "[0-9]{9}",
            sixteen in "[A-Z0-9]{16}",
            twelve in "[0-9]{12}",
            ten in "[0-9]{10}",
            spaces in prop::collection::vec(any::<bool>(), 1..8),
        ) {
            let cases = [
                (Carrier::ChinaPost, format!("{letters}{nine}CN")),
                (Carrier::RoyalMail, format!("{letters}{nine}GB")),
                (Carrier::Usps, format!("{letters}{nine}US")),
                (Carrier::Ups, format!("1Z{sixteen}")),
                (Carrier::SfExpress, format!("SF{twelve}")),
                (Carrier::Fedex, twelve.clone()),
                (Carrier::DhlExpress, ten.clone()),
                (Carrier::Zto, twelve.clone()),
                (Carrier::Other, format!("TRK-{ten}")),
            ];
            for (c, number) in cases {
                let typed = as_typed(&number, &spaces);
                prop_assert_eq!(c.validate_tracking_number(&typed).map(|n| n.as_str().to_string()), Ok(number));
            }
        }
    }
}
