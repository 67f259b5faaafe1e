//! Storefront reads: the home page, a category listing, a product page.
use super::catalog_store::{Candidates, CatalogStore, ProductQuery, StoreError, ViewProfile};
use super::listing::ListingRequest;
use crate::domain::catalog::{Category, ProductDetail};
use crate::domain::category_tree;
use crate::domain::facets::Filters;
use crate::domain::listing::Sort;
use crate::domain::slug::is_valid_slug;
use crate::domain::storefront::{CategoryListing, HomeData, NavData};

pub const NEW_ARRIVALS: i64 = 8;

/// The category tree with rolled-up product counts changes rarely, but counting a large catalog
/// per category costs milliseconds on every page's navigation; so it is kept while the catalog
/// version (`CatalogStore::catalog_version`, moved by the database with every change) stays the
/// same: a product published or hidden on any instance shows in the counts on the next request.
#[derive(Default)]
pub struct CategoryCache {
    cached: super::per_version::PerVersion<Vec<Category>>,
}

impl CategoryCache {
    pub async fn get(&self, store: &dyn CatalogStore) -> Result<std::sync::Arc<Vec<Category>>, StoreError> {
        self.cached
            .get(store, || async {
                let mut cats = store.categories().await?;
                category_tree::roll_up_counts(&mut cats);
                Ok(cats)
            })
            .await
    }
}

pub async fn nav(store: &dyn CatalogStore, cache: &CategoryCache) -> Result<NavData, StoreError> {
    let cats = cache.get(store).await?;
    Ok(NavData { categories: category_tree::children(&cats, None) })
}

pub async fn home(store: &dyn CatalogStore, cache: &CategoryCache) -> Result<HomeData, StoreError> {
    let cats = cache.get(store).await?;
    let query = ProductQuery {
        category_ids: None,
        ids: None,
        sort: Sort::Newest,
        offset: 0,
        limit: NEW_ARRIVALS,
        in_stock_only: true,
    };
    let new_arrivals = store.list_products(&query).await?;
    Ok(HomeData { categories: category_tree::children(&cats, None), new_arrivals })
}

/// `None` when no category has this slug (the page answers 404).
#[allow(clippy::too_many_arguments)]
pub async fn category_listing(
    store: &dyn CatalogStore,
    cache: &CategoryCache,
    rows: &super::listing::ListingCache,
    slug: &str,
    filters: Filters,
    sort: Sort,
    requested_page: u32,
    viewer: Option<ViewProfile>,
    can_explain: bool,
) -> Result<Option<CategoryListing>, StoreError> {
    if !is_valid_slug(slug) {
        return Ok(None);
    }
    let cats = cache.get(store).await?;
    let Some(category) = cats.iter().find(|c| c.slug == slug).cloned() else {
        return Ok(None);
    };
    let request = ListingRequest {
        candidates: Candidates::Categories(category_tree::subtree_ids(&cats, category.id)),
        relevance: None,
        filters,
        sort,
        page: requested_page,
        category_facet: false,
        viewer,
        can_explain,
        weights: None,
    };
    let listing = super::listing::list(store, &cats, rows, request).await?;
    Ok(Some(CategoryListing {
        breadcrumbs: category_tree::path_to(&cats, category.id),
        subcategories: category_tree::children(&cats, Some(category.id)),
        category,
        listing,
    }))
}

/// `None` when no published product has this slug.
pub async fn product(
    store: &dyn CatalogStore,
    cache: &CategoryCache,
    slug: &str,
) -> Result<Option<ProductDetail>, StoreError> {
    if !is_valid_slug(slug) {
        return Ok(None);
    }
    let Some(stored) = store.product_by_slug(slug).await? else {
        return Ok(None);
    };
    let cats = cache.get(store).await?;
    let mut detail = stored.detail;
    detail.breadcrumbs = category_tree::path_to(&cats, stored.category_id);
    detail.description_html = crate::domain::markdown::to_safe_html(&detail.description);
    Ok(Some(detail))
}
