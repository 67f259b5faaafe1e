//! The merchant's own shipping (`/admin/shipping`) and the marketplace's tax rules
//! (`/admin/taxes`): reading them for their pages, and changing them from the dashboard's forms.
//! The rules themselves (zones, bands, regional rates, tax-inclusive prices) are in
//! `domain::shipping_zones` and `domain::checkout`; checkout prices with what is stored here.
use super::Shop;
use super::errors::store_err;
use super::pricing_store::NewZone;
use crate::domain::checkout::TaxRate;
use crate::domain::errors::{AppError, FieldErrors};
use crate::domain::money::{percent_bps, percent_text};
use crate::domain::shipping_zones::{
    MAX_ZONE_NAME_CHARS, ZoneCountries, ZoneRates, bands_text, countries_text, parse_bands, parse_countries,
    parse_express,
};
use crate::views::pricing::{ShippingPage, TaxesPage, ZoneRow};

/// A store has at most this many zones (one page of them).
pub const MAX_ZONES: usize = 30;

/// What the Shipping page's form sent.
pub struct ZoneForm {
    pub name: String,
    pub countries: String,
    pub bands: String,
    pub express: String,
}

pub async fn shipping_page(shop: &Shop, merchant_id: i64) -> Result<ShippingPage, AppError> {
    let settings = shop.admin.store_settings(merchant_id).await.map_err(store_err)?;
    let store_name = settings.map(|s| s.name).ok_or_else(|| AppError::NotFound("No such store.".into()))?;
    let rules = shop.orders.pricing_rules(&[merchant_id]).await.map_err(store_err)?;
    let d = shop.checkout.rates;
    let default_rates = format!(
        "{} standard, free from {}; {} express",
        money(d.standard),
        d.free_standard_from.map_or_else(|| "never".to_string(), money),
        money(d.express)
    );
    Ok(ShippingPage {
        merchant_id,
        store_name,
        zones: rules
            .zones
            .iter()
            .map(|z| ZoneRow {
                id: z.id,
                name: z.name.clone(),
                countries: countries_text(&z.countries),
                bands: bands_text(&z.rates.bands),
                express: z.rates.express_minor.map(money).unwrap_or_default(),
            })
            .collect(),
        default_rates,
    })
}

fn money(minor: i64) -> String {
    crate::domain::money::Money::new(minor, super::MARKETPLACE_CURRENCY).to_string()
}

/// Adds a zone to the store's shipping. A country belongs to one zone of a store, and a store has
/// one "everywhere else" zone at most, so the price of a destination is never ambiguous.
pub async fn add_zone(shop: &Shop, merchant_id: i64, form: ZoneForm) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_ZONE_NAME_CHARS || name.chars().any(char::is_control) {
        errors.add("name", format!("Name the zone in 1 to {MAX_ZONE_NAME_CHARS} characters, like “Europe”."));
    }
    let countries = parse_countries(&form.countries).map_err(|m| errors.add("countries", m)).ok();
    let bands = parse_bands(&form.bands).map_err(|m| errors.add("bands", m)).ok();
    let express = parse_express(&form.express).map_err(|m| errors.add("express", m)).ok();
    let existing = shop.orders.pricing_rules(&[merchant_id]).await.map_err(store_err)?.zones;
    if existing.len() >= MAX_ZONES {
        errors.add("form", format!("A store has at most {MAX_ZONES} zones; remove one first."));
    }
    if let Some(countries) = &countries {
        match countries {
            ZoneCountries::Rest if existing.iter().any(|z| z.countries == ZoneCountries::Rest) => {
                errors.add("countries", "This store already has an “everywhere else” (*) zone.");
            }
            ZoneCountries::List(list) => {
                for z in &existing {
                    if let ZoneCountries::List(theirs) = &z.countries
                        && let Some(taken) = list.iter().find(|c| theirs.contains(c))
                    {
                        errors.add("countries", format!("{taken} is already in the zone “{}”.", z.name));
                        break;
                    }
                }
            }
            ZoneCountries::Rest => {}
        }
    }
    let (Some(countries), Some(bands), Some(express_minor), true) = (countries, bands, express, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let zone = NewZone { merchant_id, name, countries, rates: ZoneRates { bands, express_minor } };
    shop.pricing.add_zone(&zone, shop.clock.now()).await.map_err(store_err)?;
    Ok(())
}

/// Removes one of the store's zones (another store's zone id is "not found").
pub async fn delete_zone(shop: &Shop, merchant_id: i64, zone_id: i64) -> Result<(), AppError> {
    match shop.pricing.delete_zone(merchant_id, zone_id).await.map_err(store_err)? {
        true => Ok(()),
        false => Err(AppError::NotFound("That zone is not one of this store's (it may have been removed).".into())),
    }
}

pub async fn taxes_page(shop: &Shop) -> Result<TaxesPage, AppError> {
    let taxes = shop.orders.pricing_rules(&[]).await.map_err(store_err)?.taxes;
    Ok(TaxesPage { rates: taxes.rates, prices_include_tax: taxes.prices_include_tax })
}

/// A country's (or a region's) rate as the Taxes form typed it; what was saved, as "GB 20 %".
pub async fn set_tax_rate(shop: &Shop, country: &str, region: &str, percent: &str) -> Result<String, AppError> {
    let mut errors = FieldErrors::default();
    let country = country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.add("country", "Use the two-letter country code, like GB or US.");
    }
    let region = region.trim().to_string();
    if region.chars().count() > 60 || region.chars().any(char::is_control) {
        errors.add("region", "A region is at most 60 characters, as addresses write it (like CA or Ontario).");
    }
    let bps = percent_bps(percent);
    if bps.is_none() {
        errors.add("rate", "Enter a rate between 0 and 100 percent, like 20 or 7.25.");
    }
    let (Some(bps), true) = (bps, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let rate = TaxRate { country, region, bps: bps as u32 };
    shop.pricing.set_tax_rate(&rate, shop.clock.now()).await.map_err(store_err)?;
    let place = if rate.region.is_empty() { rate.country.clone() } else { format!("{} {}", rate.country, rate.region) };
    Ok(format!("{place} {}", percent_text(bps)))
}

pub async fn delete_tax_rate(shop: &Shop, country: &str, region: &str) -> Result<(), AppError> {
    match shop.pricing.delete_tax_rate(&country.trim().to_ascii_uppercase(), region.trim()).await.map_err(store_err)? {
        true => Ok(()),
        false => Err(AppError::NotFound("There is no such rate (it may have been removed).".into())),
    }
}

pub async fn set_prices_include_tax(shop: &Shop, typed: &str) -> Result<(), AppError> {
    let include = match typed.trim() {
        "inclusive" => true,
        "exclusive" => false,
        _ => return Err(AppError::one("mode", "Choose whether listed prices include tax or tax is added.")),
    };
    shop.pricing.set_prices_include_tax(include, shop.clock.now()).await.map_err(store_err)
}
