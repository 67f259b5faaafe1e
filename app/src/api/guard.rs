//! The one authorization guard. Every server function starts by calling `guard` (`require`,
//! `acting_store`, `store_or_marketplace`) with the access it needs; plain axum routes (uploads,
//! CSV files) call `check`, or `caller` then `decide` when the access depends on what they load.
//! All of them end in `decide`, the one place the rules are written. The caller comes from the
//! session cookie looked up in the database, never from anything the browser claims.
use crate::domain::account::{Principal, StoreRole};
use crate::domain::client_ip;
use crate::domain::errors::AppError;
use crate::services::{Shop, accounts};
use axum::http::{HeaderMap, HeaderValue, header};
use leptos::prelude::*;

pub const SESSION_COOKIE: &str = "mm_session";

/// Who may call a server function (or a plain route: `check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Anyone,
    SignedIn,
    /// Staff or owner of this store, or a platform admin.
    StoreStaff(i64),
    /// Staff of any store, or a platform admin.
    AnyStoreStaff,
    Admin,
    /// Acting for a store: the one named (its staff or a platform admin), else the caller's own
    /// store. A platform admin without a store must name one.
    ActingStore(Option<i64>),
    /// As `ActingStore`, except that a platform admin naming no store acts for the whole
    /// marketplace (the payments pages).
    StoreOrMarketplace(Option<i64>),
    /// A store's product (`Some(store)`), or a product that does not exist (`None`): who may not
    /// see products at all is told so first (Forbidden), the rest learn it is missing.
    ProductOf(Option<i64>),
    /// As `ActingStore`, but only the store's owner (or a platform admin naming it): its money,
    /// its settings and who works there are the owner's business, not every staff member's.
    StoreOwner(Option<i64>),
    /// As `StoreOwner`, except that a platform admin naming no store acts for the whole
    /// marketplace (the settings page's marketplace half).
    OwnerOrMarketplace(Option<i64>),
}

/// What the guard let through: who is calling (nobody, for `Anyone` without a session) and, for
/// the acting-store accesses, the store acted for (`None` with `StoreOrMarketplace`: the whole
/// marketplace).
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    pub principal: Option<Principal>,
    pub store: Option<i64>,
}

/// The guard's decision from the caller alone, with no I/O: server functions (`guard`) and plain
/// axum routes (`check`) both end here, so the rules exist once.
pub fn decide(who: Option<Principal>, access: Access) -> Result<Pass, AppError> {
    if access == Access::Anyone {
        return Ok(Pass { principal: who, store: None });
    }
    let p = who.ok_or(AppError::Unauthenticated)?;
    let staff = |id: i64| p.is_admin || p.works_for(id);
    let any_staff = p.is_admin || p.store.is_some();
    let own = p.store.as_ref().map(|s| s.merchant_id);
    let owner = |id: i64| p.is_admin || p.owns(id);
    // The caller's own store when they own it (staff of a store do not count as its owner).
    let owned = p.store.as_ref().filter(|s| s.role == StoreRole::Owner).map(|s| s.merchant_id);
    let store = match access {
        Access::Anyone | Access::SignedIn => None,
        Access::StoreStaff(id) if staff(id) => Some(id),
        Access::AnyStoreStaff if any_staff => own,
        Access::Admin if p.is_admin => None,
        Access::ActingStore(Some(id)) | Access::StoreOrMarketplace(Some(id)) if staff(id) => Some(id),
        Access::ActingStore(None) if any_staff => {
            Some(own.ok_or_else(|| AppError::one("store", "Choose a store to see its orders."))?)
        }
        Access::StoreOrMarketplace(None) if any_staff => own,
        Access::ProductOf(Some(id)) if staff(id) => Some(id),
        Access::ProductOf(None) if any_staff => {
            return Err(AppError::NotFound("We couldn't find that product.".into()));
        }
        Access::StoreOwner(Some(id)) | Access::OwnerOrMarketplace(Some(id)) if owner(id) => Some(id),
        Access::StoreOwner(None) if owned.is_some() => owned,
        Access::StoreOwner(None) if p.is_admin => {
            Some(own.ok_or_else(|| AppError::one("store", "Choose a store to act for."))?)
        }
        Access::OwnerOrMarketplace(None) if owned.is_some() => owned,
        Access::OwnerOrMarketplace(None) if p.is_admin => own,
        _ => return Err(AppError::Forbidden),
    };
    Ok(Pass { principal: Some(p), store })
}

