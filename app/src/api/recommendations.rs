//! Recommendation reads for the product, cart and home pages. Anyone may call these; what a
//! signed-in shopper gets depends only on their own history.
use crate::domain::catalog::ProductCard;
use crate::domain::errors::AppError;
use crate::views::recommendations::ForYouBlock;
use leptos::prelude::*;

/// "Customers also bought": the product's stored neighbours, filled up with popular products.
#[server(endpoint = "recs/also-bought")]
pub async fn also_bought(product_id: i64) -> Result<Vec<ProductCard>, AppError> {
    use super::guard::{Access, guard, shop};
    guard(Access::Anyone).await?;
    crate::services::recommendations::for_product(&shop()?, product_id).await
}

/// "Frequently bought together": neighbours of what is in the caller's cart, minus the cart
/// (nothing for an empty cart).
#[server(endpoint = "recs/together")]
pub async fn together() -> Result<Vec<ProductCard>, AppError> {
    let (shop, _, who, guest) = super::cart::caller().await?;
    crate::services::recommendations::for_cart(&shop, super::cart::owner(&who, &guest)).await
}

/// "Recommended for you": from a signed-in shopper's history, or a visitor's own views (by their
/// visitor or guest-cart cookie); popular products when nothing is known.
#[server(endpoint = "recs/for-you")]
pub async fn for_you() -> Result<ForYouBlock, AppError> {
    use super::guard::{Access, guard, shop};
    use crate::services::recommendations::{Asker, for_visitor};
    let who = guard(Access::Anyone).await?;
    let visitor = if who.is_none() { visitor_hash(&super::guard::headers().await) } else { None };
    let asker = match (&who, &visitor) {
        (Some(p), _) => Asker::Shopper(p.user_id),
        (None, Some(hash)) => Asker::Visitor(hash),
        (None, None) => Asker::Nobody,
    };
    for_visitor(&shop()?, asker).await
}

/// "Buy it again": a signed-in shopper's own purchases still on sale; empty for anyone else.
#[server(endpoint = "recs/buy-again")]
pub async fn buy_again() -> Result<Vec<ProductCard>, AppError> {
    use super::guard::{Access, guard, shop};
    let who = guard(Access::Anyone).await?;
    crate::services::recommendations::buy_again_for(&shop()?, who.map(|p| p.user_id)).await
}

/// Queues a product view for the signals (never waits for the database): a signed-in shopper's
/// by user, anyone else's by the SHA-256 of their visitor cookie, else of their guest-cart cookie;
/// a visitor with neither gets a random first-party visitor cookie.
#[cfg(feature = "ssr")]
pub(crate) async fn record_view(
    shop: &crate::services::Shop,
    who: Option<&crate::domain::account::Principal>,
    product_id: i64,
) {
    use crate::services::recommendation_store::Viewer;
    let viewer = match who {
        Some(p) => Viewer::User(p.user_id),
        None => {
            let headers = super::guard::headers().await;
            match visitor_cookie(&headers) {
                Some(token) => Viewer::Visitor(crate::services::passwords::token_hash(&token)),
                None => {
                    super::guard::append_cookie(&first_visit_view(shop, product_id));
                    // A copy of this page served from the page cache records its own view.
                    super::page_cache::viewed(product_id);
                    return;
                }
            }
        }
    };
    crate::services::recommendations::record_view(shop, viewer, product_id);
}

/// A visitor without a cookie viewed a product: they get a random first-party visitor cookie
/// (the returned `Set-Cookie` value) and the view is queued under its hash. Used while rendering
/// and by the page cache when it serves a kept copy of a product page.
#[cfg(feature = "ssr")]
pub fn first_visit_view(shop: &crate::services::Shop, product_id: i64) -> String {
    use crate::services::recommendation_store::Viewer;
    let token = super::cart::cookie::new_token();
    let secure = if shop.auth.cookie_secure { "; Secure" } else { "" };
    let hash = crate::services::passwords::token_hash(&token);
    crate::services::recommendations::record_view(shop, Viewer::Visitor(hash), product_id);
    format!("{VISITOR_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={VISITOR_MAX_AGE}{secure}")
}

#[cfg(feature = "ssr")]
pub const VISITOR_COOKIE: &str = "mm_visitor";
#[cfg(feature = "ssr")]
const VISITOR_MAX_AGE: i64 = 180 * 24 * 3600;

/// The token a visitor's views are recorded under: their visitor cookie, else their guest-cart cookie.
#[cfg(feature = "ssr")]
fn visitor_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    visitor_token(headers).or_else(|| super::cart::cookie::guest_token(headers))
}

/// The hash a visitor's views are stored under, if they have a cookie to record them by.
#[cfg(feature = "ssr")]
fn visitor_hash(headers: &axum::http::HeaderMap) -> Option<String> {
    visitor_cookie(headers).map(|t| crate::services::passwords::token_hash(&t))
}

/// The visitor cookie, when it is one of ours in shape (43 base64url characters).
#[cfg(feature = "ssr")]
fn visitor_token(headers: &axum::http::HeaderMap) -> Option<String> {
    super::guard::cookie(headers, VISITOR_COOKIE)
        .filter(|t| t.len() == 43 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}
