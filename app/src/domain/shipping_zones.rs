//! A store's own shipping: zones of destination countries, each with standard rates by order value
//! (price bands: "$4.99 under $25, $2.99 under $50, free from $50") and an optional express price.
//! A store without zones ships everywhere at the marketplace's default rates; a store with zones
//! ships only where one of them covers (a zone may cover "everywhere else"). Checkout prices every
//! part with [`rates_for`], the one rule the review, the quote and the charge share.
use super::checkout::{ShippingOption, ShippingRates, ShippingSpeed};
use super::money::Money;
use serde::{Deserialize, Serialize};

/// Standard shipping from `from_minor` (the store's items before any discount) up to the next
/// band costs `price_minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateBand {
    pub from_minor: i64,
    pub price_minor: i64,
}

/// What shipping costs within one zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRates {
    /// Sorted by `from_minor`, the first from 0.
    pub bands: Vec<RateBand>,
    /// None: no express delivery to this zone.
    pub express_minor: Option<i64>,
}

impl ZoneRates {
    /// The marketplace's default rates as a zone's.
    pub fn from_default(rates: &ShippingRates) -> ZoneRates {
        let mut bands = vec![RateBand { from_minor: 0, price_minor: rates.standard }];
        if let Some(free) = rates.free_standard_from {
            bands.push(RateBand { from_minor: free.max(1), price_minor: 0 });
        }
        ZoneRates { bands, express_minor: Some(rates.express) }
    }

    /// The price of `speed` for items that come to `subtotal`; None when the zone has no express.
    pub fn option(&self, speed: ShippingSpeed, subtotal: Money) -> Option<ShippingOption> {
        let minor = match speed {
            ShippingSpeed::Express => self.express_minor?,
            ShippingSpeed::Standard => {
                self.bands.iter().rev().find(|b| subtotal.minor >= b.from_minor).map_or(0, |b| b.price_minor)
            }
        };
        Some(ShippingOption { speed, price: Money::new(minor.max(0), subtotal.currency), window: speed.window() })
    }

    /// Every speed offered, standard first.
    pub fn options(&self, subtotal: Money) -> Vec<ShippingOption> {
        ShippingSpeed::ALL.into_iter().filter_map(|s| self.option(s, subtotal)).collect()
    }

    /// `speed` if offered, else standard (a form may still name a speed the zone dropped).
    pub fn chosen(&self, speed: ShippingSpeed, subtotal: Money) -> ShippingOption {
        self.option(speed, subtotal)
            .or_else(|| self.option(ShippingSpeed::Standard, subtotal))
            .unwrap_or(ShippingOption { speed: ShippingSpeed::Standard, price: subtotal, window: speed.window() })
    }
}

/// The destinations a zone covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZoneCountries {
    /// ISO 3166-1 alpha-2 codes, upper case.
    List(Vec<String>),
    /// Every country no other zone of the store names.
    Rest,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingZone {
    pub id: i64,
    pub merchant_id: i64,
    pub name: String,
    pub countries: ZoneCountries,
    pub rates: ZoneRates,
}

/// How a store ships to `country`: its zone naming the country, else its "everywhere else" zone;
/// `Some(default)` when the store has no zones at all; None when it does not ship there.
pub fn rates_for(
    zones: &[ShippingZone],
    merchant_id: i64,
    country: &str,
    default: &ShippingRates,
) -> Option<ZoneRates> {
    let country = country.trim().to_ascii_uppercase();
    let mine: Vec<&ShippingZone> = zones.iter().filter(|z| z.merchant_id == merchant_id).collect();
    if mine.is_empty() {
        return Some(ZoneRates::from_default(default));
    }
    let named = mine.iter().find(|z| matches!(&z.countries, ZoneCountries::List(l) if l.contains(&country)));
    named.or_else(|| mine.iter().find(|z| z.countries == ZoneCountries::Rest)).map(|z| z.rates.clone())
}

