//! Account use cases: register, sign in and out, change password, open a store, addresses,
//! and approving stores. HTTP details (cookies, addresses of clients) stay in `api::auth`.
use super::Shop;
use super::account_store::{AccountStore, NewUser};
use super::catalog_store::{MerchantStatus, StoreError};
use super::passwords;
use crate::domain::account::{
    Principal, normalize_email, session_is_live, validate_display_name, validate_password, validate_registration,
};
use crate::domain::address::{Address, AddressInput, validate_address};
use crate::domain::errors::AppError;
use crate::domain::slug::slugify;

/// How long sessions live; configured by the server.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// Adds `Secure` to the session cookie (set when the site is served over https).
    pub cookie_secure: bool,
    pub idle_secs: i64,
    pub absolute_secs: i64,
    /// A header set by a trusted reverse proxy with the client's address (e.g. X-Forwarded-For);
    /// `None` uses the connection's address, which cannot be spoofed.
    pub trusted_client_header: Option<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            cookie_secure: false,
            idle_secs: 7 * 24 * 3600,
            absolute_secs: 30 * 24 * 3600,
            trusted_client_header: None,
        }
    }
}

pub const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub fn store_err(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(msg) => AppError::Conflict(msg),
        StoreError::Invalid(msg) => AppError::one("form", msg),
        other => {
            tracing::error!(error = %other, "store call failed");
            AppError::server()
        }
    }
}

async fn principal_for(
    accounts: &dyn AccountStore,
    user: super::account_store::UserRecord,
) -> Result<Principal, AppError> {
    let store = accounts.membership(user.id).await.map_err(store_err)?;
    Ok(Principal {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        is_admin: user.is_admin,
        store,
    })
}

/// The signed-in user for a session token, if the session exists and is live.
pub async fn principal_for_token(shop: &Shop, token: &str, now: i64) -> Result<Option<(Principal, String)>, AppError> {
    let hash = passwords::token_hash(token);
    let Some(session) = shop.accounts.session(&hash).await.map_err(store_err)? else {
        return Ok(None);
    };
    let s = &shop.auth;
    if !session_is_live(now, session.created_at, session.last_seen_at, s.idle_secs, s.absolute_secs) {
        shop.accounts.delete_session(&hash).await.map_err(store_err)?;
        return Ok(None);
    }
    // Writing on every request would serialise reads behind SQLite's writer; a minute is precise enough.
    if now - session.last_seen_at > 60 {
        shop.accounts.touch_session(&hash, now).await.map_err(store_err)?;
    }
    Ok(Some((principal_for(shop.accounts.as_ref(), session.user).await?, hash)))
}

/// A new session for the user; returns the cookie token. Replaces `previous` (no fixation).
async fn start_session(shop: &Shop, user_id: i64, previous: Option<&str>) -> Result<String, AppError> {
    if let Some(old) = previous {
        shop.accounts.delete_session(&passwords::token_hash(old)).await.map_err(store_err)?;
    }
    let token = passwords::new_token();
    shop.accounts.create_session(&passwords::token_hash(&token), user_id, now()).await.map_err(store_err)?;
    Ok(token)
}

pub async fn register(
    shop: &Shop,
    email: &str,
    display_name: &str,
    password: &str,
    previous: Option<&str>,
) -> Result<String, AppError> {
    let reg = validate_registration(email, display_name, password)?;
    let hash = passwords::hash(reg.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::server()
    })?;
    let user = NewUser { email: reg.email, display_name: reg.display_name, password_hash: hash, is_admin: false };
    let id = shop.accounts.create_user(&user).await.map_err(|e| match e {
        StoreError::Conflict(msg) => AppError::one("email", msg),
        other => store_err(other),
    })?;
    start_session(shop, id, previous).await
}

