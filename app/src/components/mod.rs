//! Reusable view pieces.
pub mod admin_nav;
pub mod breadcrumbs;
pub mod cart;
pub mod forbidden;
pub mod form;
pub mod layout;
pub mod listing;
pub mod pagination;
pub mod price;
pub mod product_card;
pub mod product_images;
pub mod recommendations;
pub mod reviews;
pub mod search_box;
pub mod shipments;
pub mod status;
pub mod table;