/// The most bands a zone may have (a form's worth).
pub const MAX_BANDS: usize = 10;
pub const MAX_ZONE_NAME_CHARS: usize = 60;

/// Countries as a merchant types them: "GB, IE FR" (codes separated by commas or spaces), or `*`
/// for everywhere else.
pub fn parse_countries(text: &str) -> Result<ZoneCountries, String> {
    let text = text.trim();
    if text == "*" {
        return Ok(ZoneCountries::Rest);
    }
    let mut codes: Vec<String> = Vec::new();
    for code in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|c| !c.is_empty()) {
        let upper = code.to_ascii_uppercase();
        if upper.len() != 2 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            let shown: String = code.chars().take(20).collect();
            return Err(format!(
                "“{shown}” is not a country code; use two-letter codes like GB, US, DE, separated by commas, or * for everywhere else."
            ));
        }
        if !codes.contains(&upper) {
            codes.push(upper);
        }
    }
    if codes.is_empty() {
        return Err("Name at least one country (like GB, IE), or * for everywhere else.".into());
    }
    if codes.len() > 250 {
        return Err("A zone names at most 250 countries.".into());
    }
    Ok(ZoneCountries::List(codes))
}

/// Standard rates as typed: `4.99` (one price), or bands `0=4.99, 25=2.99, 50=0` — from each order
/// value (the store's items), the price up to the next. The first band starts at 0.
pub fn parse_bands(text: &str) -> Result<Vec<RateBand>, String> {
    let example = "Type a price like 4.99, or bands like 0=4.99, 50=0 (from each order value, that price).";
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Enter the standard shipping price. {example}"));
    }
    if !text.contains('=') {
        let price = super::money::parse_minor(text).ok_or_else(|| example.to_string())?;
        return Ok(vec![RateBand { from_minor: 0, price_minor: price }]);
    }
    let mut bands: Vec<RateBand> = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (from, price) = entry.split_once('=').ok_or_else(|| example.to_string())?;
        let (Some(from_minor), Some(price_minor)) = (super::money::parse_minor(from), super::money::parse_minor(price))
        else {
            let shown: String = entry.chars().take(30).collect();
            return Err(format!("“{shown}” is not a band. {example}"));
        };
        if bands.iter().any(|b| b.from_minor == from_minor) {
            return Err(format!("Two bands start at the same order value. {example}"));
        }
        bands.push(RateBand { from_minor, price_minor });
    }
    bands.sort_by_key(|b| b.from_minor);
    if bands.first().is_none_or(|b| b.from_minor != 0) {
        return Err("The first band must start at 0, so every order has a price.".into());
    }
    if bands.len() > MAX_BANDS {
        return Err(format!("Use at most {MAX_BANDS} bands."));
    }
    Ok(bands)
}

/// An optional express price: empty means no express to the zone.
pub fn parse_express(text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => super::money::parse_minor(t)
            .map(Some)
            .ok_or_else(|| "Type the express price like 14.99, or leave it empty for none.".into()),
    }
}

