//! Storefront reads. Anyone may call these.
use crate::domain::catalog::ProductDetail;
use crate::domain::errors::AppError;
use crate::domain::storefront::{CategoryListing, HomeData, NavData, SearchResults, Suggestions};
use leptos::prelude::*;

/// Anyone passes; the shop and who is looking (if signed in).
#[cfg(feature = "ssr")]
async fn visitor() -> Result<(crate::services::Shop, Option<crate::domain::account::Principal>), AppError> {
    use super::guard::{Access, guard, shop};
    let who = guard(Access::Anyone).await?;
    Ok((shop()?, who))
}

#[server(endpoint = "catalog/nav")]
pub async fn get_nav() -> Result<NavData, AppError> {
    crate::services::storefront::nav(&visitor().await?.0).await
}

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<HomeData, AppError> {
    let (shop, who) = visitor().await?;
    let home = crate::services::storefront::home(&shop).await;
    shareable_if(who.is_none() && home.is_ok());
    home
}

/// A page rendered for nobody in particular, without error, may be kept by the whole-page cache
/// and served to other visitors without cookies (api/page_cache.rs says what that means).
#[cfg(feature = "ssr")]
fn shareable_if(shareable: bool) {
    if shareable {
        super::page_cache::shareable();
    }
}

/// Every listing parameter arrives as typed in the URL and is parsed forgivingly: unknown
/// sorts, filters and pages fall back to defaults instead of failing. Who is looking feeds the
/// affinity signal, and the platform admin may see why the list is in its order.
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
    let (shop, who) = visitor().await?;
    let filters = Filters::from_params(
        category.as_deref(),
        store.as_deref(),
        price.as_deref(),
        rating.as_deref(),
        stock.as_deref(),
    );
    let (sort, page) = (Sort::from_param(sort.as_deref()), page_from_param(page.as_deref()));
    let listing = crate::services::storefront::category(&shop, who.as_ref(), &slug, filters, sort, page).await;
    shareable_if(who.is_none() && listing.is_ok());
    listing
}

/// A visit is counted (signed-in shopper or anonymous visitor) for the personal-affinity signal
/// and the recommendations.
#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<Option<ProductDetail>, AppError> {
    let (shop, who) = visitor().await?;
    let detail = crate::services::storefront::product(&shop, &slug).await?;
    if let Some(d) = &detail {
        // Buffered and written in batches: the page never waits for it (nor fails over it).
        super::recommendations::record_view(&shop, who.as_ref(), d.id).await;
        // "Only 3 left" changes with every sale, which the catalog version does not follow (it
        // moves when a variant sells out or comes back): such a page is rendered every time.
        use crate::domain::catalog::{StockStatus, stock_status};
        let exact_stock_shown = d.variants.iter().any(|v| matches!(stock_status(v.stock), StockStatus::Low(_)));
        shareable_if(who.is_none() && !exact_stock_shown);
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
    use crate::services::storefront::SearchForm;
    let (shop, who) = visitor().await?;
    let form = SearchForm {
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
    };
    let results = crate::services::storefront::search(&shop, who.as_ref(), form).await;
    shareable_if(who.is_none() && results.is_ok());
    results
}

/// Suggestions for the header search box while the shopper types.
#[server(endpoint = "catalog/suggest")]
pub async fn suggest(q: String) -> Result<Suggestions, AppError> {
    crate::services::storefront::suggest(&visitor().await?.0, &q).await
}

/// A store's public page (`None`: no such open store).
#[server(endpoint = "catalog/store")]
pub async fn get_store_page(slug: String) -> Result<Option<crate::domain::storefront::StorePage>, AppError> {
    let (shop, who) = visitor().await?;
    crate::services::storefront::store_page(&shop, who.as_ref(), &slug).await
}
