//! Account use cases: register, sign in and out, change password, open a store, addresses,
//! and approving stores. HTTP details (cookies, addresses of clients) stay in `api::auth`.
use super::Shop;
use super::account_store::{AccountStore, NewUser, ThrottlePolicy};
use super::catalog_store::StoreError;
use super::errors::store_err;
use super::passwords::{self, HashGate};
use crate::domain::account::{
    FIRST_LOCKOUT_SECS, FREE_LOGIN_FAILURES, MAX_LOCKOUT_SECS, MerchantStatus, Principal, normalize_email,
    session_is_live, validate_display_name, validate_password, validate_registration,
};
use crate::domain::address::{Address, AddressInput, validate_address};
use crate::domain::client_ip::IpCidr;
use crate::domain::errors::AppError;
use crate::domain::slug::slugify;
use std::sync::Arc;

/// Sessions, client addresses and sign-in limits; configured by the server.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// Adds `Secure` to the session cookie (set when the site is served over https).
    pub cookie_secure: bool,
    pub idle_secs: i64,
    pub absolute_secs: i64,
    /// Our reverse proxies (`TRUSTED_PROXIES`). Only when the connection comes from one of them is
    /// `client_ip_header` read, from the right (see `domain::client_ip`); otherwise the
    /// connection's address, which cannot be spoofed, is the client.
    pub trusted_proxies: Vec<IpCidr>,
    /// The forwarding header our proxies append to (lowercase; default `x-forwarded-for`).
    pub client_ip_header: String,
    /// Bounds concurrent Argon2 hashes (19 MiB each); full → 429.
    pub hash_gate: Arc<HashGate>,
    /// New accounts one address may open per hour (`REGISTRATIONS_PER_HOUR`).
    pub registrations_per_hour: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            cookie_secure: false,
            idle_secs: 7 * 24 * 3600,
            absolute_secs: 30 * 24 * 3600,
            trusted_proxies: Vec::new(),
            client_ip_header: DEFAULT_CLIENT_IP_HEADER.into(),
            hash_gate: Arc::new(HashGate::from_memory()),
            registrations_per_hour: 10,
        }
    }
}

pub const DEFAULT_CLIENT_IP_HEADER: &str = "x-forwarded-for";

/// One address, all accounts: stops spraying guesses over many accounts. Higher than the
/// per-account limit because offices and mobile networks put many people behind one address.
pub const ADDRESS_POLICY: ThrottlePolicy = ThrottlePolicy {
    free: 20,
    first_lock_secs: FIRST_LOCKOUT_SECS,
    max_lock_secs: MAX_LOCKOUT_SECS,
    memory_secs: FAILURE_MEMORY_SECS,
};

/// One account from one address: stops guessing one password. Locks only that address out of
/// that account, so nobody elsewhere can lock the owner out.
pub const PAIR_POLICY: ThrottlePolicy = ThrottlePolicy {
    free: FREE_LOGIN_FAILURES,
    first_lock_secs: FIRST_LOCKOUT_SECS,
    max_lock_secs: MAX_LOCKOUT_SECS,
    memory_secs: FAILURE_MEMORY_SECS,
};

/// One account from everywhere: never locks (that would hand anyone a way to lock the owner
/// out); past `ACCOUNT_DELAY_AFTER` failures each attempt only waits a little (`account_delay`).
pub const ACCOUNT_POLICY: ThrottlePolicy =
    ThrottlePolicy { free: i64::MAX, first_lock_secs: 0, max_lock_secs: 0, memory_secs: FAILURE_MEMORY_SECS };
pub const ACCOUNT_DELAY_AFTER: i64 = 10;
pub const ACCOUNT_DELAY_STEP_MS: u64 = 200;
pub const ACCOUNT_DELAY_MAX_MS: u64 = 2_000;

/// Mirrors the adapter's memory for failed sign-ins.
const FAILURE_MEMORY_SECS: i64 = 24 * 3600;

/// `per_hour` new accounts from one address, then one an hour.
pub fn registration_policy(per_hour: i64) -> ThrottlePolicy {
    ThrottlePolicy { free: per_hour.max(1), first_lock_secs: 3600, max_lock_secs: 3600, memory_secs: 3600 }
}

/// The wait before checking a password for an account that failed `attempts` times recently,
/// from any address: short and bounded, never a lockout.
pub fn account_delay(attempts: i64) -> std::time::Duration {
    let over = attempts.saturating_sub(ACCOUNT_DELAY_AFTER).max(0) as u64;
    std::time::Duration::from_millis(over.saturating_mul(ACCOUNT_DELAY_STEP_MS).min(ACCOUNT_DELAY_MAX_MS))
}

