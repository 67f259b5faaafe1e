//! The shopping cart. Anyone may use these; each caller only ever reaches their own cart: a
//! signed-in shopper's by their session, a guest's by the `mm_cart` cookie (a random token of
//! which the database only holds the SHA-256). No cart id ever comes from the request.
use crate::domain::errors::AppError;
use crate::views::cart::{CartAdded, CartPage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) mod cookie {
    //! The guest cart cookie and the one-off "flash" cookie that carries merge notices to the
    //! cart page. Attributes mirror the session cookie's (`guard::set_session_cookie`).
    use crate::services::Shop;
    use axum::http::{HeaderMap, header};

    pub const CART_COOKIE: &str = "mm_cart";
    pub const FLASH_COOKIE: &str = "mm_cart_flash";
    pub const NOTICE_COOKIE: &str = "mm_cart_notice";
    const CART_MAX_AGE: i64 = 30 * 24 * 3600;
    const FLASH_MAX_AGE: i64 = 600;

    fn read(headers: &HeaderMap, name: &str) -> Option<String> {
        crate::api::guard::cookie(headers, name)
    }

    /// The guest's cart token, when it is one of ours in shape (43 base64url characters).
    pub fn guest_token(headers: &HeaderMap) -> Option<String> {
        read(headers, CART_COOKIE)
            .filter(|t| t.len() == 43 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    }

    /// A new random 256-bit token, base64url without padding.
    pub fn new_token() -> String {
        base64url(&crate::services::random::bytes::<32>())
    }

    pub fn base64url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn attributes(shop: Option<&Shop>, max_age: i64) -> String {
        let secure = shop.is_some_and(|s| s.auth.cookie_secure);
        format!("Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if secure { "; Secure" } else { "" })
    }

    pub fn set_guest(shop: &Shop, token: &str) {
        crate::api::guard::append_cookie(&format!("{CART_COOKIE}={token}; {}", attributes(Some(shop), CART_MAX_AGE)));
    }

    pub fn clear_guest(shop: &Shop) {
        crate::api::guard::append_cookie(&format!("{CART_COOKIE}=; {}", attributes(Some(shop), 0)));
    }

    /// Messages as hex of their UTF-8, joined by newlines: the cookie stays ASCII. At most a few,
    /// so the cookie stays small.
    pub fn set_flash(shop: &Shop, messages: &[String]) {
        set_messages(shop, FLASH_COOKIE, messages);
    }

    /// The flash messages, if any; they are cleared as they are read.
    pub fn take_flash(shop: &Shop, headers: &HeaderMap) -> Vec<String> {
        take_messages(shop, headers, FLASH_COOKIE)
    }

    /// The one-off confirmation of an add from a product card, for the page the shopper posted
    /// from (kept apart from the cart page's flash so neither page eats the other's messages).
    pub fn set_notice(shop: &Shop, messages: &[String]) {
        set_messages(shop, NOTICE_COOKIE, messages);
    }

    pub fn take_notice(shop: &Shop, headers: &HeaderMap) -> Vec<String> {
        take_messages(shop, headers, NOTICE_COOKIE)
    }

    fn set_messages(shop: &Shop, name: &str, messages: &[String]) {
        let text: String = messages.iter().take(6).map(|m| m.replace('\n', " ")).collect::<Vec<_>>().join("\n");
        let text: String = text.chars().take(1200).collect();
        let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
        crate::api::guard::append_cookie(&format!("{name}={hex}; {}", attributes(Some(shop), FLASH_MAX_AGE)));
    }

    fn take_messages(shop: &Shop, headers: &HeaderMap, name: &str) -> Vec<String> {
        let Some(hex) = read(headers, name).filter(|h| !h.is_empty()) else {
            return Vec::new();
        };
        crate::api::guard::append_cookie(&format!("{name}=; {}", attributes(Some(shop), 0)));
        let bytes: Option<Vec<u8>> =
            (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
        let text = bytes.and_then(|b| String::from_utf8(b).ok()).unwrap_or_default();
        text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
    }

    /// Where a plain form post asked to go back to: a path on this site (never another host),
    /// without the `__path`/`__err` parameters an earlier refused post left in the address.
    pub fn return_path(raw: &str) -> Option<String> {
        let raw = crate::domain::safe_path::local_path(raw)?;
        let (path, query) = raw.split_once('?').unwrap_or((raw.as_str(), ""));
        let query: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("__path=") && !p.starts_with("__err="))
            .collect();
        Some(if query.is_empty() { path.to_string() } else { format!("{path}?{}", query.join("&")) })
    }

    /// A plain form post (no JavaScript) wants a page back, not data.
    pub fn is_form_post(headers: &HeaderMap) -> bool {
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn tokens_are_43_base64url_characters() {
            assert_eq!(base64url(b"Man"), "TWFu");
            assert_eq!(base64url(b"Ma"), "TWE");
            assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
            let t = new_token();
            assert_eq!(t.len(), 43);
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, format!("a=1; {CART_COOKIE}={t}").parse().unwrap());
            assert_eq!(guest_token(&h), Some(t));
            h.insert(header::COOKIE, "mm_cart=<script>".parse().unwrap());
            assert_eq!(guest_token(&h), None);
        }

        #[test]
        fn only_paths_on_this_site_are_returned_to() {
            assert_eq!(
                return_path("/c/t-shirts-tops?sort=price_asc&page=2").as_deref(),
                Some("/c/t-shirts-tops?sort=price_asc&page=2")
            );
            assert_eq!(
                return_path("/search?q=mug&__path=%2Fapi%2Fcart%2Fadd&__err=abc").as_deref(),
                Some("/search?q=mug")
            );
            assert_eq!(return_path("/?__err=x").as_deref(), Some("/"));
            for bad in
                ["", "https://evil.example/", "//evil.example/", "/\\evil.example", "c/x", "/a\r\nSet-Cookie: x=1"]
            {
                assert_eq!(return_path(bad), None, "{bad:?}");
            }
        }
    }
}

/// The caller's cart owner: the signed-in user, else the guest cookie's hash, else nobody yet.
#[cfg(feature = "ssr")]
pub(crate) async fn caller() -> Result<
    (crate::services::Shop, axum::http::HeaderMap, Option<crate::domain::account::Principal>, Option<String>),
    AppError,
> {
    use super::guard::{Access, guard, headers, shop};
    let who = guard(Access::Anyone).await?;
    let headers = headers().await;
    let guest_hash = if who.is_some() {
        None
    } else {
        cookie::guest_token(&headers).map(|t| crate::services::passwords::token_hash(&t))
    };
    Ok((shop()?, headers, who, guest_hash))
}

#[cfg(feature = "ssr")]
pub(crate) fn owner<'a>(
    who: &Option<crate::domain::account::Principal>,
    guest_hash: &'a Option<String>,
) -> Option<crate::services::cart_store::CartOwner<'a>> {
    use crate::services::cart_store::CartOwner;
    match (who, guest_hash) {
        (Some(p), _) => Some(CartOwner::User(p.user_id)),
        (None, Some(hash)) => Some(CartOwner::Guest(hash)),
        (None, None) => None,
    }
}

