//! Password reset by e-mail. Asking for a link answers the same whether or not an account uses
//! the address (no enumeration); an account gets a single-use link that works for an hour (only
//! its token's hash is stored). Using it sets the new password, ends every session of the account
//! and voids its other links, in one transaction. Throttles: an address asks at most
//! `REQUESTS_PER_ADDRESS` times an hour (429 after); an account gets at most `MAILS_PER_ACCOUNT`
//! messages an hour — further asks are answered the same but send nothing, so nobody can flood an
//! inbox, and nobody can stop the owner either (the links already sent keep working).
use super::Shop;
use super::account_store::ThrottlePolicy;
use super::errors::store_err;
use super::passwords;
use crate::domain::account::{normalize_email, validate_password};
use crate::domain::errors::AppError;
use crate::domain::notification::Message;

pub const LINK_VALID_SECS: i64 = 3600;
pub const REQUESTS_PER_ADDRESS: i64 = 10;
pub const MAILS_PER_ACCOUNT: i64 = 3;
/// What every request is told.
pub const SENT: &str = crate::domain::account::RESET_SENT;

fn hourly(free: i64) -> ThrottlePolicy {
    ThrottlePolicy { free, first_lock_secs: 3600, max_lock_secs: 3600, memory_secs: 3600 }
}

/// Sends a reset link to the account using `email`, if there is one; `client` is the address the
/// throttle keys on. Always answers [`SENT`] for a well-formed email.
pub async fn request(shop: &Shop, email: &str, client: &str) -> Result<&'static str, AppError> {
    let now = shop.clock.now();
    let email = normalize_email(email).map_err(|m| AppError::one("email", m))?;
    let (key, policy) = (format!("reset-ip:{client}"), hourly(REQUESTS_PER_ADDRESS));
    let address = shop.accounts.claim_attempt(&key, &policy, now).await.map_err(store_err)?;
    if !address.admitted {
        return Err(AppError::RateLimited((address.locked_until - now).max(1) as u64));
    }
    let Some(user) = shop.accounts.user_by_email(&email).await.map_err(store_err)? else {
        return Ok(SENT);
    };
    let (key, policy) = (format!("reset-mail:{}", user.id), hourly(MAILS_PER_ACCOUNT));
    if !shop.accounts.claim_attempt(&key, &policy, now).await.map_err(store_err)?.admitted {
        return Ok(SENT);
    }
    let token = passwords::new_token();
    let hash = passwords::token_hash(&token);
    shop.accounts.create_password_reset(&hash, user.id, now + LINK_VALID_SECS, now).await.map_err(store_err)?;
    let message =
        Message::PasswordReset { reset_url: shop.links.password_reset(&token), valid_minutes: LINK_VALID_SECS / 60 };
    // The dedupe key names the link by its hash: each link is one message.
    super::notifications::enqueue_logged(
        shop.notifications.as_ref(),
        &message,
        &email,
        &format!("password-reset:{hash}"),
        now,
    )
    .await;
    Ok(SENT)
}

/// Sets a new password with the link's token: once, within the hour.
pub async fn reset(shop: &Shop, token: &str, password: &str) -> Result<(), AppError> {
    let token = token.trim();
    let expired = || AppError::one("token", "This link has expired or was used already. Ask for a new one below.");
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(expired());
    }
    validate_password(password, "").map_err(|m| AppError::one("password", m))?;
    let token_hash = passwords::token_hash(token);
    // Checked before the (deliberately slow) password hashing: a made-up token costs a lookup.
    if !shop.accounts.password_reset_open(&token_hash, shop.clock.now()).await.map_err(store_err)? {
        return Err(expired());
    }
    let hash = passwords::hash(password.to_string()).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::server()
    })?;
    let used = shop.accounts.use_password_reset(&token_hash, &hash, shop.clock.now());
    match used.await.map_err(store_err)? {
        Some(_) => Ok(()),
        None => Err(expired()),
    }
}