pub const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";

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
        email_verified: user.email_verified,
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
    shop.accounts.create_session(&passwords::token_hash(&token), user_id, shop.clock.now()).await.map_err(store_err)?;
    Ok(token)
}

/// A slot in the hash gate, or 429 when every slot stayed busy.
async fn hash_slot(gate: &HashGate) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    gate.enter().await.ok_or_else(|| {
        tracing::warn!(slots = gate.size(), "every password hashing slot is busy; answering 429");
        AppError::RateLimited(passwords::GATE_RETRY_SECS)
    })
}

/// Counts an attempt on `key`; 429 with the lock's remaining seconds when it is locked.
async fn claim(shop: &Shop, key: &str, policy: &ThrottlePolicy, now: i64) -> Result<i64, AppError> {
    let claim = shop.accounts.claim_attempt(key, policy, now).await.map_err(store_err)?;
    if claim.admitted {
        Ok(claim.attempts)
    } else {
        Err(AppError::RateLimited((claim.locked_until - now).max(1) as u64))
    }
}

/// Creates the account and signs it in. `client` is the address the throttle keys on (see
/// `api::guard::client_address`): each opens at most `registrations_per_hour` accounts an hour.
pub async fn register(
    shop: &Shop,
    email: &str,
    display_name: &str,
    password: &str,
    client: &str,
    previous: Option<&str>,
) -> Result<String, AppError> {
    let reg = validate_registration(email, display_name, password)?;
    let (key, policy) = (format!("register:{client}"), registration_policy(shop.auth.registrations_per_hour));
    claim(shop, &key, &policy, shop.clock.now()).await?;
    let slot = match hash_slot(&shop.auth.hash_gate).await {
        Ok(slot) => slot,
        Err(busy) => {
            release(shop, &[(key.as_str(), &policy)]).await?;
            return Err(busy);
        }
    };
    let hash = passwords::hash(reg.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::server()
    })?;
    drop(slot);
    let email = reg.email.clone();
    // Unverified until the link we send now comes back (`email_verification`).
    let user = NewUser {
        email: reg.email,
        display_name: reg.display_name,
        password_hash: hash,
        is_admin: false,
        email_verified: false,
    };
    let id = shop.accounts.create_user(&user).await.map_err(|e| match e {
        StoreError::Conflict(msg) => AppError::one("email", msg),
        other => store_err(other),
    })?;
    // A failure here is logged by `store_err`; the account still works and its page offers to
    // send the link again, so the sign-up is not failed over it.
    let _ = super::email_verification::send(shop, id, &email).await;
    start_session(shop, id, previous).await
}

/// Creates a platform admin account (`server create-admin`): for an empty production database,
/// where no one can be promoted from the dashboard yet. The same rules as registration (email,
/// password strength); an email already in use is refused, never promoted silently.
pub async fn create_admin(shop: &Shop, email: &str, password: &str) -> Result<i64, AppError> {
    let reg = validate_registration(email, "Platform admin", password)?;
    let hash = passwords::hash(reg.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::server()
    })?;
    // An operator typed the address on the server: it needs no link to prove it.
    let user = NewUser {
        email: reg.email,
        display_name: reg.display_name,
        password_hash: hash,
        is_admin: true,
        email_verified: true,
    };
    shop.accounts.create_user(&user).await.map_err(|e| match e {
        StoreError::Conflict(msg) => AppError::one("email", msg),
        other => store_err(other),
    })
}

/// The throttle keys one sign-in attempt counts on.
struct LoginKeys {
    address: String,
    pair: String,
    account: String,
}

impl LoginKeys {
    fn new(email: &str, client: &str) -> LoginKeys {
        LoginKeys {
            address: format!("ip:{client}"),
            pair: format!("login:{email}|{client}"),
            account: format!("account:{email}"),
        }
    }
}

