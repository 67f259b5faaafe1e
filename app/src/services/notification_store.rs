//! The storage port for the outbox of messages to shoppers. A message is queued once per dedupe
//! key, claimed by one sender at a time under a lease (several server instances may run
//! senders), then marked sent, scheduled for another try, or failed.
use super::catalog_store::StoreError;
use crate::domain::notification::{MessageKind, OutboxStatus, Rendered};
use async_trait::async_trait;

/// A rendered message to queue (its subject and bodies become the outbox row's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub kind: MessageKind,
    pub recipient: String,
    pub rendered: Rendered,
    /// Unique per message that must go out once, e.g. `order-confirmation:MM-XXXX`: a second
    /// enqueue with the same key is ignored, so a retried request never queues two.
    pub dedupe_key: String,
    pub now: i64,
}

/// A message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub kind: MessageKind,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub dedupe_key: String,
    pub status: OutboxStatus,
    /// Tries so far; a claim counts as one.
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// While `status` is sending: the claim is the claimer's until then.
    pub locked_until: Option<i64>,
    /// Why the last try failed (never secrets: see `domain::notification::scrub_error`).
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Queues the message, due at once. Returns false (and changes nothing) when a message with
    /// the same dedupe key was queued before, whatever became of it.
    async fn enqueue(&self, message: &NewMessage) -> Result<bool, StoreError>;

    /// Takes up to `limit` messages due at `now` (queued, or sending with an expired lease) and
    /// leases them until `now + lease_secs`, counting an attempt: atomically, so concurrent
    /// claimers on any number of instances never get the same message.
    async fn claim_due(&self, now: i64, lease_secs: i64, limit: i64) -> Result<Vec<OutboxMessage>, StoreError>;

    /// The message went out.
    async fn mark_sent(&self, id: i64, now: i64) -> Result<(), StoreError>;

    /// The try failed; queue it again for `next_attempt_at`.
    async fn mark_retry(&self, id: i64, next_attempt_at: i64, error: &str) -> Result<(), StoreError>;

    /// The last try failed; give up.
    async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError>;

    /// Newest first, for tests and the admin.
    async fn list(&self, limit: i64) -> Result<Vec<OutboxMessage>, StoreError>;
}
