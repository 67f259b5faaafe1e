//! What an order costs: shipping per merchant, tax by country, a discount code, and the quote that
//! puts them together. All amounts are integer minor units; rounding happens once per part, in
//! the open, and the parts always add up to the order total.
use super::errors::AppError;
use super::money::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShippingSpeed {
    Standard,
    Express,
}

/// An estimated delivery time in business days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryWindow {
    pub min_days: u8,
    pub max_days: u8,
}

impl fmt::Display for DeliveryWindow {
    /// `3–5 business days`, `1 business day`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.max_days == 1 { "day" } else { "days" };
        if self.min_days == self.max_days {
            write!(f, "{} business {unit}", self.max_days)
        } else {
            write!(f, "{}–{} business {unit}", self.min_days, self.max_days)
        }
    }
}

impl ShippingSpeed {
    pub const ALL: [ShippingSpeed; 2] = [ShippingSpeed::Standard, ShippingSpeed::Express];

    pub fn as_str(self) -> &'static str {
        match self {
            ShippingSpeed::Standard => "standard",
            ShippingSpeed::Express => "express",
        }
    }

    pub fn parse(s: &str) -> Option<ShippingSpeed> {
        ShippingSpeed::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ShippingSpeed::Standard => "Standard",
            ShippingSpeed::Express => "Express",
        }
    }

    pub fn window(self) -> DeliveryWindow {
        match self {
            ShippingSpeed::Standard => DeliveryWindow { min_days: 3, max_days: 5 },
            ShippingSpeed::Express => DeliveryWindow { min_days: 1, max_days: 2 },
        }
    }
}

/// One merchant's shipping prices, in minor units of the shop currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingRates {
    pub standard: i64,
    pub express: i64,
    /// Standard shipping is free when that merchant's items come to at least this much.
    pub free_standard_from: Option<i64>,
}

impl Default for ShippingRates {
    fn default() -> Self {
        ShippingRates { standard: 499, express: 1499, free_standard_from: Some(5000) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingOption {
    pub speed: ShippingSpeed,
    pub price: Money,
    pub window: DeliveryWindow,
}

impl ShippingRates {
    /// The price of `speed` for a part whose items come to `subtotal` (before any discount, so a
    /// discount code never takes free shipping away).
    pub fn option(&self, speed: ShippingSpeed, subtotal: Money) -> ShippingOption {
        let minor = match speed {
            ShippingSpeed::Express => self.express,
            ShippingSpeed::Standard if self.free_standard_from.is_some_and(|t| subtotal.minor >= t) => 0,
            ShippingSpeed::Standard => self.standard,
        };
        ShippingOption { speed, price: Money::new(minor.max(0), subtotal.currency), window: speed.window() }
    }

    pub fn options(&self, subtotal: Money) -> Vec<ShippingOption> {
        ShippingSpeed::ALL.into_iter().map(|s| self.option(s, subtotal)).collect()
    }
}

/// `amount × bps / 10 000`, rounded half up; `None` on overflow. Amounts here are never negative.
pub fn apply_bps(amount: i64, bps: u32) -> Option<i64> {
    let scaled = (i128::from(amount) * i128::from(bps) + 5_000) / 10_000;
    i64::try_from(scaled).ok()
}

/// One tax rate: a country's (`region` empty) or one region's of it, in basis points (2000 = 20 %).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// As addresses write it ("CA", "Ontario"); empty for the whole country.
    pub region: String,
    pub bps: u32,
}

/// The marketplace's tax rules (`/admin/taxes`): a rate per country and, where it differs, per
/// region; destinations not listed pay 0. One rate applies to goods and shipping. With
/// `prices_include_tax` the listed prices already hold the tax (the tax line is the part of the
/// price that is tax, and the total is what was listed); otherwise tax is added on top.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxTable {
    pub rates: Vec<TaxRate>,
    pub prices_include_tax: bool,
}

impl Default for TaxTable {
    /// The rates shipped with the demo (and seeded by migration 0021).
    fn default() -> Self {
        let rates = [("US", 0), ("GB", 2000), ("DE", 1900), ("FR", 2000), ("NL", 2100), ("CA", 500)];
        TaxTable {
            rates: rates
                .into_iter()
                .map(|(c, r)| TaxRate { country: c.into(), region: String::new(), bps: r })
                .collect(),
            prices_include_tax: false,
        }
    }
}

impl TaxTable {
    /// The country-wide rate.
    pub fn rate_bps(&self, country: &str) -> u32 {
        self.rate_for(country, "")
    }