/// The shop of this request. Missing only when code runs outside a request's reactive owner (a
/// future that outlived its request): the log line names the caller so it can be found.
#[track_caller]
pub fn shop() -> Result<Shop, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<Shop>().ok_or_else(|| {
        tracing::error!(%caller, "Shop missing from context");
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

/// The signed-in user of the request with these headers and the stored hash of their session,
/// if any: looked up in the database, never taken from anything the browser claims.
pub async fn caller(shop: &Shop, headers: &HeaderMap) -> Result<Option<(Principal, String)>, AppError> {
    match session_token(headers) {
        None => Ok(None),
        Some(token) => accounts::principal_for_token(shop, &token, shop.clock.now()).await,
    }
}

/// The signed-in user and the stored hash of their session, if any.
pub async fn session() -> Result<Option<(Principal, String)>, AppError> {
    caller(&shop()?, &headers().await).await
}

/// The guard for plain axum routes (uploads, CSV files): the request's session, then `decide`.
pub async fn check(shop: &Shop, headers: &HeaderMap, access: Access) -> Result<Pass, AppError> {
    decide(caller(shop, headers).await?.map(|(p, _)| p), access)
}

/// The guard for server functions.
pub async fn pass(access: Access) -> Result<Pass, AppError> {
    decide(session().await?.map(|(p, _)| p), access)
}

pub async fn guard(access: Access) -> Result<Option<Principal>, AppError> {
    Ok(pass(access).await?.principal)
}

/// `guard` for functions that need someone signed in.
pub async fn require(access: Access) -> Result<Principal, AppError> {
    guard(access).await?.ok_or(AppError::Unauthenticated)
}

/// `Access::ActingStore`: the caller and the store they act for.
pub async fn acting_store(merchant_id: Option<i64>) -> Result<(Principal, i64), AppError> {
    match pass(Access::ActingStore(merchant_id)).await? {
        Pass { principal: Some(p), store: Some(store) } => Ok((p, store)),
        _ => Err(AppError::Forbidden),
    }
}

/// `Access::StoreOwner`: the caller and the store they own (or, as platform admin, act for).
pub async fn store_owner(merchant_id: Option<i64>) -> Result<(Principal, i64), AppError> {
    match pass(Access::StoreOwner(merchant_id)).await? {
        Pass { principal: Some(p), store: Some(store) } => Ok((p, store)),
        _ => Err(AppError::Forbidden),
    }
}

/// `Access::OwnerOrMarketplace`: the caller and the store they own (`None`: the marketplace).
pub async fn owner_or_marketplace(merchant_id: Option<i64>) -> Result<(Principal, Option<i64>), AppError> {
    let Pass { principal, store } = pass(Access::OwnerOrMarketplace(merchant_id)).await?;
    Ok((principal.ok_or(AppError::Unauthenticated)?, store))
}

/// `Access::StoreOrMarketplace`: the caller and the store they act for (`None`: the marketplace).
pub async fn store_or_marketplace(merchant_id: Option<i64>) -> Result<(Principal, Option<i64>), AppError> {
    let Pass { principal, store } = pass(Access::StoreOrMarketplace(merchant_id)).await?;
    Ok((principal.ok_or(AppError::Unauthenticated)?, store))
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

    fn who(is_admin: bool, store: Option<i64>) -> Option<Principal> {
        who_as(is_admin, store, StoreRole::Staff)
    }

    fn who_as(is_admin: bool, store: Option<i64>, role: StoreRole) -> Option<Principal> {
        use crate::domain::account::StoreMembership;
        Some(Principal {
            user_id: 1,
            email: "a@example.test".into(),
            display_name: "A".into(),
            is_admin,
            store: store.map(|merchant_id| StoreMembership {
                merchant_id,
                merchant_name: "S".into(),
                merchant_slug: "s".into(),
                merchant_status: crate::domain::account::MerchantStatus::Active,
                role,
            }),
            email_verified: true,
        })
    }

    fn store_of(who: Option<Principal>, access: Access) -> Result<Option<i64>, u16> {
        decide(who, access).map(|p| p.store).map_err(|e| e.status())
    }

    #[test]
    fn acting_store_is_named_or_own() {
        use Access::*;
        let (shopper, staff, admin) = (who(false, None), who(false, Some(7)), who(true, None));
        assert_eq!(store_of(None, ActingStore(Some(7))), Err(401));
        assert_eq!(store_of(shopper.clone(), ActingStore(None)), Err(403));
        assert_eq!(store_of(staff.clone(), ActingStore(None)), Ok(Some(7)));
        assert_eq!(store_of(staff.clone(), ActingStore(Some(7))), Ok(Some(7)));
        assert_eq!(store_of(staff.clone(), ActingStore(Some(8))), Err(403));
        assert_eq!(store_of(admin.clone(), ActingStore(Some(8))), Ok(Some(8)));
        // The platform admin must name a store, except on the marketplace-wide payments pages.
        assert_eq!(store_of(admin.clone(), ActingStore(None)), Err(422));
        assert_eq!(store_of(admin.clone(), StoreOrMarketplace(None)), Ok(None));
        assert_eq!(store_of(staff.clone(), StoreOrMarketplace(None)), Ok(Some(7)));
        assert_eq!(store_of(shopper.clone(), StoreOrMarketplace(None)), Err(403));
        // A missing product: Forbidden for shoppers, not found for staff.
        assert_eq!(store_of(shopper, ProductOf(None)), Err(403));
        assert_eq!(store_of(staff.clone(), ProductOf(None)), Err(404));
        assert_eq!(store_of(staff, ProductOf(Some(8))), Err(403));
        assert_eq!(store_of(admin, ProductOf(Some(8))), Ok(Some(8)));
    }

    #[test]
    fn owner_pages_refuse_staff() {
        use Access::*;
        let (shopper, staff, admin) = (who(false, None), who(false, Some(7)), who(true, None));
        let owner = who_as(false, Some(7), StoreRole::Owner);
        assert_eq!(store_of(None, StoreOwner(Some(7))), Err(401));
        assert_eq!(store_of(shopper.clone(), StoreOwner(None)), Err(403));
        assert_eq!(store_of(shopper.clone(), OwnerOrMarketplace(Some(7))), Err(403));
        // Staff of the very store are refused, named or not, with or without the marketplace.
        assert_eq!(store_of(staff.clone(), StoreOwner(Some(7))), Err(403));
        assert_eq!(store_of(staff.clone(), StoreOwner(None)), Err(403));
        assert_eq!(store_of(staff.clone(), OwnerOrMarketplace(None)), Err(403));
        assert_eq!(store_of(staff.clone(), OwnerOrMarketplace(Some(7))), Err(403));
        // … while they still act for it where staff may.
        assert_eq!(store_of(staff, ActingStore(None)), Ok(Some(7)));
        assert_eq!(store_of(owner.clone(), StoreOwner(None)), Ok(Some(7)));
        assert_eq!(store_of(owner.clone(), StoreOwner(Some(7))), Ok(Some(7)));
        assert_eq!(store_of(owner.clone(), OwnerOrMarketplace(None)), Ok(Some(7)));
        assert_eq!(store_of(owner.clone(), StoreOwner(Some(8))), Err(403), "another store's owner");
        assert_eq!(store_of(owner, OwnerOrMarketplace(Some(8))), Err(403));
        assert_eq!(store_of(admin.clone(), StoreOwner(Some(8))), Ok(Some(8)));
        assert_eq!(store_of(admin.clone(), StoreOwner(None)), Err(422), "the admin names a store");
        assert_eq!(store_of(admin.clone(), OwnerOrMarketplace(None)), Ok(None));
        assert_eq!(store_of(admin, OwnerOrMarketplace(Some(8))), Ok(Some(8)));
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
