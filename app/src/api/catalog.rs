//! Storefront reads. Anyone may call these.
use crate::domain::catalog::ProductDetail;
use crate::domain::errors::AppError;
use crate::domain::storefront::{CategoryListing, HomeData, NavData, SearchResults};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn catalog() -> Result<std::sync::Arc<dyn crate::services::CatalogStore>, AppError> {
    use super::guard::{Access, guard, shop};
    guard(Access::Anyone).await?;
    Ok(shop()?.catalog)
}

#[cfg(feature = "ssr")]
fn internal(err: crate::services::StoreError) -> AppError {
    crate::services::accounts::store_err(err)
}

#[server(endpoint = "catalog/nav")]
pub async fn get_nav() -> Result<NavData, AppError> {
    crate::services::catalog::nav(catalog().await?.as_ref()).await.map_err(internal)
}

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<HomeData, AppError> {
    crate::services::catalog::home(catalog().await?.as_ref()).await.map_err(internal)
}

/// `sort` and `page` arrive as typed in the URL and are parsed forgivingly.
#[server(endpoint = "catalog/category")]
pub async fn get_category(
    slug: String,
    sort: Option<String>,
    page: Option<String>,
) -> Result<Option<CategoryListing>, AppError> {
    use crate::domain::listing::{Sort, page_from_param};
    let store = catalog().await?;
    let sort = Sort::from_param(sort.as_deref());
    let page = page_from_param(page.as_deref());
    crate::services::catalog::category_listing(store.as_ref(), &slug, sort, page).await.map_err(internal)
}

#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<Option<ProductDetail>, AppError> {
    crate::services::catalog::product(catalog().await?.as_ref(), &slug).await.map_err(internal)
}

/// Products matching `q`, typo-tolerant, best first.
#[server(endpoint = "catalog/search")]
pub async fn search(q: String, page: Option<String>) -> Result<SearchResults, AppError> {
    use super::guard::{Access, guard, shop};
    guard(Access::Anyone).await?;
    let shop = shop()?;
    let page = crate::domain::listing::page_from_param(page.as_deref());
    crate::services::search::search(shop.catalog.as_ref(), &shop.vocabulary, &q, page).await.map_err(internal)
}