    /// The region's rate if it has one, else the country's, else 0. Regions compare trimmed and
    /// case-insensitively, as shoppers type them.
    pub fn rate_for(&self, country: &str, region: &str) -> u32 {
        let (country, region) = (country.trim(), region.trim());
        let of = |r: &str| {
            self.rates.iter().find(|t| t.country.eq_ignore_ascii_case(country) && t.region.eq_ignore_ascii_case(r))
        };
        let regional = (!region.is_empty()).then(|| of(region)).flatten();
        regional.or_else(|| of("")).map_or(0, |t| t.bps)
    }

    /// Country-wide rates from a spec such as `GB:2000,DE:1900` (tests and tools).
    pub fn parse(spec: &str) -> Result<TaxTable, String> {
        let mut rates: Vec<TaxRate> = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = || format!("Tax rates look like GB:2000 (country code, basis points); got {entry:?}.");
            let (country, bps) = entry.split_once(':').ok_or_else(bad)?;
            let country = country.trim().to_ascii_uppercase();
            let bps: u32 = bps.trim().parse().map_err(|_| bad())?;
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) || bps > 10_000 {
                return Err(bad());
            }
            rates.retain(|r| r.country != country);
            rates.push(TaxRate { country, region: String::new(), bps });
        }
        Ok(TaxTable { rates, prices_include_tax: false })
    }
}

/// The tax within `gross` (a tax-inclusive amount) at `bps`: gross − gross × 10 000 / (10 000 + bps),
/// the net rounded half up once; `None` on overflow.
pub fn included_tax(gross: i64, bps: u32) -> Option<i64> {
    let denominator = 10_000 + i128::from(bps);
    let net = (i128::from(gross) * 10_000 * 2 + denominator) / (denominator * 2);
    i64::try_from(i128::from(gross) - net).ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiscountKind {
    /// Basis points off the items: 1500 = 15 %.
    Percent {
        bps: u32,
    },
    Fixed {
        amount: Money,
    },
    /// Standard shipping of the parts it covers is free (express stays paid).
    FreeShipping,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCode {
    pub code: String,
    pub kind: DiscountKind,
    pub min_spend: Option<Money>,
    /// Unix seconds; the code stops working at this instant.
    pub expires_at: Option<i64>,
    pub usage_limit: Option<i64>,
    pub times_used: i64,
    /// A store's own code: it counts and takes off that store's items only. None: the marketplace's.
    #[serde(default)]
    pub merchant_id: Option<i64>,
    /// Switched off from the dashboard: no longer accepted.
    #[serde(default)]
    pub disabled: bool,
}

/// A code that passed every check, and what it takes off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDiscount {
    pub code: String,
    pub amount: Money,
    /// Only this store's part takes it (a store's own code).
    #[serde(default)]
    pub merchant_id: Option<i64>,
    /// It is taken off shipping (free shipping), not the items.
    #[serde(default)]
    pub on_shipping: bool,
}

/// What a code may take off: the items it covers and their standard shipping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eligible {
    pub items: Money,
    pub standard_shipping: Money,
}

/// Codes are compared trimmed and upper-cased, so `summer10 ` finds `SUMMER10`.
pub fn normalize_code(raw: &str) -> String {
    raw.trim().to_ascii_uppercase()
}

/// [`apply_discount_to`] items that come to `subtotal`, with no shipping to make free.
pub fn apply_discount(
    entered: &str,
    found: Option<&DiscountCode>,
    subtotal: Money,
    now: i64,
) -> Result<AppliedDiscount, AppError> {
    apply_discount_to(
        entered,
        found,
        Eligible { items: subtotal, standard_shipping: Money::new(0, subtotal.currency) },
        now,
    )
}

