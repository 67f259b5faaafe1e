//! The one authorization guard. Every server function starts by calling `guard` with the access
//! it needs; the answer comes from the session cookie looked up in the database, never from
//! anything the browser claims.
use crate::domain::account::Principal;
use crate::domain::client_ip;
use crate::domain::errors::AppError;
use crate::services::{Shop, accounts};
use axum::http::{HeaderMap, HeaderValue, header};
use leptos::prelude::*;

pub const SESSION_COOKIE: &str = "mm_session";

/// Who may call a server function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Anyone,
    SignedIn,
    /// Staff or owner of this store, or a platform admin.
    StoreStaff(i64),
    /// Staff of any store, or a platform admin.
    AnyStoreStaff,
    Admin,
}

pub fn shop() -> Result<Shop, AppError> {
    use_context::<Shop>().ok_or_else(|| {
        tracing::error!("Shop missing from context");
        AppError::server()
    })
}

pub async fn headers() -> HeaderMap {
    leptos_axum::extract::<HeaderMap>().await.unwrap_or_default()
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
        // Anything that is not one of our tokens is treated as no session at all.
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The address throttles key on: the connection's peer, or, when the peer is one of our
/// `TRUSTED_PROXIES`, the right-most address in the forwarding header that none of our proxies
/// wrote (`domain::client_ip`). IPv6 clients are keyed by their /64.
pub async fn client_address(shop: &Shop, headers: &HeaderMap) -> String {
    let Ok(peer) = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await else {
        tracing::warn!("no peer address on the request (serve with ConnectInfo); throttling it as 'unknown'");
        return "unknown".into();
    };
    let auth = &shop.auth;
    let forwarded = if auth.trusted_proxies.is_empty() {
        String::new()
    } else {
        // Repeated header lines form one list, in order (RFC 9110 §5.3).
        let lines: Vec<&str> =
            headers.get_all(auth.client_ip_header.as_str()).iter().filter_map(|v| v.to_str().ok()).collect();
        lines.join(",")
    };
    let ip = client_ip::client_ip(peer.0.ip(), &forwarded, &auth.trusted_proxies);
    client_ip::throttle_key(ip)
}

/// The signed-in user and the stored hash of their session, if any.
pub async fn session() -> Result<Option<(Principal, String)>, AppError> {
    let shop = shop()?;
    match session_token(&headers().await) {
        None => Ok(None),
        Some(token) => accounts::principal_for_token(&shop, &token, accounts::now()).await,
    }
}

pub async fn guard(access: Access) -> Result<Option<Principal>, AppError> {
    if access == Access::Anyone {
        return Ok(session().await?.map(|(p, _)| p));
    }
    let principal = session().await?.map(|(p, _)| p).ok_or(AppError::Unauthenticated)?;
    let allowed = match access {
        Access::Anyone | Access::SignedIn => true,
        Access::StoreStaff(id) => principal.is_admin || principal.works_for(id),
        Access::AnyStoreStaff => principal.is_admin || principal.store.is_some(),
        Access::Admin => principal.is_admin,
    };
    if allowed { Ok(Some(principal)) } else { Err(AppError::Forbidden) }
}

/// `guard` for functions that need someone signed in.
pub async fn require(access: Access) -> Result<Principal, AppError> {
    guard(access).await?.ok_or(AppError::Unauthenticated)
}

pub fn set_session_cookie(token: &str) {
    let shop = use_context::<Shop>();
    let secure = shop.as_ref().is_some_and(|s| s.auth.cookie_secure);
    let max_age = shop.map(|s| s.auth.absolute_secs).unwrap_or(0);
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    append_cookie(&cookie);
}

/// After signing in or up: hand over the new session, merge the guest's cart into the account's,
/// and continue where the visitor was going (to the cart, when the merge has news and the visitor
/// was going nowhere in particular).
pub async fn signed_in(token: &str, next: Option<&str>) {
    set_session_cookie(token);
    let merge_news = super::cart::merge_after_sign_in(token).await;
    let next = if next.is_none() && merge_news { Some("/cart") } else { next };
    crate::api::redirect::redirect(&safe_next(next));
}

pub fn clear_session_cookie() {
    let secure = use_context::<Shop>().is_some_and(|s| s.auth.cookie_secure);
    append_cookie(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    ));
}

pub(crate) fn append_cookie(cookie: &str) {
    if let (Some(res), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(cookie)) {
        res.append_header(header::SET_COOKIE, value);
    }
}

/// Only same-site paths are followed after signing in (no open redirects): the one validator,
/// `domain::safe_path`, decides.
pub fn safe_next(next: Option<&str>) -> String {
    crate::domain::safe_path::local_path_or(next, "/account")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_count() {
        let mut h = HeaderMap::new();
        let token = "a".repeat(64);
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("x=1; {SESSION_COOKIE}={token}")).unwrap());
        assert_eq!(session_token(&h), Some(token));
        h.insert(header::COOKIE, HeaderValue::from_static("mm_session=<script>"));
        assert_eq!(session_token(&h), None);
        assert_eq!(session_token(&HeaderMap::new()), None);
    }

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/account?tab=1")), "/account?tab=1");
        assert_eq!(safe_next(Some("//evil.example")), "/account");
        assert_eq!(safe_next(Some("https://evil.example")), "/account");
        assert_eq!(safe_next(Some("/\\evil.example")), "/account");
        assert_eq!(safe_next(None), "/account");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/account");
        assert_eq!(safe_next(Some("/\u{7f}")), "/account");
    }
}
