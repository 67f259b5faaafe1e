//! One module per page.
pub mod account;
pub mod admin;
pub mod analytics;
pub mod auth;
pub mod cart;
pub mod category;
pub mod checkout;
pub mod forbidden;
pub mod home;
pub mod not_found;
pub mod order;
pub mod product;
pub mod product_edit;
pub mod products;
pub mod search;
pub mod store_orders;
pub mod track;
