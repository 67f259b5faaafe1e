//! Page data for the store's Shipping page and the platform admin's Taxes page.
use crate::domain::checkout::TaxRate;
use serde::{Deserialize, Serialize};

/// One zone as the Shipping page lists it (amounts as the merchant types them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRow {
    pub id: i64,
    pub name: String,
    /// "GB, IE" or "*".
    pub countries: String,
    /// "4.99" or "0.00=4.99, 50.00=0.00".
    pub bands: String,
    /// "14.99", or empty for no express.
    pub express: String,
}

/// `/admin/shipping`: a store's zones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingPage {
    pub merchant_id: i64,
    pub store_name: String,
    pub zones: Vec<ZoneRow>,
    /// The marketplace's default rates, which apply while the store has no zones.
    pub default_rates: String,
}

/// `/admin/taxes`: the marketplace's tax rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxesPage {
    pub rates: Vec<TaxRate>,
    pub prices_include_tax: bool,
}

/// `/admin/discounts`: the codes of a store, or the marketplace's (`merchant_id` None).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountsPage {
    pub merchant_id: Option<i64>,
    /// "Northwind Home", or "the marketplace".
    pub owner: String,
    pub codes: Vec<crate::domain::discounts::DiscountRow>,
}
