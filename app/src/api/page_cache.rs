//! What a page tells the server's whole-page cache (server/src/page_cache.rs) while it renders.
//! The cache only ever keeps pages asked for without any of the shop's cookies, so what it keeps
//! is what every such visitor would be shown; a page opts in with `shareable` once its content
//! depends on nothing but the URL and the catalog (whose version the cache checks on every
//! request), and anything that makes this rendering a poor copy — an error shown, a number the
//! catalog version does not follow — calls `private`, which wins. These are response headers
//! the cache reads and removes; they never reach the browser.
use http::header::{HeaderName, HeaderValue};
use leptos::prelude::use_context;

/// The response header carrying `shareable` / `private`.
pub const MARK: &str = "x-shop-page-cache";
/// The product a shareable page recorded a view of: a copy served later records one too.
pub const VIEWED: &str = "x-shop-view";

fn mark(value: &'static str) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.append_header(HeaderName::from_static(MARK), HeaderValue::from_static(value));
    }
}

/// This rendering may be served to any visitor without cookies until the catalog changes.
pub fn shareable() {
    mark("shareable");
}

/// This rendering must not be served to anyone else (it shows an error, or a number the catalog
/// version does not move with).
pub fn private() {
    mark("private");
}

/// Says which product this rendering counted a visit of.
pub fn viewed(product_id: i64) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(HeaderName::from_static(VIEWED), HeaderValue::from(product_id));
    }
}
