//! What each storefront page receives from the server, in one serialisable value, so the
//! browser hydrates exactly what the server rendered.
use super::catalog::{Category, ProductCard};
use super::listing::{Page, Sort};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeData {
    /// Top-level categories, counts including their subcategories.
    pub categories: Vec<Category>,
    pub new_arrivals: Vec<ProductCard>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryListing {
    pub category: Category,
    /// Root first, this category last.
    pub breadcrumbs: Vec<Category>,
    pub subcategories: Vec<Category>,
    pub sort: Sort,
    pub products: Page<ProductCard>,
}

/// The top navigation: the root categories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NavData {
    pub categories: Vec<Category>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// Set when nothing matched as typed and a typo-corrected query was searched instead.
    pub corrected: Option<String>,
    pub products: Page<ProductCard>,
}
