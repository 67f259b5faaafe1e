//! One module per page.
pub mod account;
pub mod admin;
pub mod auth;
pub mod category;
pub mod forbidden;
pub mod home;
pub mod not_found;
pub mod product;
pub mod search;
