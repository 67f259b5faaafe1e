//! Queueing messages to shoppers. Every use case that tells a shopper something (checkout's order
//! confirmation; fulfilment's shipped, delivered, refund issued and return decision) builds a
//! `domain::notification::Message` and calls [`enqueue`] with a dedupe key; the server's sender
//! (server/src/notify.rs) delivers the outbox in the background, with retries, so no request
//! ever waits for a mail server.
//!
//! Dedupe keys name the event the message is about, so a retried request never queues it twice:
//! - `order-confirmation:{number}` (see [`confirmation_key`])
//! - `shipped:{shipment id}`, `delivered:{shipment id}`
//! - `refund-issued:{refund id}`, `return-decision:{return id}`
use super::catalog_store::StoreError;
use super::notification_store::{NewMessage, NotificationStore};
use crate::domain::notification::{Links, Message};
use std::sync::Arc;

/// Renders `message` and queues it for `recipient`. Returns false when a message with this
/// dedupe key was queued before (nothing is written). Callers whose own work already succeeded
/// should log a failure here rather than fail the request (see [`enqueue_logged`]).
pub async fn enqueue(
    store: &dyn NotificationStore,
    message: &Message,
    recipient: &str,
    dedupe_key: &str,
    now: i64,
) -> Result<bool, StoreError> {
    store
        .enqueue(&NewMessage {
            kind: message.kind(),
            recipient: recipient.trim().to_string(),
            rendered: message.render(),
            dedupe_key: dedupe_key.to_string(),
            now,
        })
        .await
}

/// [`enqueue`], logging instead of returning a failure: for use after the work the message
/// reports on has been committed, which a lost notification must not undo.
pub async fn enqueue_logged(
    store: &dyn NotificationStore,
    message: &Message,
    recipient: &str,
    dedupe_key: &str,
    now: i64,
) {
    if let Err(e) = enqueue(store, message, recipient, dedupe_key, now).await {
        // No order number (the dedupe key names it too) nor links (a guest's key) in the log.
        tracing::error!(error = %e, kind = message.kind().as_str(), "could not queue a notification");
    }
}

pub fn confirmation_key(number: &str) -> String {
    format!("order-confirmation:{number}")
}

/// Where checkout queues its order confirmation, and the links it puts in it.
#[derive(Clone)]
pub struct Confirmations {
    pub store: Arc<dyn NotificationStore>,
    pub links: Links,
}