/// Checks a code the shopper typed against the stored one (`None`: no such code) for what it may
/// take off (`eligible`: a store's code covers that store's items only). Errors are for the
/// `discount_code` field.
pub fn apply_discount_to(
    entered: &str,
    found: Option<&DiscountCode>,
    eligible: Eligible,
    now: i64,
) -> Result<AppliedDiscount, AppError> {
    let subtotal = eligible.items;
    let entered = normalize_code(entered);
    let fail = |m: String| Err(AppError::one("discount_code", m));
    if entered.is_empty() {
        return fail("Enter a discount code.".into());
    }
    let shown: String = entered.chars().take(40).collect();
    let Some(code) = found.filter(|c| normalize_code(&c.code) == entered) else {
        return fail(format!("“{shown}” is not a discount code we know; check the spelling."));
    };
    if code.disabled {
        return fail(format!("The code “{shown}” is no longer offered."));
    }
    if code.expires_at.is_some_and(|t| now >= t) {
        return fail(format!("The code “{shown}” has expired."));
    }
    if code.merchant_id.is_some() && subtotal.minor == 0 {
        return fail(format!("The code “{shown}” is for one store's products, and none of them is in your cart."));
    }
    if code.usage_limit.is_some_and(|limit| code.times_used >= limit) {
        return fail(format!("The code “{shown}” has been used up."));
    }
    let foreign = |m: Money| m.currency != subtotal.currency;
    if code.min_spend.is_some_and(foreign) || matches!(code.kind, DiscountKind::Fixed { amount } if foreign(amount)) {
        return fail(format!("The code “{shown}” cannot be used with prices in {}.", subtotal.currency));
    }
    if let Some(min) = code.min_spend.filter(|m| subtotal.minor < m.minor) {
        return fail(format!("The code “{shown}” needs a spend of at least {min}; your items come to {subtotal}."));
    }
    let (off, on_shipping) = match code.kind {
        DiscountKind::Percent { bps } => {
            (apply_bps(subtotal.minor, bps.min(10_000)).unwrap_or(subtotal.minor).min(subtotal.minor), false)
        }
        DiscountKind::Fixed { amount } => (amount.minor.max(0).min(subtotal.minor), false),
        DiscountKind::FreeShipping => (eligible.standard_shipping.minor.max(0), true),
    };
    Ok(AppliedDiscount {
        code: entered,
        amount: Money::new(off, subtotal.currency),
        merchant_id: code.merchant_id,
        on_shipping,
    })
}

/// Splits `total` across parts in proportion to `weights`, in whole minor units, so the shares sum
/// to exactly `total` (largest remainder; ties go to the earlier part). `total` is clamped to
/// 0..=Σ weights, which keeps every share within its weight: no part is discounted below zero.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let weights: Vec<i128> = weights.iter().map(|w| i128::from((*w).max(0))).collect();
    let sum: i128 = weights.iter().sum();
    let total = i128::from(total).clamp(0, sum);
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut left = total - shares.iter().sum::<i128>();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(total * weights[i] % sum));
    for i in by_remainder {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| s as i64).collect()
}

/// One merchant's part as the quote needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInput {
    pub merchant_id: i64,
    pub merchant_name: String,
    pub subtotal: Money,
    pub shipping: ShippingOption,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotePart {
    pub merchant_id: i64,
    pub merchant_name: String,
    pub subtotal: Money,
    pub shipping: ShippingOption,
    /// This part's share of the order's discount.
    pub discount: Money,
    pub tax: Money,
    /// subtotal − discount + shipping + tax.
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuote {
    pub parts: Vec<QuotePart>,
    pub country: String,
    pub tax_rate_bps: u32,
    /// The tax line is included in the prices (not added to them).
    pub prices_include_tax: bool,
    pub discount_code: Option<String>,
    pub subtotal: Money,
    pub shipping: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("Your cart is empty.")]
    Empty,
    #[error("Prices in {0} and {1} cannot be paid in one order.")]
    MixedCurrencies(Currency, Currency),
    #[error("The order total is too large.")]
    Overflow,
}

