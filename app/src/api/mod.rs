//! Server functions, grouped by capability. Each is thin: pass the guard, call a service,
//! return `AppError` (which tells the user what to do, never how the server failed).
//! Endpoints are named explicitly so the authorization matrix test can list them.
// Outside input reaches this code: slicing a `str` by byte offsets panics inside a multi-byte
// character (a tracking number once stopped the server so). `make test` runs clippy for this.
#![deny(clippy::string_slice)]
pub mod account;
pub mod admin;
pub mod analytics;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod discounts;
pub mod fulfilment;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod inventory;
#[cfg(feature = "ssr")]
pub mod page_cache;
pub mod payments;
pub mod payouts;
pub mod pricing;
pub mod product_images;
pub mod product_import;
pub mod products;
pub mod recommendations;
#[cfg(feature = "ssr")]
pub mod redirect;
pub mod reviews;
pub mod staff;
pub mod store_orders;
pub mod store_reviews;
pub mod store_settings;
pub mod tracking;
pub mod users;

use crate::domain::errors::AppError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Bad or missing arguments: the request, not the server, is wrong.
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::one("form", format!("The form was incomplete or malformed: {msg}"))
            }
            other => {
                // The detail stays in the log; the user sees the generic message.
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                AppError::Server(other.to_string())
            }
        }
    }
}