/// "0=4.99, 50=0" for a form to show the bands as typed.
pub fn bands_text(bands: &[RateBand]) -> String {
    let amount = |m: i64| format!("{}.{:02}", m / 100, m % 100);
    match bands {
        [only] if only.from_minor == 0 => amount(only.price_minor),
        _ => bands
            .iter()
            .map(|b| format!("{}={}", amount(b.from_minor), amount(b.price_minor)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// "GB, IE" or "Everywhere else".
pub fn countries_text(countries: &ZoneCountries) -> String {
    match countries {
        ZoneCountries::Rest => "*".into(),
        ZoneCountries::List(l) => l.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn zone(id: i64, merchant_id: i64, countries: &str, bands: &str, express: &str) -> ShippingZone {
        ShippingZone {
            id,
            merchant_id,
            name: format!("Zone {id}"),
            countries: parse_countries(countries).unwrap(),
            rates: ZoneRates { bands: parse_bands(bands).unwrap(), express_minor: parse_express(express).unwrap() },
        }
    }

    #[test]
    fn bands_price_by_order_value() {
        let r = ZoneRates { bands: parse_bands("0=4.99, 25=2.99, 50=0").unwrap(), express_minor: None };
        let std = |m| r.option(ShippingSpeed::Standard, usd(m)).unwrap().price.minor;
        assert_eq!((std(0), std(2499), std(2500), std(4999), std(5000), std(90000)), (499, 499, 299, 299, 0, 0));
        assert!(r.option(ShippingSpeed::Express, usd(100)).is_none(), "no express offered");
        assert_eq!(r.options(usd(100)).len(), 1);
        assert_eq!(r.chosen(ShippingSpeed::Express, usd(100)).speed, ShippingSpeed::Standard);
    }

    #[test]
    fn the_default_rates_keep_their_meaning() {
        let r = ZoneRates::from_default(&ShippingRates::default());
        let d = ShippingRates::default();
        for (speed, m) in
            [(ShippingSpeed::Standard, 4999), (ShippingSpeed::Standard, 5000), (ShippingSpeed::Express, 100)]
        {
            assert_eq!(r.option(speed, usd(m)).unwrap(), d.option(speed, usd(m)), "{speed:?} {m}");
        }
    }

    #[test]
    fn a_store_ships_where_a_zone_covers() {
        let default = ShippingRates::default();
        let zones = [zone(1, 7, "GB, IE", "3.50", ""), zone(2, 7, "*", "0=12, 100=0", "25"), zone(3, 8, "US", "1", "")];
        assert_eq!(rates_for(&zones, 7, "gb", &default).unwrap().bands[0].price_minor, 350);
        assert_eq!(rates_for(&zones, 7, "JP", &default).unwrap().express_minor, Some(2500), "everywhere else");
        assert_eq!(rates_for(&zones, 8, "DE", &default), None, "store 8 ships to the US only");
        assert_eq!(rates_for(&zones, 9, "DE", &default), Some(ZoneRates::from_default(&default)), "no zones");
    }

    #[test]
    fn typed_rates_and_countries_say_what_to_fix() {
        assert_eq!(parse_bands("4.99").unwrap(), vec![RateBand { from_minor: 0, price_minor: 499 }]);
        assert_eq!(parse_bands("50=0, 0=$5").unwrap().len(), 2, "any order, $ allowed");
        for bad in ["", "abc", "10=1", "0=1, 0=2", "0=1.999", "-1", "0=1=2", "1e3"] {
            assert!(parse_bands(bad).is_err(), "{bad:?}");
        }
        assert!(parse_countries("GBR").unwrap_err().contains("GBR"));
        assert_eq!(parse_countries(" gb,ie  GB ").unwrap(), ZoneCountries::List(vec!["GB".into(), "IE".into()]));
        assert!(parse_countries(" , ").is_err());
        assert_eq!(parse_express(" ").unwrap(), None);
        assert!(parse_express("fast").is_err());
        assert_eq!(bands_text(&parse_bands("0=4.99, 50=0").unwrap()), "0.00=4.99, 50.00=0.00");
        assert_eq!(bands_text(&parse_bands("3.5").unwrap()), "3.50");
    }

    proptest! {
        #[test]
        fn parsers_never_panic_and_bands_round_trip(text in "\\PC{0,60}") {
            let _ = parse_countries(&text);
            let _ = parse_express(&text);
            if let Ok(bands) = parse_bands(&text) {
                prop_assert_eq!(parse_bands(&bands_text(&bands)).unwrap(), bands);
            }
        }

        #[test]
        fn a_larger_order_never_pays_a_band_it_has_left(a in 0i64..100_000, b in 0i64..100_000) {
            let r = ZoneRates { bands: parse_bands("0=9, 20=5, 60=0").unwrap(), express_minor: Some(1500) };
            let (lo, hi) = (a.min(b), a.max(b));
            let p = |m| r.option(ShippingSpeed::Standard, usd(m)).unwrap().price.minor;
            prop_assert!(p(hi) <= p(lo));
        }
    }
}
