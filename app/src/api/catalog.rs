//! Storefront reads. Anyone may call these.
use crate::domain::catalog::ProductDetail;
use crate::domain::errors::AppError;
use crate::domain::storefront::{CategoryListing, HomeData, NavData, SearchResults, Suggestions};
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
    crate::services::catalog::nav(catalog().await?.as_ref(), &super::guard::shop()?.categories).await.map_err(internal)
}

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<HomeData, AppError> {
    crate::services::catalog::home(catalog().await?.as_ref(), &super::guard::shop()?.categories).await.map_err(internal)
}

/// Who is looking: their view history feeds the affinity signal, and the platform admin may see
/// why a list is in its order. Anonymous visitors get neither.
#[cfg(feature = "ssr")]
async fn viewer(
    store: &dyn crate::services::CatalogStore,
) -> Result<(Option<crate::services::catalog_store::ViewProfile>, bool), AppError> {
    use crate::services::listing::AFFINITY_WINDOW_SECS;
    let Some(principal) = super::guard::guard(super::guard::Access::Anyone).await? else {
        return Ok((None, false));
    };
    let since = crate::services::accounts::now() - AFFINITY_WINDOW_SECS;
    let profile = store.view_profile(principal.user_id, since).await.map_err(internal)?;
    Ok((Some(profile), principal.is_admin))
}

/// Every listing parameter arrives as typed in the URL and is parsed forgivingly: unknown
/// sorts, filters and pages fall back to defaults instead of failing.
#[server(endpoint = "catalog/category")]
#[allow(clippy::too_many_arguments)]
pub async fn get_category(
    slug: String,
    sort: Option<String>,
    page: Option<String>,
    category: Option<String>,
    store: Option<String>,
    price: Option<String>,
    rating: Option<String>,
    stock: Option<String>,
) -> Result<Option<CategoryListing>, AppError> {
    use crate::domain::facets::Filters;
    use crate::domain::listing::{Sort, page_from_param};
    let shop = super::guard::shop()?;
    let catalog = shop.catalog.clone();
    let filters = Filters::from_params(
        category.as_deref(),
        store.as_deref(),
        price.as_deref(),
        rating.as_deref(),
        stock.as_deref(),
    );
    let (profile, can_explain) = viewer(catalog.as_ref()).await?;
    crate::services::catalog::category_listing(
        catalog.as_ref(),
        &shop.categories,
        &shop.listing_rows,
        &slug,
        filters,
        Sort::from_param(sort.as_deref()),
        page_from_param(page.as_deref()),
        profile,
        can_explain,
    )
    .await
    .map_err(internal)
}

/// A visit is counted (signed-in shopper or anonymous visitor) for the personal-affinity signal
/// and the recommendations.
#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<Option<ProductDetail>, AppError> {
    use super::guard::{Access, guard, shop};
    let shop = shop()?;
    let store = shop.catalog.clone();
    let principal = guard(Access::Anyone).await?;
    let detail = crate::services::catalog::product(store.as_ref(), &shop.categories, &slug).await.map_err(internal)?;
    if let Some(d) = &detail {
        // Buffered and written in batches: the page never waits for it (nor fails over it).
        super::recommendations::record_view(&shop, principal.as_ref(), d.id).await;
    }
    Ok(detail)
}

/// Products matching `q`, typo-tolerant, filtered by the facets in the URL, best first.
#[server(endpoint = "catalog/search")]
#[allow(clippy::too_many_arguments)]
pub async fn search(
    q: String,
    page: Option<String>,
    sort: Option<String>,
    category: Option<String>,
    store: Option<String>,
    price: Option<String>,
    rating: Option<String>,
    stock: Option<String>,
) -> Result<SearchResults, AppError> {
    use crate::domain::facets::Filters;
    use crate::domain::listing::{Sort, page_from_param};
    use crate::services::search::SearchRequest;
    let shop = super::guard::shop()?;
    let catalog = shop.catalog.clone();
    let (viewer, can_explain) = viewer(catalog.as_ref()).await?;
    let request = SearchRequest {
        query: q,
        filters: Filters::from_params(
            category.as_deref(),
            store.as_deref(),
            price.as_deref(),
            rating.as_deref(),
            stock.as_deref(),
        ),
        sort: Sort::from_param(sort.as_deref()),
        page: page_from_param(page.as_deref()),
        viewer,
        can_explain,
        weights: None,
    };
    crate::services::search::search(catalog.as_ref(), &shop.vocabulary, &shop.categories, request)
        .await
        .map_err(internal)
}

/// Suggestions for the header search box while the shopper types.
#[server(endpoint = "catalog/suggest")]
pub async fn suggest(q: String) -> Result<Suggestions, AppError> {
    let store = catalog().await?;
    let shop = super::guard::shop()?;
    crate::services::search::suggest(store.as_ref(), &shop.vocabulary, &q).await.map_err(internal)
}
