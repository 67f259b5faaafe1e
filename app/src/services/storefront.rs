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
