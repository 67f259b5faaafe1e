//! The cart page and the answer to an add.
use crate::domain::cart::{CartNotice, CartSummary};
use serde::{Deserialize, Serialize};

/// What the cart page shows for a line besides the rules' `CartLine`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInfo {
    pub variant_id: i64,
    pub product_title: String,
    pub variant_title: String,
    pub product_slug: String,
    pub image_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartPage {
    /// Lines grouped by merchant, with subtotals, total and the number of units.
    pub summary: CartSummary,
    pub info: Vec<LineInfo>,
    /// Lines that need attention before checkout (unavailable, sold out, short, repriced).
    pub notices: Vec<CartNotice>,
    pub can_check_out: bool,
    /// One-off messages, e.g. what was capped when a guest cart merged at sign-in.
    pub flash: Vec<String>,
}

impl CartPage {
    pub fn info(&self, variant_id: i64) -> Option<&LineInfo> {
        self.info.iter().find(|i| i.variant_id == variant_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartAdded {
    /// Units of this variant now in the cart.
    pub in_cart: i64,
    /// Units in the whole cart, for the header badge.
    pub item_count: i64,
    /// Why the cart holds fewer than asked for.
    pub capped: Option<String>,
}
