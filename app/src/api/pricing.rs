//! The store's own shipping zones (its staff, or the platform admin naming it) and the
//! marketplace's tax rules (platform admin). Use cases in `services::pricing`.
use crate::domain::errors::AppError;
use crate::views::pricing::{ShippingPage, TaxesPage};
use leptos::prelude::*;

#[server(endpoint = "admin/shipping")]
pub async fn shipping_zones(merchant_id: Option<i64>) -> Result<ShippingPage, AppError> {
    let (_, store) = super::guard::acting_store(merchant_id).await?;
    crate::services::pricing::shipping_page(&super::guard::shop()?, store).await
}

#[server(endpoint = "admin/shipping/add")]
pub async fn add_shipping_zone(
    merchant_id: Option<i64>,
    name: String,
    countries: String,
    bands: String,
    express: Option<String>,
) -> Result<(), AppError> {
    use crate::services::pricing::ZoneForm;
    let (_, store) = super::guard::acting_store(merchant_id).await?;
    let form = ZoneForm { name, countries, bands, express: express.unwrap_or_default() };
    crate::services::pricing::add_zone(&super::guard::shop()?, store, form).await
}

#[server(endpoint = "admin/shipping/delete")]
pub async fn delete_shipping_zone(merchant_id: Option<i64>, zone_id: i64) -> Result<(), AppError> {
    let (_, store) = super::guard::acting_store(merchant_id).await?;
    crate::services::pricing::delete_zone(&super::guard::shop()?, store, zone_id).await
}

#[server(endpoint = "admin/taxes")]
pub async fn tax_rules() -> Result<TaxesPage, AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    crate::services::pricing::taxes_page(&super::guard::shop()?).await
}

/// Sets a country's (or region's) rate; answers what was saved ("GB 20 %").
#[server(endpoint = "admin/taxes/set")]
pub async fn set_tax_rate(country: String, region: Option<String>, rate: String) -> Result<String, AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    let region = region.unwrap_or_default();
    crate::services::pricing::set_tax_rate(&super::guard::shop()?, &country, &region, &rate).await
}

#[server(endpoint = "admin/taxes/delete")]
pub async fn delete_tax_rate(country: String, region: Option<String>) -> Result<(), AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    let region = region.unwrap_or_default();
    crate::services::pricing::delete_tax_rate(&super::guard::shop()?, &country, &region).await
}

/// "inclusive" (listed prices hold the tax) or "exclusive" (tax is added at checkout).
#[server(endpoint = "admin/taxes/mode")]
pub async fn set_tax_mode(mode: String) -> Result<(), AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    crate::services::pricing::set_prices_include_tax(&super::guard::shop()?, &mode).await
}
