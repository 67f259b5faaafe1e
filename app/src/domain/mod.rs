//! Pure shop rules shared by server and browser: no Leptos, no sqlx, unit-tested.
// Outside input reaches this code: slicing a `str` by byte offsets panics inside a multi-byte
// character (a tracking number once stopped the server so). `make test` runs clippy for this.
#![deny(clippy::string_slice)]
pub mod account;
pub mod address;
pub mod admin_pages;
pub mod analytics;
pub mod card;
pub mod carriers;
pub mod cart;
pub mod catalog;
pub mod category_tree;
pub mod checkout;
pub mod client_ip;
pub mod dates;
pub mod discounts;
pub mod errors;
pub mod facets;
pub mod fulfilment;
pub mod gateway;
pub mod hosted_payment;
pub mod idempotency;
pub mod inventory;
pub mod listing;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod money;
pub mod notification;
pub mod order;
pub mod order_search;
pub mod paging;
pub mod payment;
pub mod payouts;
pub mod product_csv;
pub mod product_form;
pub mod product_image;
pub mod ranking;
pub mod ranking_preview;
pub mod recommend;
pub mod refund;
pub mod returns;
pub mod review;
pub mod safe_path;
pub mod search;
pub mod shipment;
pub mod shipping_zones;
pub mod slug;
pub mod staff;
#[cfg(test)]
pub(crate) mod state_tables;
pub mod storefront;
#[cfg(test)]
pub(crate) mod test_input;
pub mod tracking;
pub mod webhook;
