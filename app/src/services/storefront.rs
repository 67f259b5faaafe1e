//! The storefront's reads for a visitor: the navigation, the home page, a category, a product
//! and search, ranked for whoever is looking. The ranking and search rules themselves live in
//! `catalog`, `listing` and `search`, which take the catalog port directly (the conformance suite
//! runs them on both engines); this module hands them the shop's port and caches.
use super::Shop;
use super::catalog_store::ViewProfile;
use super::errors::store_err;
use super::listing::AFFINITY_WINDOW_SECS;
use super::search::SearchRequest;
use crate::domain::account::Principal;
use crate::domain::catalog::ProductDetail;
use crate::domain::errors::AppError;
use crate::domain::facets::Filters;
use crate::domain::listing::Sort;
use crate::domain::storefront::{CategoryListing, HomeData, NavData, SearchResults, Suggestions};

pub async fn nav(shop: &Shop) -> Result<NavData, AppError> {
    super::catalog::nav(shop.catalog.as_ref(), &shop.categories).await.map_err(store_err)
}

pub async fn home(shop: &Shop) -> Result<HomeData, AppError> {
    super::catalog::home(shop.catalog.as_ref(), &shop.categories).await.map_err(store_err)
}

/// Who is looking: their view history feeds the affinity signal, and the platform admin may see
/// why a list is in its order. Anonymous visitors get neither.
async fn viewer(shop: &Shop, who: Option<&Principal>) -> Result<(Option<ViewProfile>, bool), AppError> {
    let Some(principal) = who else { return Ok((None, false)) };
    let since = shop.clock.now() - AFFINITY_WINDOW_SECS;
    let profile = shop.catalog.view_profile(principal.user_id, since).await.map_err(store_err)?;
    Ok((Some(profile), principal.is_admin))
}

/// A category page (`None`: no such category), ranked for `who`.
pub async fn category(
    shop: &Shop,
    who: Option<&Principal>,
    slug: &str,
    filters: Filters,
    sort: Sort,
    page: u32,
) -> Result<Option<CategoryListing>, AppError> {
    let (profile, can_explain) = viewer(shop, who).await?;
    super::catalog::category_listing(
        shop.catalog.as_ref(),
        &shop.categories,
        &shop.listing_rows,
        slug,
        filters,
        sort,
        page,
        profile,
        can_explain,
    )
    .await
    .map_err(store_err)
}

/// A published product's page (`None`: no such product).
pub async fn product(shop: &Shop, slug: &str) -> Result<Option<ProductDetail>, AppError> {
    super::catalog::product(shop.catalog.as_ref(), &shop.categories, slug).await.map_err(store_err)
}

/// What a search form asked for.
pub struct SearchForm {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page: u32,
}

/// Products matching the query, typo-tolerant, filtered, best first for `who`.
pub async fn search(shop: &Shop, who: Option<&Principal>, form: SearchForm) -> Result<SearchResults, AppError> {
    let (viewer, can_explain) = viewer(shop, who).await?;
    let request = SearchRequest {
        query: form.query,
        filters: form.filters,
        sort: form.sort,
        page: form.page,
        viewer,
        can_explain,
        weights: None,
    };
    super::search::search(shop.catalog.as_ref(), &shop.vocabulary, &shop.categories, &shop.listing_rows, request)
        .await
        .map_err(store_err)
}

/// Suggestions for the header search box while the shopper types.
pub async fn suggest(shop: &Shop, typed: &str) -> Result<Suggestions, AppError> {
    super::search::suggest(shop.catalog.as_ref(), &shop.vocabulary, typed).await.map_err(store_err)
}

/// How many products the store page shows; the rest are one click away in the search.
pub const STORE_PAGE_PRODUCTS: u32 = 24;

/// A store's public page (`None`: no such store, or it is not open for business).
pub async fn store_page(
    shop: &Shop,
    who: Option<&Principal>,
    slug: &str,
) -> Result<Option<crate::domain::storefront::StorePage>, AppError> {
    use crate::domain::account::MerchantStatus;
    use crate::domain::shipping_zones::{bands_text, countries_text};
    let slug = slug.trim();
    let merchants = shop.accounts.merchants(false).await.map_err(store_err)?;
    let Some(m) = merchants.into_iter().find(|m| m.slug == slug && m.status == MerchantStatus::Active) else {
        return Ok(None);
    };
    let Some(settings) = shop.admin.store_settings(m.id).await.map_err(store_err)? else { return Ok(None) };
    let (review_count, rating) = shop.admin.store_rating(m.id).await.map_err(store_err)?;
    let zones = shop.orders.pricing_rules(&[m.id]).await.map_err(store_err)?.zones;
    let shipping = if zones.is_empty() {
        let d = shop.checkout.rates;
        let money = |m: i64| crate::domain::money::Money::new(m, super::MARKETPLACE_CURRENCY).to_string();
        let free = d.free_standard_from.map_or_else(|| "never".to_string(), money);
        vec![format!("Everywhere: standard {}, free from {free}; express {}", money(d.standard), money(d.express))]
    } else {
        zones
            .iter()
            .map(|z| {
                let place = match countries_text(&z.countries).as_str() {
                    "*" => "everywhere else".to_string(),
                    list => list.to_string(),
                };
                let express = z.rates.express_minor.map_or(String::new(), |e| {
                    format!("; express {}", crate::domain::money::Money::new(e, super::MARKETPLACE_CURRENCY))
                });
                format!("{} ({place}): standard {}{express}", z.name, bands_text(&z.rates.bands))
            })
            .collect()
    };
    let form = SearchForm {
        query: String::new(),
        filters: Filters::from_params(None, Some(slug), None, None, None),
        sort: Sort::default(),
        page: 1,
    };
    let results = search(shop, who, form).await?;
    let mut products = results.listing.products.items;
    products.truncate(STORE_PAGE_PRODUCTS as usize);
    Ok(Some(crate::domain::storefront::StorePage {
        slug: m.slug,
        name: settings.name,
        description: settings.description,
        support_email: settings.support_email,
        rating,
        review_count,
        shipping,
        products,
        product_count: results.listing.products.total,
    }))
}