/// The caller's cart, grouped by merchant, with what needs attention before checkout.
#[server(endpoint = "cart/view")]
pub async fn get_cart() -> Result<CartPage, AppError> {
    let (shop, headers, who, guest) = caller().await?;
    let flash = cookie::take_flash(&shop, &headers);
    crate::services::cart::view(&shop, owner(&who, &guest), flash).await
}

/// Units in the caller's cart (the header badge).
#[server(endpoint = "cart/count")]
pub async fn cart_count() -> Result<i64, AppError> {
    let (shop, _, who, guest) = caller().await?;
    crate::services::cart::count(&shop, owner(&who, &guest)).await
}

/// Adds a variant to the caller's cart; a guest without a cart gets one (and its cookie). Posted
/// as a plain form, it continues to the cart page, or with `return_to` (a product card's form)
/// back to the page it was posted from, which then says what was added.
#[server(endpoint = "cart/add")]
pub async fn add_to_cart(
    variant_id: i64,
    quantity: Option<String>,
    return_to: Option<String>,
) -> Result<CartAdded, AppError> {
    let (shop, headers, who, mut guest) = caller().await?;
    let quantity = quantity.unwrap_or_else(|| "1".into());
    let mut new_token = None;
    if who.is_none() && guest.is_none() {
        let token = cookie::new_token();
        guest = Some(crate::services::passwords::token_hash(&token));
        new_token = Some(token);
    }
    let owner = owner(&who, &guest).ok_or_else(AppError::server)?;
    let added = crate::services::cart::add(&shop, owner, variant_id, &quantity).await?;
    if let Some(token) = new_token {
        cookie::set_guest(&shop, &token);
    }
    if cookie::is_form_post(&headers) {
        match return_to.as_deref().and_then(cookie::return_path) {
            Some(back) => {
                cookie::set_notice(&shop, &[added_message(&added)]);
                crate::api::redirect::redirect(&back);
            }
            None => {
                if let Some(message) = &added.capped {
                    cookie::set_flash(&shop, std::slice::from_ref(message));
                }
                crate::api::redirect::redirect("/cart");
            }
        }
    }
    Ok(added)
}

