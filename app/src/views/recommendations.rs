//! Recommendation blocks.
use crate::domain::catalog::ProductCard;
use serde::{Deserialize, Serialize};

/// The home page's block: personal predictions, or popular products when there is nothing to
/// personalise from (then titled differently).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForYouBlock {
    pub personal: bool,
    pub products: Vec<ProductCard>,
}
