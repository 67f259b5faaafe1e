//! Reusable view pieces.
pub mod breadcrumbs;
pub mod form;
pub mod layout;
pub mod pagination;
pub mod price;
pub mod product_card;
pub mod status;
