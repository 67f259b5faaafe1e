//! What each storefront page receives from the server, in one serialisable value, so the
//! browser hydrates exactly what the server rendered.
use super::catalog::{Category, ProductCard};
use super::facets::{Facets, Filters};
use super::listing::{Page, Sort};
use super::ranking::Score;
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
    pub listing: Listing,
}

/// A product in a ranked list with the score that placed it there (ranked sorts only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankedCard {
    pub card: ProductCard,
    pub score: Option<Score>,
}

/// One page of a filtered, ordered product list with its facet counts. The server computes the
/// order; the browser hydrates this value and renders the same order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub products: Page<RankedCard>,
    pub facets: Facets,
    pub filters: Filters,
    pub sort: Sort,
    /// The viewer may see "why this order" (the platform admin).
    pub can_explain: bool,
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
    /// How many products match, counted up to a cap; more than the listing holds means only
    /// the best (or, for very common words, the newest) matches are listed.
    pub matches: i64,
    pub listing: Listing,
}

/// What the header search box offers while the shopper types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    /// Completed queries, best first.
    pub queries: Vec<String>,
    pub products: Vec<ProductCard>,
}

/// `/s/{store}`: a store's public page — who it is, how shoppers rate it, how it ships, and its
/// products (best first; the rest through the search page filtered to the store).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StorePage {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub support_email: String,
    /// The average rating of its products' reviews, and how many there are.
    pub rating: Option<f64>,
    pub review_count: i64,
    /// One line per shipping zone ("UK (GB, IE): 3.50"), or the marketplace's default.
    pub shipping: Vec<String>,
    pub products: Vec<RankedCard>,
    /// How many of its products are on sale.
    pub product_count: i64,
}