/// Checks throttling, then the password (same work and message for unknown emails), then
/// starts a session. Returns the cookie token.
pub async fn login(
    shop: &Shop,
    email: &str,
    password: &str,
    client: &str,
    previous: Option<&str>,
) -> Result<String, AppError> {
    let email = normalize_email(email).map_err(|e| AppError::one("email", e))?;
    if password.is_empty() || password.len() > crate::domain::account::MAX_PASSWORD {
        return Err(AppError::one("password", "Enter your password."));
    }
    let keys = vec![format!("email:{email}"), format!("ip:{client}")];
    let t = now();
    let locked = shop.accounts.login_failures(&keys).await.map_err(store_err)?;
    if let Some(until) = locked.iter().map(|(_, _, until)| *until).max().filter(|until| *until > t) {
        return Err(AppError::RateLimited((until - t) as u64));
    }
    let user = shop.accounts.user_by_email(&email).await.map_err(store_err)?;
    let ok = passwords::verify(password.to_string(), user.as_ref().map(|u| u.password_hash.clone())).await;
    match (ok, user) {
        (true, Some(user)) => {
            shop.accounts.clear_login_failures(&keys[..1]).await.map_err(store_err)?;
            start_session(shop, user.id, previous).await
        }
        _ => {
            shop.accounts.record_login_failure(&keys, t).await.map_err(store_err)?;
            Err(AppError::one("form", WRONG_CREDENTIALS))
        }
    }
}

pub async fn logout(shop: &Shop, token: &str) -> Result<(), AppError> {
    shop.accounts.delete_session(&passwords::token_hash(token)).await.map_err(store_err)
}

/// Verifies the current password, sets the new one and signs out every other session.
pub async fn change_password(
    shop: &Shop,
    who: &Principal,
    session_hash: &str,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let user = shop.accounts.user_by_email(&who.email).await.map_err(store_err)?.ok_or(AppError::Unauthenticated)?;
    if !passwords::verify(current.to_string(), Some(user.password_hash)).await {
        return Err(AppError::one("current_password", "This is not your current password."));
    }
    validate_password(new, &who.email).map_err(|e| AppError::one("new_password", e))?;
    let hash = passwords::hash(new.to_string()).await.map_err(|_| AppError::server())?;
    shop.accounts.set_password(who.user_id, &hash, Some(session_hash)).await.map_err(store_err)
}

pub async fn open_store(shop: &Shop, who: &Principal, name: &str, description: &str) -> Result<i64, AppError> {
    let name = validate_display_name(name)
        .map_err(|e| AppError::one("store_name", e.replace("your name", "the store's name")))?;
    let slug = slugify(&name);
    if slug.is_empty() {
        return Err(AppError::one("store_name", "Use letters or digits in the store's name."));
    }
    if description.chars().count() > 500 {
        return Err(AppError::one("description", "Use at most 500 characters."));
    }
    shop.accounts.open_store(who.user_id, &slug, &name, description.trim()).await.map_err(|e| match e {
        StoreError::Conflict(msg) => AppError::one("store_name", msg),
        other => store_err(other),
    })
}

pub async fn set_store_status(shop: &Shop, merchant_id: i64, status: &str) -> Result<(), AppError> {
    let status = match status {
        "active" => MerchantStatus::Active,
        "suspended" => MerchantStatus::Suspended,
        "pending" => MerchantStatus::Pending,
        _ => return Err(AppError::one("status", "Choose active, suspended or pending.")),
    };
    if shop.accounts.set_merchant_status(merchant_id, status).await.map_err(store_err)? {
        // The store's words enter or leave the search index with its status (migration 0018).
        shop.vocabulary.clear();
        Ok(())
    } else {
        Err(AppError::NotFound("No such store.".into()))
    }
}

pub async fn add_address(shop: &Shop, who: &Principal, input: &AddressInput) -> Result<i64, AppError> {
    let clean = validate_address(input)?;
    if shop.accounts.addresses(who.user_id).await.map_err(store_err)?.len() >= 20 {
        return Err(AppError::one("form", "You can keep up to 20 addresses; remove one first."));
    }
    shop.accounts.add_address(who.user_id, &clean).await.map_err(store_err)
}

pub async fn update_address(shop: &Shop, who: &Principal, id: i64, input: &AddressInput) -> Result<(), AppError> {
    let clean = validate_address(input)?;
    match shop.accounts.update_address(who.user_id, id, &clean).await.map_err(store_err)? {
        true => Ok(()),
        false => Err(AppError::NotFound("No such address in your account.".into())),
    }
}

pub async fn delete_address(shop: &Shop, who: &Principal, id: i64) -> Result<(), AppError> {
    match shop.accounts.delete_address(who.user_id, id).await.map_err(store_err)? {
        true => Ok(()),
        false => Err(AppError::NotFound("No such address in your account.".into())),
    }
}

pub async fn addresses(shop: &Shop, who: &Principal) -> Result<Vec<Address>, AppError> {
    shop.accounts.addresses(who.user_id).await.map_err(store_err)
}
