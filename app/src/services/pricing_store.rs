//! The storage port for what prices an order besides the catalog: stores' shipping zones and the
//! marketplace's tax rules. Checkout reads them (`PricingRead`, part of every `OrderStore`); the
//! dashboard writes them (`PricingStore`).
use super::catalog_store::StoreError;
use crate::domain::checkout::{DiscountCode, TaxRate, TaxTable};
use crate::domain::shipping_zones::{ShippingZone, ZoneCountries, ZoneRates};
use async_trait::async_trait;

/// The rules one checkout is priced with.
#[derive(Clone, Debug, PartialEq)]
pub struct PricingRules {
    /// Every zone of the stores asked for, oldest first per store.
    pub zones: Vec<ShippingZone>,
    pub taxes: TaxTable,
}

/// A zone as the dashboard adds it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewZone {
    pub merchant_id: i64,
    pub name: String,
    pub countries: ZoneCountries,
    pub rates: ZoneRates,
}

#[async_trait]
pub trait PricingRead: Send + Sync + 'static {
    /// The zones of `merchant_ids` and the tax rules.
    async fn pricing_rules(&self, merchant_ids: &[i64]) -> Result<PricingRules, StoreError>;
}

#[async_trait]
pub trait PricingStore: PricingRead {
    /// Adds a zone; its id.
    async fn add_zone(&self, zone: &NewZone, now: i64) -> Result<i64, StoreError>;
    /// Deletes store `merchant_id`'s zone `zone_id`; false when it has no such zone.
    async fn delete_zone(&self, merchant_id: i64, zone_id: i64) -> Result<bool, StoreError>;
    /// Sets (adds or replaces) the rate of a country or region.
    async fn set_tax_rate(&self, rate: &TaxRate, now: i64) -> Result<(), StoreError>;
    /// Removes a rate; false when there was none.
    async fn delete_tax_rate(&self, country: &str, region: &str) -> Result<bool, StoreError>;
    async fn set_prices_include_tax(&self, include: bool, now: i64) -> Result<(), StoreError>;
    /// Store `merchant_id`'s own codes (None: the marketplace's), newest first, at most 200.
    async fn discount_codes(&self, merchant_id: Option<i64>) -> Result<Vec<DiscountCode>, StoreError>;
    /// Switches a code of that owner off (or on again); false when it has no such code.
    async fn set_discount_active(
        &self,
        code: &str,
        merchant_id: Option<i64>,
        active: bool,
        now: i64,
    ) -> Result<bool, StoreError>;
}
