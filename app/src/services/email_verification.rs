//! E-mail verification: a new account proves it receives mail at its address before it may open
//! a store (a store's customers and the marketplace write to that address). A sign-up queues a
//! single-use link that works for a day (only its token's hash is stored); the link opens a page
//! whose button confirms — never the GET itself, since mail scanners open links. The account page
//! sends the link again, at most `RESENDS_PER_HOUR` times an hour.
use super::Shop;
use super::account_store::ThrottlePolicy;
use super::errors::store_err;
use super::passwords;
use crate::domain::account::{Principal, well_formed_token};
use crate::domain::errors::AppError;
use crate::domain::notification::Message;

pub const LINK_VALID_SECS: i64 = 24 * 3600;
pub const RESENDS_PER_HOUR: i64 = 3;

pub const INVALID_LINK: &str =
    "This confirmation link has expired or was used already. Sign in and send a new one from your account page.";

/// What opening a store answers while the address is unverified.
pub const VERIFY_FIRST: &str = "Confirm your e-mail address before opening a store: open the link we e-mailed you, or send a new one from this page.";

/// Queues a verification link for the account `user_id` at `email`.
pub async fn send(shop: &Shop, user_id: i64, email: &str) -> Result<(), AppError> {
    let now = shop.clock.now();
    let token = passwords::new_token();
    let hash = passwords::token_hash(&token);
    shop.accounts.create_email_verification(&hash, user_id, now + LINK_VALID_SECS, now).await.map_err(store_err)?;
    let message =
        Message::EmailVerification { verify_url: shop.links.verify_email(&token), valid_hours: LINK_VALID_SECS / 3600 };
    // Each link is one message, named by its hash (never by the token).
    let key = format!("email-verification:{hash}");
    super::notifications::enqueue_logged(shop.notifications.as_ref(), &message, email, &key, now).await;
    Ok(())
}

/// "Send the link again" on the account page: only while unverified, a few times an hour.
pub async fn resend(shop: &Shop, who: &Principal) -> Result<(), AppError> {
    if who.email_verified {
        return Err(AppError::one("form", "Your e-mail address is already confirmed."));
    }
    let now = shop.clock.now();
    let policy =
        ThrottlePolicy { free: RESENDS_PER_HOUR, first_lock_secs: 3600, max_lock_secs: 3600, memory_secs: 3600 };
    let key = format!("verify-mail:{}", who.user_id);
    let claim = shop.accounts.claim_attempt(&key, &policy, now).await.map_err(store_err)?;
    if !claim.admitted {
        return Err(AppError::RateLimited((claim.locked_until - now).max(1) as u64));
    }
    send(shop, who.user_id, &who.email).await
}

/// Confirms the address of the link's account: once, within its day.
pub async fn confirm(shop: &Shop, token: &str) -> Result<(), AppError> {
    let token = token.trim();
    if !well_formed_token(token) {
        return Err(AppError::one("token", INVALID_LINK));
    }
    let hash = passwords::token_hash(token);
    match shop.accounts.use_email_verification(&hash, shop.clock.now()).await.map_err(store_err)? {
        Some(_) => Ok(()),
        None => Err(AppError::one("token", INVALID_LINK)),
    }
}
