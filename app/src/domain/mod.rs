//! Pure shop rules shared by server and browser: no Leptos, no sqlx, unit-tested.
pub mod account;
pub mod address;
pub mod card;
pub mod catalog;
pub mod category_tree;
pub mod errors;
pub mod facets;
pub mod idempotency;
pub mod listing;
pub mod money;
pub mod order;
pub mod payment;
pub mod ranking;
pub mod review;
pub mod search;
pub mod slug;
pub mod storefront;