impl From<MoneyError> for QuoteError {
    fn from(e: MoneyError) -> Self {
        match e {
            MoneyError::CurrencyMismatch(a, b) => QuoteError::MixedCurrencies(a, b),
            _ => QuoteError::Overflow,
        }
    }
}

/// [`quote_to`] a destination without a region.
pub fn quote(
    parts: &[PartInput],
    country: &str,
    taxes: &TaxTable,
    discount: Option<&AppliedDiscount>,
) -> Result<OrderQuote, QuoteError> {
    quote_to(parts, country, "", taxes, discount)
}

/// Prices an order: per part, the items, its shipping, its share of the discount (in proportion to
/// its items), and tax on (items − discount + shipping) at the destination's rate — added on top,
/// or, when prices include tax, the part of that amount that is tax.
pub fn quote_to(
    parts: &[PartInput],
    country: &str,
    region: &str,
    taxes: &TaxTable,
    discount: Option<&AppliedDiscount>,
) -> Result<OrderQuote, QuoteError> {
    let currency = parts.first().ok_or(QuoteError::Empty)?.subtotal.currency;
    let zero = Money::new(0, currency);
    for p in parts {
        for m in [p.subtotal, p.shipping.price].into_iter().chain(discount.map(|d| d.amount)) {
            if m.currency != currency {
                return Err(QuoteError::MixedCurrencies(currency, m.currency));
            }
        }
    }
    let subtotal = parts.iter().try_fold(zero, |acc, p| acc.checked_add(p.subtotal))?;
    // A store's code is shared among its own part only; free shipping by shipping, the rest by items.
    let weights: Vec<i64> = parts
        .iter()
        .map(|p| match discount {
            Some(d) if d.merchant_id.is_some_and(|m| m != p.merchant_id) => 0,
            Some(d) if d.on_shipping => p.shipping.price.minor,
            _ => p.subtotal.minor,
        })
        .collect();
    let most = weights.iter().fold(0i64, |sum, w| sum.saturating_add(*w));
    let discount_total = discount.map_or(0, |d| d.amount.minor.clamp(0, most));
    let shares = allocate(discount_total, &weights);
    let rate = taxes.rate_for(country, region);
    let mut out = Vec::with_capacity(parts.len());
    for (p, share) in parts.iter().zip(shares) {
        let taxable = p
            .subtotal
            .minor
            .checked_add(p.shipping.price.minor)
            .and_then(|t| t.checked_sub(share))
            .ok_or(QuoteError::Overflow)?;
        let (tax, total) = if taxes.prices_include_tax {
            (included_tax(taxable, rate).ok_or(QuoteError::Overflow)?, taxable)
        } else {
            let tax = apply_bps(taxable, rate).ok_or(QuoteError::Overflow)?;
            (tax, taxable.checked_add(tax).ok_or(QuoteError::Overflow)?)
        };
        out.push(QuotePart {
            merchant_id: p.merchant_id,
            merchant_name: p.merchant_name.clone(),
            subtotal: p.subtotal,
            shipping: p.shipping,
            discount: Money::new(share, currency),
            tax: Money::new(tax, currency),
            total: Money::new(total, currency),
        });
    }
    let sum = |f: fn(&QuotePart) -> Money| out.iter().try_fold(zero, |acc, p| acc.checked_add(f(p)));
    Ok(OrderQuote {
        country: country.trim().to_ascii_uppercase(),
        tax_rate_bps: rate,
        prices_include_tax: taxes.prices_include_tax,
        discount_code: discount.filter(|_| discount_total > 0).map(|d| d.code.clone()),
        subtotal,
        shipping: sum(|p| p.shipping.price)?,
        discount: sum(|p| p.discount)?,
        tax: sum(|p| p.tax)?,
        total: sum(|p| p.total)?,
        parts: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn part(merchant_id: i64, subtotal: i64, speed: ShippingSpeed) -> PartInput {
        let rates = ShippingRates::default();
        PartInput {
            merchant_id,
            merchant_name: format!("Shop {merchant_id}"),
            subtotal: usd(subtotal),
            shipping: rates.option(speed, usd(subtotal)),
        }
    }

    fn code(kind: DiscountKind) -> DiscountCode {
        DiscountCode {
            code: "SUMMER10".into(),
            kind,
            min_spend: None,
            expires_at: None,
            usage_limit: None,
            times_used: 0,
            merchant_id: None,
            disabled: false,
        }
    }

    fn applied(code: &str, amount: Money) -> AppliedDiscount {
        AppliedDiscount { code: code.into(), amount, merchant_id: None, on_shipping: false }
    }

    #[test]
    fn a_stores_code_and_free_shipping_go_where_they_belong() {
        let parts = [part(1, 3000, ShippingSpeed::Standard), part(2, 1000, ShippingSpeed::Standard)];
        // A 10 % code of store 2: only store 2's items count and only its part is discounted.
        let mine = DiscountCode { merchant_id: Some(2), ..code(DiscountKind::Percent { bps: 1000 }) };
        let d =
            apply_discount_to("summer10", Some(&mine), Eligible { items: usd(1000), standard_shipping: usd(499) }, 0)
                .unwrap();
        assert_eq!((d.amount, d.merchant_id), (usd(100), Some(2)));
        let q = quote(&parts, "US", &TaxTable::default(), Some(&d)).unwrap();
        assert_eq!((q.parts[0].discount, q.parts[1].discount), (usd(0), usd(100)));
        let none = Eligible { items: usd(0), standard_shipping: usd(0) };
        assert!(apply_discount_to("summer10", Some(&mine), none, 0).unwrap_err().to_string().len() > 0);
        // Free shipping takes off the standard shipping of the parts it covers, and tax follows.
        let free = code(DiscountKind::FreeShipping);
        let d =
            apply_discount_to("SUMMER10", Some(&free), Eligible { items: usd(4000), standard_shipping: usd(998) }, 0)
                .unwrap();
        assert!(d.on_shipping);
        let q = quote(&parts, "GB", &TaxTable::default(), Some(&d)).unwrap();
        assert_eq!(q.discount, usd(998));
        assert_eq!(q.total, usd(4000 + 800), "items plus 20 % tax: shipping is free and untaxed");
        let off = DiscountCode { disabled: true, ..free };
        let e = apply_discount_to("SUMMER10", Some(&off), Eligible { items: usd(4000), standard_shipping: usd(0) }, 0);
        assert!(format!("{:?}", e.unwrap_err()).contains("no longer offered"));
    }

    #[test]
    fn shipping_has_a_price_and_a_window_per_speed() {
        let rates = ShippingRates::default();
        let opts = rates.options(usd(2000));
        assert_eq!(opts.len(), 2);
        assert_eq!(
            (opts[0].speed, opts[0].price, opts[0].window.to_string()),
            (ShippingSpeed::Standard, usd(499), "3–5 business days".into())
        );
        assert_eq!(
            (opts[1].speed, opts[1].price, opts[1].window.to_string()),
            (ShippingSpeed::Express, usd(1499), "1–2 business days".into())
        );
        assert_eq!(DeliveryWindow { min_days: 1, max_days: 1 }.to_string(), "1 business day");
        // Free standard shipping from the threshold, never free express.
        assert_eq!(rates.option(ShippingSpeed::Standard, usd(4999)).price, usd(499));
        assert_eq!(rates.option(ShippingSpeed::Standard, usd(5000)).price, usd(0));
        assert_eq!(rates.option(ShippingSpeed::Express, usd(5000)).price, usd(1499));
        let no_free = ShippingRates { free_standard_from: None, ..rates };
        assert_eq!(no_free.option(ShippingSpeed::Standard, usd(1_000_000)).price, usd(499));
        assert_eq!(ShippingSpeed::parse(" express"), Some(ShippingSpeed::Express));
        assert_eq!(ShippingSpeed::parse("overnight"), None);
    }

    #[test]
    fn tax_rates_come_from_a_table_with_a_zero_default() {
        let t = TaxTable::default();
        assert_eq!((t.rate_bps("GB"), t.rate_bps("de"), t.rate_bps("NL"), t.rate_bps("CA")), (2000, 1900, 2100, 500));
        assert_eq!((t.rate_bps("US"), t.rate_bps("JP"), t.rate_bps("")), (0, 0, 0));
        let t = TaxTable::parse(" gb:2000, DE:1900,GB:1750 ,").unwrap();
        assert_eq!((t.rate_bps("GB"), t.rate_bps("DE"), t.rates.len()), (1750, 1900, 2));
        for bad in ["GB", "GB:x", "GBR:2000", "G1:5", "GB:10001", "GB:-5"] {
            assert!(TaxTable::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(TaxTable::parse("").unwrap().rate_bps("GB"), 0);
    }

    #[test]
    fn a_region_may_have_its_own_rate() {
        let mut t = TaxTable::parse("CA:500").unwrap();
        t.rates.push(TaxRate { country: "CA".into(), region: "Ontario".into(), bps: 1300 });
        assert_eq!(t.rate_for("ca", " ontario "), 1300);
        assert_eq!(t.rate_for("CA", "Alberta"), 500, "a region without a rate of its own");
        assert_eq!(t.rate_for("CA", ""), 500);
        assert_eq!(t.rate_for("US", "Ontario"), 0);
    }

    #[test]
    fn tax_inclusive_prices_hold_their_tax() {
        assert_eq!(included_tax(12000, 2000), Some(2000), "£120 at 20 % holds £20");
        assert_eq!(included_tax(999, 2000), Some(166), "9.99 / 1.2 = 8.325 → 8.33 net");
        assert_eq!(included_tax(1000, 0), Some(0));
        let taxes = TaxTable { prices_include_tax: true, ..TaxTable::default() };
        let q = quote(&[part(7, 6000, ShippingSpeed::Standard)], "GB", &taxes, None).unwrap();
        assert_eq!((q.total.minor, q.tax.minor), (6000, 1000), "free shipping over $50: 60 incl. 10 tax");
        assert!(q.prices_include_tax);
        let added = quote(&[part(7, 6000, ShippingSpeed::Standard)], "GB", &TaxTable::default(), None).unwrap();
        assert_eq!((added.total.minor, added.tax.minor), (7200, 1200));
    }

    proptest::proptest! {
        #[test]
        fn included_tax_is_part_of_the_price(gross in 0i64..10_000_000_000, bps in 0u32..=10_000) {
            let tax = included_tax(gross, bps).unwrap();
            proptest::prop_assert!((0..=gross).contains(&tax));
            // The net, taxed at the rate, gives back the price within a cent.
            let again = (gross - tax) + apply_bps(gross - tax, bps).unwrap();
            proptest::prop_assert!((again - gross).abs() <= 1, "{gross} {bps} {tax}");
        }
    }

    #[test]
    fn basis_points_round_half_up() {
        assert_eq!(apply_bps(1000, 2000), Some(200));
        assert_eq!(apply_bps(1, 5000), Some(1), "0.5 rounds up");
        assert_eq!(apply_bps(1, 4999), Some(0));
        assert_eq!(apply_bps(333, 1000), Some(33));
        assert_eq!(apply_bps(335, 1000), Some(34));
        assert_eq!(apply_bps(i64::MAX, 10_000), Some(i64::MAX));
        assert_eq!(apply_bps(i64::MAX, 20_000), None);
    }

    #[test]
    fn discount_codes_report_why_they_do_not_apply() {
        let now = 1_000_000;
        let msg = |r: Result<AppliedDiscount, AppError>| r.unwrap_err().field("discount_code").unwrap();
        let pct = code(DiscountKind::Percent { bps: 1000 });
        assert_eq!(msg(apply_discount("", Some(&pct), usd(5000), now)), "Enter a discount code.");
        assert_eq!(
            msg(apply_discount("WINTER", None, usd(5000), now)),
            "“WINTER” is not a discount code we know; check the spelling."
        );
        assert!(
            msg(apply_discount("OTHER", Some(&pct), usd(5000), now)).contains("not a discount code"),
            "must match the code"
        );
        let expired = DiscountCode { expires_at: Some(now), ..pct.clone() };
        assert_eq!(msg(apply_discount("summer10", Some(&expired), usd(5000), now)), "The code “SUMMER10” has expired.");
        assert!(
            apply_discount("summer10", Some(&expired), usd(5000), now - 1).is_ok(),
            "valid until the instant it expires"
        );
        let used_up = DiscountCode { usage_limit: Some(3), times_used: 3, ..pct.clone() };
        assert_eq!(
            msg(apply_discount("SUMMER10", Some(&used_up), usd(5000), now)),
            "The code “SUMMER10” has been used up."
        );
        assert!(apply_discount("SUMMER10", Some(&DiscountCode { times_used: 2, ..used_up }), usd(5000), now).is_ok());
        let min = DiscountCode { min_spend: Some(usd(5000)), ..pct.clone() };
        assert_eq!(
            msg(apply_discount("SUMMER10", Some(&min), usd(3000), now)),
            "The code “SUMMER10” needs a spend of at least $50.00; your items come to $30.00."
        );
        assert!(apply_discount("SUMMER10", Some(&min), usd(5000), now).is_ok());
        let euro = code(DiscountKind::Fixed { amount: Money::new(500, Currency::EUR) });
        assert!(msg(apply_discount("SUMMER10", Some(&euro), usd(5000), now)).contains("prices in USD"));
        let long = "X".repeat(10_000);
        assert!(msg(apply_discount(&long, None, usd(5000), now)).len() < 200, "the echo is bounded");
    }

    #[test]
    fn discounts_are_percentages_or_fixed_amounts_never_above_the_items() {
        let pct = code(DiscountKind::Percent { bps: 1500 });
        let d = apply_discount(" summer10 ", Some(&pct), usd(3333), 0).unwrap();
        assert_eq!((d.code.as_str(), d.amount), ("SUMMER10", usd(500)), "15 % of 33.33 = 4.9995 → 5.00");
        let fixed = code(DiscountKind::Fixed { amount: usd(1000) });
        assert_eq!(apply_discount("SUMMER10", Some(&fixed), usd(5000), 0).unwrap().amount, usd(1000));
        assert_eq!(apply_discount("SUMMER10", Some(&fixed), usd(700), 0).unwrap().amount, usd(700));
        let silly = code(DiscountKind::Percent { bps: 50_000 });
        assert_eq!(apply_discount("SUMMER10", Some(&silly), usd(700), 0).unwrap().amount, usd(700));
    }

    #[test]
    fn allocation_is_proportional_and_sums_exactly() {
        assert_eq!(allocate(100, &[100, 100, 100]), [34, 33, 33]);
        assert_eq!(allocate(1000, &[5000, 3000, 2000]), [500, 300, 200]);
        assert_eq!(allocate(1, &[1, 1]), [1, 0], "ties go to the earlier part");
        assert_eq!(allocate(3, &[3, 1]), [2, 1], "2.25 / 0.75: the larger remainder wins");
        assert_eq!(allocate(2, &[1, 3]), [1, 1], "0.5 / 1.5: a tie, the earlier part");
        assert_eq!(allocate(10, &[0, 0]), [0, 0]);
        assert_eq!(allocate(10, &[]), Vec::<i64>::new());
        assert_eq!(allocate(500, &[100, 200]), [100, 200], "clamped to the weights");
        assert_eq!(allocate(-5, &[100, 200]), [0, 0]);
        // Many pseudo-random cases: exact sum, within one unit of the exact share, never above a weight.
        let mut seed: u64 = 0x9e3779b97f4a7c15;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..2000 {
            let n = 1 + next(6) as usize;
            let weights: Vec<i64> = (0..n).map(|_| next(100_000) as i64).collect();
            let sum: i64 = weights.iter().sum();
            let total = next(sum as u64 + 1) as i64;
            let shares = allocate(total, &weights);
            assert_eq!(shares.iter().sum::<i64>(), total, "{weights:?} {total}");
            for (s, w) in shares.iter().zip(&weights) {
                assert!(*s >= 0 && s <= w, "{weights:?} {total}");
                let exact = total as f64 * *w as f64 / sum as f64;
                assert!((*s as f64 - exact).abs() < 1.0, "{weights:?} {total}");
            }
        }
    }

    #[test]
    fn quotes_add_up_per_part_and_in_total() {
        let parts = [
            part(7, 3333, ShippingSpeed::Standard),
            part(8, 6667, ShippingSpeed::Express),
            part(9, 1, ShippingSpeed::Standard),
        ];
        let discount = applied("SAVE", usd(1001));
        let q = quote(&parts, "gb", &TaxTable::default(), Some(&discount)).unwrap();
        assert_eq!((q.country.as_str(), q.tax_rate_bps, q.discount_code.as_deref()), ("GB", 2000, Some("SAVE")));
        let shares: Vec<i64> = q.parts.iter().map(|p| p.discount.minor).collect();
        assert_eq!(shares.iter().sum::<i64>(), 1001);
        assert_eq!(shares, [334, 667, 0], "333.63 / 667.27 / 0.10: the spare unit goes to .63");
        // Part 7: 3333 − 334 + 499 = 3498, 20 % tax = 699.6 → 700.
        assert_eq!((q.parts[0].shipping.price, q.parts[0].tax, q.parts[0].total), (usd(499), usd(700), usd(4198)));
        // Part 8's items pass the free-shipping threshold, but it chose express, which is never free.
        assert_eq!(q.parts[1].shipping.price, usd(1499));
        for p in &q.parts {
            assert_eq!(p.total.minor, p.subtotal.minor - p.discount.minor + p.shipping.price.minor + p.tax.minor);
        }
        assert_eq!(q.subtotal, usd(10_001));
        assert_eq!(q.discount, usd(1001));
        assert_eq!(q.shipping, usd(499 + 1499 + 499));
        assert_eq!(q.total.minor, q.parts.iter().map(|p| p.total.minor).sum::<i64>());
        assert_eq!(q.total.minor, q.subtotal.minor - q.discount.minor + q.shipping.minor + q.tax.minor);
    }

    #[test]
    fn quotes_without_discount_or_tax_and_the_refusals() {
        let q = quote(&[part(7, 6000, ShippingSpeed::Standard)], "US", &TaxTable::default(), None).unwrap();
        assert_eq!((q.shipping, q.tax, q.discount, q.total), (usd(0), usd(0), usd(0), usd(6000)));
        assert_eq!(q.discount_code, None);
        assert_eq!(quote(&[], "US", &TaxTable::default(), None), Err(QuoteError::Empty));
        let mut euro = part(8, 100, ShippingSpeed::Standard);
        euro.subtotal = Money::new(100, Currency::EUR);
        let mixed = quote(&[part(7, 100, ShippingSpeed::Standard), euro], "US", &TaxTable::default(), None);
        assert_eq!(mixed, Err(QuoteError::MixedCurrencies(Currency::USD, Currency::EUR)));
        let huge = [part(7, i64::MAX - 10, ShippingSpeed::Express)];
        assert_eq!(quote(&huge, "US", &TaxTable::default(), None), Err(QuoteError::Overflow));
        // A discount larger than the items (the cart shrank after it was applied) takes off the items only.
        let big = applied("BIG", usd(9_999));
        let q = quote(&[part(7, 1000, ShippingSpeed::Standard)], "DE", &TaxTable::default(), Some(&big)).unwrap();
        assert_eq!((q.discount, q.tax, q.total), (usd(1000), usd(95), usd(594)));
    }
}
