//! Storefront reads.
use crate::domain::catalog::ProductDetail;
use crate::domain::storefront::{CategoryListing, HomeData, NavData};
use leptos::prelude::*;

#[server]
pub async fn get_nav() -> Result<NavData, ServerFnError> {
    let shop = super::shop()?;
    crate::services::catalog::nav(shop.catalog.as_ref())
        .await
        .map_err(super::internal)
}

#[server]
pub async fn get_home() -> Result<HomeData, ServerFnError> {
    let shop = super::shop()?;
    crate::services::catalog::home(shop.catalog.as_ref())
        .await
        .map_err(super::internal)
}

/// `sort` and `page` arrive as typed in the URL and are parsed forgivingly.
#[server]
pub async fn get_category(
    slug: String,
    sort: Option<String>,
    page: Option<String>,
) -> Result<Option<CategoryListing>, ServerFnError> {
    use crate::domain::listing::{Sort, page_from_param};
    let shop = super::shop()?;
    let sort = Sort::from_param(sort.as_deref());
    let page = page_from_param(page.as_deref());
    crate::services::catalog::category_listing(shop.catalog.as_ref(), &slug, sort, page)
        .await
        .map_err(super::internal)
}

#[server]
pub async fn get_product(slug: String) -> Result<Option<ProductDetail>, ServerFnError> {
    let shop = super::shop()?;
    crate::services::catalog::product(shop.catalog.as_ref(), &slug)
        .await
        .map_err(super::internal)
}