/// What an add did, in words: how many are in the cart now, or why fewer than asked for.
pub fn added_message(added: &CartAdded) -> String {
    match &added.capped {
        Some(message) => message.clone(),
        None => format!("Added to your cart ({} of this item in your cart).", added.in_cart),
    }
}

/// The confirmation of a plain-form add from a product card, read (and cleared) while the page it
/// returned to renders on the server.
#[cfg(feature = "ssr")]
pub async fn take_added_notice() -> Vec<String> {
    let Ok(shop) = super::guard::shop() else { return Vec::new() };
    let headers = super::guard::headers().await;
    cookie::take_notice(&shop, &headers)
}

/// Sets the quantity of a line in the caller's cart; "0" removes it.
#[server(endpoint = "cart/update")]
pub async fn update_cart_line(variant_id: i64, quantity: String) -> Result<(), AppError> {
    let (shop, _, who, guest) = caller().await?;
    crate::services::cart::update(&shop, owner(&who, &guest), variant_id, &quantity).await
}

#[server(endpoint = "cart/remove")]
pub async fn remove_cart_line(variant_id: i64) -> Result<(), AppError> {
    let (shop, _, who, guest) = caller().await?;
    crate::services::cart::remove(&shop, owner(&who, &guest), variant_id).await
}

/// Called once a session starts (sign-in or sign-up): the guest's cart joins the account's, the
/// guest cookie goes, and anything capped is kept for the cart page. Returns whether there is
/// something to tell. A failure keeps the guest cart (and its cookie) for the next sign-in and
/// does not fail the sign-in.
#[cfg(feature = "ssr")]
pub async fn merge_after_sign_in(session_token: &str) -> bool {
    let Ok(shop) = super::guard::shop() else { return false };
    let headers = super::guard::headers().await;
    let Some(guest) = cookie::guest_token(&headers) else { return false };
    let hash = crate::services::passwords::token_hash(&guest);
    match crate::services::cart::merge_at_sign_in(&shop, session_token, &hash).await {
        Ok(None) => false,
        Ok(Some(messages)) => {
            cookie::clear_guest(&shop);
            if !messages.is_empty() {
                let mut flash = vec!["The cart from before you signed in was added to your cart.".to_string()];
                flash.extend(messages.iter().cloned());
                cookie::set_flash(&shop, &flash);
            }
            !messages.is_empty()
        }
        Err(e) => {
            tracing::warn!(error = %e, "guest cart could not be merged at sign-in");
            false
        }
    }
}
