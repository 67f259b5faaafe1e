//! The storage port for accounts, sessions, login throttling, store membership and addresses.
//! Every query that touches a user's data takes that user's id, so scoping is not optional.
use super::catalog_store::StoreError;
use crate::domain::account::{MerchantStatus, StoreMembership};
use crate::domain::address::{Address, AddressInput};
use async_trait::async_trait;

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    /// The account proved it receives mail at `email`.
    pub email_verified: bool,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    /// True only when the address is known to be the person's (made by an operator: the demo
    /// seed, `create-admin`); a sign-up proves it with the verification link.
    pub email_verified: bool,
}

/// A live session and its user. Sessions are found by the SHA-256 of the cookie's token, so a
/// leaked database holds no usable cookies.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user: UserRecord,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantSummary {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub status: MerchantStatus,
    pub owner_email: Option<String>,
    pub product_count: i64,
}

/// How a throttle key locks: `free` attempts, then locks of `first_lock_secs` doubling up to
/// `max_lock_secs`. A key whose last attempt is older than `memory_secs` starts again from zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub free: i64,
    pub first_lock_secs: i64,
    pub max_lock_secs: i64,
    pub memory_secs: i64,
}

impl ThrottlePolicy {
    /// The lock the `attempts`-th attempt earns: 0 below `free`, then first, 2×first, … capped.
    pub fn lock_after(&self, attempts: i64) -> i64 {
        if attempts < self.free {
            0
        } else if attempts - self.free >= self.doublings() {
            self.max_lock_secs
        } else {
            self.first_lock_secs << (attempts - self.free)
        }
    }

    /// How many doublings of the first lock reach the cap (the SQL adapters use it, too).
    pub fn doublings(&self) -> i64 {
        let mut k = 0;
        while k < 40 && (self.first_lock_secs.max(1) << k) < self.max_lock_secs {
            k += 1;
        }
        k
    }
}

/// One counted attempt on a throttle key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// Its number among the key's remembered attempts (refused ones included).
    pub attempts: i64,
    /// Whether it may go ahead (the key was not locked).
    pub admitted: bool,
    /// The key is locked until then (≤ now: not locked).
    pub locked_until: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Conflict when the (normalised) email is taken.
    async fn create_user(&self, user: &NewUser) -> Result<i64, StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Sets the hash and deletes every session of the user except `keep` (the one in use).
    async fn set_password(&self, user_id: i64, password_hash: &str, keep: Option<&str>) -> Result<(), StoreError>;
    /// Stores a password reset link's token (hashed) for the user, valid until `expires_at`.
    async fn create_password_reset(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Whether a reset token is unused and unexpired at `now` (changes nothing).
    async fn password_reset_open(&self, token_hash: &str, now: i64) -> Result<bool, StoreError>;
    /// Uses a reset token once: if it is unused and unexpired at `now`, marks it used, sets the
    /// password and ends every session of its user, in one transaction; the user's id. None: the
    /// token is unknown, used or expired (nothing changes).
    async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError>;

    /// Stores an e-mail verification link's token (hashed) for the user, valid until `expires_at`.
    async fn create_email_verification(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Uses a verification token once: if it is unused and unexpired at `now`, marks it (and the
    /// user's other links) used and the user's address verified, in one transaction; the user's
    /// id. None: the token is unknown, used or expired (nothing changes).
    async fn use_email_verification(&self, token_hash: &str, now: i64) -> Result<Option<i64>, StoreError>;

    async fn create_session(&self, token_hash: &str, user_id: i64, now: i64) -> Result<(), StoreError>;
    /// The session and its user when it exists; expiry is decided by the caller.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Removes sessions idle since `idle_before` or created before `created_before`.
    async fn delete_expired_sessions(&self, idle_before: i64, created_before: i64) -> Result<u64, StoreError>;

    /// Counted attempts for each key (e.g. "ip:…", "login:…"): (key, attempts, locked_until).
    async fn login_failures(&self, keys: &[String]) -> Result<Vec<(String, i64, i64)>, StoreError>;
    /// Adds one failure per key and sets its lock; returns the longest lock now in force.
    /// (The older record-after-checking scheme; sign-in and sign-up now use `claim_attempt`.)
    async fn record_login_failure(&self, keys: &[String], now: i64) -> Result<i64, StoreError>;
    async fn clear_login_failures(&self, keys: &[String]) -> Result<(), StoreError>;
    /// Counts one attempt on `key` and decides in the same conditional statement whether it may
    /// go ahead: yes unless the key is locked. An admitted attempt sets at once the lock it earns
    /// should it fail, so parallel attempts cannot pass the limit together; refused attempts are
    /// counted too.
    async fn claim_attempt(&self, key: &str, policy: &ThrottlePolicy, now: i64) -> Result<Claim, StoreError>;
    /// Takes back one claimed attempt (it succeeded, or was never tried), and lifts the key's lock
    /// when the attempts left no longer earn one.
    async fn release_attempt(&self, key: &str, policy: &ThrottlePolicy, now: i64) -> Result<(), StoreError>;

    async fn membership(&self, user_id: i64) -> Result<Option<StoreMembership>, StoreError>;
    /// Creates a pending store owned by the user, in one transaction; Conflict when the user
    /// already belongs to a store or the slug is taken.
    async fn open_store(&self, user_id: i64, slug: &str, name: &str, description: &str) -> Result<i64, StoreError>;
    async fn add_store_member(
        &self,
        merchant_id: i64,
        user_id: i64,
        role: crate::domain::account::StoreRole,
    ) -> Result<(), StoreError>;
    /// Every store with its owner's e-mail; `product_count` only when `with_product_counts` (it
    /// counts every product of the marketplace, so the dashboard's nav and the storefront, which
    /// show no counts, leave it at 0).
    async fn merchants(&self, with_product_counts: bool) -> Result<Vec<MerchantSummary>, StoreError>;
    /// NotFound-style `false` when no such store.
    async fn set_merchant_status(&self, merchant_id: i64, status: MerchantStatus) -> Result<bool, StoreError>;

    async fn addresses(&self, user_id: i64) -> Result<Vec<Address>, StoreError>;
    async fn add_address(&self, user_id: i64, address: &AddressInput) -> Result<i64, StoreError>;
    /// `false` when the address does not exist or belongs to someone else.
    async fn update_address(&self, user_id: i64, id: i64, address: &AddressInput) -> Result<bool, StoreError>;
    async fn delete_address(&self, user_id: i64, id: i64) -> Result<bool, StoreError>;
}