/// Counts the attempt first, on the address, on (account, address) and on the account, each in
/// one conditional statement; refuses it when the address or the pair is locked; then checks
/// the password (same work and message for unknown emails) and starts a session. A success
/// clears the pair and takes its attempt back from the others. Returns the cookie token.
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
    let keys = LoginKeys::new(&email, client);
    let t = shop.clock.now();
    claim(shop, &keys.address, &ADDRESS_POLICY, t).await?;
    claim(shop, &keys.pair, &PAIR_POLICY, t).await?;
    let across_addresses = shop.accounts.claim_attempt(&keys.account, &ACCOUNT_POLICY, t).await.map_err(store_err)?;
    tokio::time::sleep(account_delay(across_addresses.attempts)).await;
    let slot = match hash_slot(&shop.auth.hash_gate).await {
        Ok(slot) => slot,
        Err(busy) => {
            // Not the visitor's fault: the attempt was never tried, so it does not count.
            let claimed = [
                (keys.address.as_str(), &ADDRESS_POLICY),
                (keys.pair.as_str(), &PAIR_POLICY),
                (keys.account.as_str(), &ACCOUNT_POLICY),
            ];
            release(shop, &claimed).await?;
            return Err(busy);
        }
    };
    let user = shop.accounts.user_by_email(&email).await.map_err(store_err)?;
    let ok = passwords::verify(password.to_string(), user.as_ref().map(|u| u.password_hash.clone())).await;
    drop(slot);
    match (ok, user) {
        (true, Some(user)) => {
            shop.accounts.clear_login_failures(std::slice::from_ref(&keys.pair)).await.map_err(store_err)?;
            release(shop, &[(keys.address.as_str(), &ADDRESS_POLICY), (keys.account.as_str(), &ACCOUNT_POLICY)])
                .await?;
            start_session(shop, user.id, previous).await
        }
        // Already counted by the claims above.
        _ => Err(AppError::one("form", WRONG_CREDENTIALS)),
    }
}

async fn release(shop: &Shop, keys: &[(&str, &ThrottlePolicy)]) -> Result<(), AppError> {
    let t = shop.clock.now();
    for (key, policy) in keys {
        shop.accounts.release_attempt(key, policy, t).await.map_err(store_err)?;
    }
    Ok(())
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
    let slot = hash_slot(&shop.auth.hash_gate).await?;
    if !passwords::verify(current.to_string(), Some(user.password_hash)).await {
        return Err(AppError::one("current_password", "This is not your current password."));
    }
    validate_password(new, &who.email).map_err(|e| AppError::one("new_password", e))?;
    let hash = passwords::hash(new.to_string()).await.map_err(|_| AppError::server())?;
    drop(slot);
    shop.accounts.set_password(who.user_id, &hash, Some(session_hash)).await.map_err(store_err)
}

/// Opens a store owned by `who`, pending approval; only with a confirmed e-mail address (the
/// store's customers and the marketplace will write to it).
pub async fn open_store(shop: &Shop, who: &Principal, name: &str, description: &str) -> Result<i64, AppError> {
    if !who.email_verified {
        return Err(AppError::one("form", super::email_verification::VERIFY_FIRST));
    }
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
    let Some(status) = MerchantStatus::parse(status) else {
        return Err(AppError::one("status", "Choose active, suspended or pending."));
    };
    if shop.accounts.set_merchant_status(merchant_id, status).await.map_err(store_err)? {
        // The store's words enter or leave the search index with its status (migration 0018), and
        // the catalog version moves with it (0019), so every instance's vocabulary follows.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_lock_the_pair_before_the_address_and_never_the_account() {
        assert_eq!(PAIR_POLICY.lock_after(4), 0);
        assert_eq!(PAIR_POLICY.lock_after(5), 5);
        assert_eq!(PAIR_POLICY.lock_after(6), 10);
        assert_eq!(PAIR_POLICY.lock_after(1000), MAX_LOCKOUT_SECS);
        for n in 0..60 {
            assert_eq!(PAIR_POLICY.lock_after(n), crate::domain::account::lockout_after(n), "{n}");
        }
        assert_eq!(ADDRESS_POLICY.lock_after(19), 0);
        assert_eq!(ADDRESS_POLICY.lock_after(20), 5);
        assert_eq!(ACCOUNT_POLICY.lock_after(i64::MAX - 1), 0);
        let reg = registration_policy(3);
        assert_eq!((reg.lock_after(2), reg.lock_after(3), reg.lock_after(9)), (0, 3600, 3600));
    }

    #[test]
    fn failures_across_addresses_only_add_a_short_bounded_delay() {
        assert_eq!(account_delay(0), std::time::Duration::ZERO);
        assert_eq!(account_delay(ACCOUNT_DELAY_AFTER), std::time::Duration::ZERO);
        assert_eq!(account_delay(ACCOUNT_DELAY_AFTER + 2), std::time::Duration::from_millis(400));
        assert_eq!(account_delay(i64::MAX), std::time::Duration::from_millis(ACCOUNT_DELAY_MAX_MS));
    }
}
