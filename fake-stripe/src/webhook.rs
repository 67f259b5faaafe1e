//! Events and their delivery to the shop's webhook endpoint, signed like Stripe signs them.
//!
//! Not modelled: Stripe retries a failed delivery (non-2xx or timeout) with exponential backoff
//! for up to three days, and also sends events the shop does not subscribe to
//! (`payment_intent.succeeded`, `charge.succeeded`, …). The fake makes exactly one attempt per
//! delivery (two in [`WebhookMode::Twice`]), records the outcome, and only sends
//! `checkout.session.completed` and `checkout.session.expired`. Tests that need a retry can
//! model it by replaying the receiver call themselves.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::api::API_VERSION;
use crate::objects::random_id;
use crate::{AppState, Delivery, WebhookMode};

/// The `Stripe-Signature` header value for `body` sent at `timestamp`:
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The secret is used as
/// given, `whsec_` prefix included, as Stripe's libraries do.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// One event, serialised once: every delivery of it sends these exact bytes.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub id: String,
    pub event_type: &'static str,
    pub body: Vec<u8>,
}

impl Event {
    pub fn new(now: i64, event_type: &'static str, object: Value) -> Event {
        let id = random_id("evt_");
        let body = json!({
            "id": id,
            "object": "event",
            "api_version": API_VERSION,
            "created": now,
            "data": { "object": object },
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": null, "idempotency_key": null },
            "type": event_type,
        });
        Event { id, event_type, body: serde_json::to_vec(&body).expect("json") }
    }
}

/// Delivers the event of a completed payment as `mode` says, relative to the redirect the
/// caller answers once this returns.
pub(crate) async fn deliver_before_redirect(sh: &AppState, event: Event, mode: WebhookMode) {
    match mode {
        WebhookMode::BeforeRedirect => post(sh, &event, 1).await,
        WebhookMode::Twice => post(sh, &event, 2).await,
        WebhookMode::AfterRedirect => {
            let sh = sh.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                post(&sh, &event, 1).await;
            });
        }
        WebhookMode::Never => {}
    }
}

/// Delivers an event nobody waits for (expiry): right away, from a task.
pub(crate) fn deliver_in_background(sh: &AppState, event: Event, mode: WebhookMode) {
    let times = match mode {
        WebhookMode::Never => return,
        WebhookMode::Twice => 2,
        WebhookMode::BeforeRedirect | WebhookMode::AfterRedirect => 1,
    };
    let sh = sh.clone();
    tokio::spawn(async move { post(&sh, &event, times).await });
}

/// POSTs `event` `times` times with one signature (same `t`), recording each answer.
async fn post(sh: &AppState, event: &Event, times: usize) {
    let Some(url) = sh.webhook_url.lock().unwrap_or_else(|e| e.into_inner()).clone() else { return };
    let t = sh.lock().now();
    let signature = sign(&sh.config.webhook_secret, t, &event.body);
    for _ in 0..times {
        let sent = sh
            .http
            .post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .header("stripe-signature", &signature)
            .body(event.body.clone())
            .send()
            .await;
        let status = match sent {
            Ok(resp) => resp.status().as_u16(),
            Err(e) => {
                tracing::warn!(event = %event.id, "fake-stripe: webhook delivery to {url} failed: {e}");
                0
            }
        };
        sh.lock().deliveries.push(Delivery {
            event_id: event.id.clone(),
            event_type: event.event_type.to_string(),
            status,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signature_matches_a_known_hmac() {
        // HMAC-SHA256(key="whsec_test", "1700000000.{}") computed independently (python hmac).
        let sig = sign("whsec_test", 1_700_000_000, b"{}");
        assert_eq!(sig, "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
        assert_ne!(sig, sign("whsec_other", 1_700_000_000, b"{}"));
    }
}
