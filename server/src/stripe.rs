//! Stripe behind the payment port (`PAYMENTS=stripe`): hosted payment through Checkout Sessions,
//! captures, voids and refunds on the session's PaymentIntent, and signed webhooks. The card never
//! reaches our server: the shopper types it on Stripe's page.
//!
//! Calls used (Stripe API, form-encoded, `Authorization: Bearer <secret key>`):
//! - `POST /v1/checkout/sessions` — one per checkout (`Idempotency-Key` from the checkout's key),
//!   with the order's total as one line, our order number as `client_reference_id`, and
//!   `payment_intent_data[capture_method]=manual` when the marketplace captures later;
//! - `GET /v1/checkout/sessions/{id}?expand[]=payment_intent` — how a session ended (webhooks and
//!   the browser's return both read it back rather than trusting what they carry);
//! - `POST /v1/payment_intents/{id}/capture` and `/cancel`, `POST /v1/refunds` — each with our
//!   idempotency key, so a retried call moves money once.
//!
//! Webhooks are checked with the `Stripe-Signature` scheme (HMAC-SHA256 over `"{t}.{body}"`,
//! five-minute window; `app::domain::webhook::verify`). Nothing here logs a key, a secret or a
//! signature. Tests run it against `fake-stripe`, a local fake of these endpoints.
use app::domain::gateway::GatewayOutcome;
use app::domain::hosted_payment::{HostedSession, ProviderPayment, ProviderPaymentStatus, SessionState};
use app::domain::money::Money;
use app::domain::payment::{DeclineReason, EventOutcome};
use app::domain::webhook::WebhookError;
use app::services::payment_provider::{
    BeginPayment, NextAction, PaymentProvider, ProviderError, ProviderEvent, not_done,
};
use serde_json::Value;
use std::time::Duration;

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
pub const DEFAULT_CHECKOUT_ORIGIN: &str = "https://checkout.stripe.com";
pub const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// `PAYMENTS=stripe` settings. `Debug` never shows the key or the secret.
#[derive(Clone)]
pub struct StripeConfig {
    /// `STRIPE_SECRET_KEY` (`sk_live_…`, `sk_test_…` or a restricted `rk_…` key).
    pub secret_key: String,
    /// `STRIPE_WEBHOOK_SECRET` (`whsec_…`), the endpoint's signing secret.
    pub webhook_secret: String,
    /// `STRIPE_API_BASE`: Stripe's API, or the local fake in tests.
    pub api_base: String,
    /// `STRIPE_CHECKOUT_ORIGIN`: where Stripe's payment pages live; the only origin checkout
    /// redirects to.
    pub checkout_origin: String,
    /// `PUBLIC_URL`: where Stripe sends the shopper back.
    pub public_url: String,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("mode", &self.mode())
            .field("api_base", &self.api_base)
            .field("checkout_origin", &self.checkout_origin)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl StripeConfig {
    /// From the environment's values; errors name the variable and what to fix.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>, public_url: &str) -> Result<StripeConfig, String> {
        let set = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let secret_key = set("STRIPE_SECRET_KEY")
            .ok_or("PAYMENTS=stripe needs STRIPE_SECRET_KEY (the secret API key, sk_live_… or sk_test_…)")?;
        if !["sk_live_", "sk_test_", "rk_live_", "rk_test_"].iter().any(|p| secret_key.starts_with(p))
            || secret_key.len() < 20
        {
            return Err(
                "STRIPE_SECRET_KEY must be a secret or restricted key (sk_… or rk_…), not a publishable key".into()
            );
        }
        let webhook_secret = set("STRIPE_WEBHOOK_SECRET")
            .ok_or("PAYMENTS=stripe needs STRIPE_WEBHOOK_SECRET (the webhook endpoint's signing secret, whsec_…)")?;
        if !webhook_secret.starts_with("whsec_") || webhook_secret.len() < 20 {
            return Err("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…)".into());
        }
        let origin = |k: &str, default: &str| -> Result<String, String> {
            let v = set(k).unwrap_or_else(|| default.to_string());
            let v = v.trim_end_matches('/').to_string();
            let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://")).unwrap_or("");
            if rest.is_empty() || rest.contains('/') || rest.contains('@') {
                return Err(format!("{k} must be an origin like {default} (got {v:?})"));
            }
            Ok(v)
        };
        Ok(StripeConfig {
            secret_key,
            webhook_secret,
            api_base: origin("STRIPE_API_BASE", DEFAULT_API_BASE)?,
            checkout_origin: origin("STRIPE_CHECKOUT_ORIGIN", DEFAULT_CHECKOUT_ORIGIN)?,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    /// "test" or "live", from the key: safe to log.
    pub fn mode(&self) -> &'static str {
        if self.secret_key.contains("_live_") { "live" } else { "test" }
    }
}

pub struct Stripe {
    config: StripeConfig,
    http: reqwest::Client,
}

/// Stripe's error object, or a transport failure (`status` 0).
#[derive(Debug)]
struct ApiError {
    status: u16,
    kind: String,
    code: String,
    message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} {} {}: {}", self.status, self.kind, self.code, self.message)
    }
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Stripe, String> {
        // reqwest is built without a bundled crypto provider; use ring, as lettre does. Installing
        // twice (tests build several) is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent("meridian-market")
            .build()
            .map_err(|e| format!("could not build the HTTP client for Stripe: {e}"))?;
        Ok(Stripe { config, http })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.config.api_base);
        let mut request = self.http.request(method.clone(), url).bearer_auth(&self.config.secret_key);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if method == reqwest::Method::POST {
            request = request.form(form);
        }
        let transport = |e: reqwest::Error| ApiError {
            status: 0,
            kind: "transport".into(),
            code: String::new(),
            message: e.to_string(),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.map_err(transport)?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let error = &body["error"];
        let text = |k: &str| error[k].as_str().unwrap_or_default().to_string();
        Err(ApiError { status, kind: text("type"), code: text("code"), message: text("message") })
    }

    async fn post(&self, path: &str, form: &[(String, String)], key: &str) -> Result<Value, ApiError> {
        self.call(reqwest::Method::POST, path, form, Some(key)).await
    }

    /// A capture, void or refund's answer as the payment state machine takes it.
    fn outcome(&self, what: &str, answer: Result<Value, ApiError>, fallback: &str) -> GatewayOutcome {
        match answer {
            Ok(v) => GatewayOutcome {
                reference: v["id"].as_str().unwrap_or(fallback).to_string(),
                outcome: EventOutcome::Succeeded,
            },
            Err(e) => {
                tracing::warn!(call = what, error = %e, "Stripe refused a call");
                let reason = match e.code.as_str() {
                    "card_declined" => DeclineReason::CardDeclined,
                    "insufficient_funds" => DeclineReason::InsufficientFunds,
                    _ => DeclineReason::ProcessingError,
                };
                GatewayOutcome { reference: fallback.to_string(), outcome: EventOutcome::Declined(reason) }
            }
        }
    }
}

/// Stripe's path segment for an id we stored or were given: letters, digits and `_` only.
fn id_segment(id: &str) -> Option<&str> {
    (!id.is_empty() && id.len() <= 200 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(id)
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// A session as Stripe returns it (with `payment_intent` expanded, or as an id).
pub fn session_from_json(v: &Value) -> Option<HostedSession> {
    let state = match v["status"].as_str()? {
        "open" => SessionState::Open,
        "complete" => SessionState::Complete,
        "expired" => SessionState::Expired,
        _ => return None,
    };
    let intent = &v["payment_intent"];
    let payment = intent.is_object().then(|| ProviderPayment {
        reference: intent["id"].as_str().unwrap_or_default().to_string(),
        status: match intent["status"].as_str() {
            Some("requires_capture") => ProviderPaymentStatus::RequiresCapture,
            Some("succeeded") => ProviderPaymentStatus::Succeeded,
            Some("canceled") => ProviderPaymentStatus::Canceled,
            _ => ProviderPaymentStatus::Processing,
        },
        amount_minor: intent["amount"].as_i64().unwrap_or(-1),
        received_minor: intent["amount_received"].as_i64().unwrap_or(0),
    });
    Some(HostedSession {
        id: v["id"].as_str()?.to_string(),
        order_number: v["client_reference_id"].as_str().map(str::to_string),
        checkout_key: v["metadata"]["checkout_key"].as_str().map(str::to_string),
        state,
        amount_minor: v["amount_total"].as_i64()?,
        currency: v["currency"].as_str()?.to_string(),
        payment,
    })
}

/// A verified webhook body as an event: its id, type and the Checkout Session it is about.
pub fn event_from_json(body: &[u8]) -> Option<ProviderEvent> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let object = &v["data"]["object"];
    let session = (object["object"].as_str() == Some("checkout.session"))
        .then(|| object["id"].as_str().map(str::to_string))
        .flatten();
    Some(ProviderEvent { id: v["id"].as_str()?.to_string(), kind: v["type"].as_str()?.to_string(), session })
}

#[async_trait::async_trait]
impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn hosted(&self) -> bool {
        true
    }

    fn label(&self) -> &'static str {
        "Stripe Checkout"
    }

    fn redirect_origin(&self) -> Option<&str> {
        Some(&self.config.checkout_origin)
    }

    async fn begin(&self, p: &BeginPayment<'_>) -> Result<NextAction, ProviderError> {
        let base = &self.config.public_url;
        let form = pairs(&[
            ("mode", "payment".into()),
            ("success_url", format!("{base}{}?session_id={{CHECKOUT_SESSION_ID}}", p.return_path)),
            ("cancel_url", format!("{base}{}", p.cancel_path)),
            ("client_reference_id", p.order_number.to_string()),
            ("customer_email", p.email.to_string()),
            ("expires_at", p.expires_at.to_string()),
            ("line_items[0][quantity]", "1".into()),
            ("line_items[0][price_data][currency]", p.amount.currency.code().to_ascii_lowercase()),
            ("line_items[0][price_data][unit_amount]", p.amount.minor.to_string()),
            ("line_items[0][price_data][product_data][name]", p.description.to_string()),
            ("payment_intent_data[capture_method]", if p.manual_capture { "manual" } else { "automatic" }.into()),
            ("payment_intent_data[metadata][order]", p.order_number.to_string()),
            ("metadata[order]", p.order_number.to_string()),
            ("metadata[checkout_key]", p.idempotency_key.to_string()),
        ]);
        let key = format!("checkout-session-{}", p.idempotency_key);
        let session = self.post("/v1/checkout/sessions", &form, &key).await.map_err(|e| match e.status {
            0 => ProviderError::Unreachable(e.to_string()),
            _ => ProviderError::Refused(e.to_string()),
        })?;
        let (Some(id), Some(url)) = (session["id"].as_str(), session["url"].as_str()) else {
            return Err(ProviderError::Refused("the session has no id or url".into()));
        };
        if app::domain::safe_path::provider_page(url, &self.config.checkout_origin).is_none() {
            return Err(ProviderError::Refused("the session's page is not under STRIPE_CHECKOUT_ORIGIN".into()));
        }
        Ok(NextAction::Redirect { session: id.to_string(), url: url.to_string() })
    }

    async fn session(&self, id: &str) -> Result<HostedSession, ProviderError> {
        let id = id_segment(id).ok_or(ProviderError::Refused("not a session id".into()))?;
        let path = format!("/v1/checkout/sessions/{id}?expand[]=payment_intent");
        let v = self.call(reqwest::Method::GET, &path, &[], None).await.map_err(|e| match e.status {
            0 => ProviderError::Unreachable(e.to_string()),
            404 => ProviderError::NoSuch("checkout session"),
            _ => ProviderError::Refused(e.to_string()),
        })?;
        session_from_json(&v).ok_or(ProviderError::Refused("the session could not be read".into()))
    }

    fn webhook(&self, signature: Option<&str>, body: &[u8], now: i64) -> Result<ProviderEvent, WebhookError> {
        app::domain::webhook::verify(self.config.webhook_secret.as_bytes(), signature, body, now)?;
        // Signed by Stripe but not an event we can read: treat like any bad request.
        event_from_json(body).ok_or(WebhookError::MalformedSignature)
    }

    async fn capture(&self, reference: &str, amount: Money, key: &str) -> GatewayOutcome {
        let Some(id) = id_segment(reference) else { return not_done(reference) };
        let form = pairs(&[("amount_to_capture", amount.minor.to_string())]);
        let answer = self.post(&format!("/v1/payment_intents/{id}/capture"), &form, key).await;
        self.outcome("capture", answer, reference)
    }

    async fn void(&self, reference: &str, key: &str) -> GatewayOutcome {
        let Some(id) = id_segment(reference) else { return not_done(reference) };
        let answer = self.post(&format!("/v1/payment_intents/{id}/cancel"), &[], key).await;
        self.outcome("cancel", answer, reference)
    }

    async fn refund(&self, reference: &str, amount: Money, key: &str) -> GatewayOutcome {
        let Some(id) = id_segment(reference) else { return not_done(reference) };
        let form = pairs(&[("payment_intent", id.to_string()), ("amount", amount.minor.to_string())]);
        let answer = self.post("/v1/refunds", &form, key).await;
        // A refund that failed has no refund id: the event keeps the payment's reference.
        self.outcome("refund", answer, reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn configuration_names_what_is_missing_and_never_prints_secrets() {
        let err = StripeConfig::from_lookup(&lookup(&[]), "https://shop.example").unwrap_err();
        assert!(err.contains("STRIPE_SECRET_KEY"), "{err}");
        let publishable = lookup(&[("STRIPE_SECRET_KEY", "pk_test_0123456789abcdefghij")]);
        assert!(StripeConfig::from_lookup(&publishable, "https://x.example").unwrap_err().contains("publishable"));
        let no_secret = lookup(&[("STRIPE_SECRET_KEY", "sk_test_0123456789abcdefghij")]);
        assert!(
            StripeConfig::from_lookup(&no_secret, "https://x.example").unwrap_err().contains("STRIPE_WEBHOOK_SECRET")
        );
        let bad_base = lookup(&[
            ("STRIPE_SECRET_KEY", "sk_test_0123456789abcdefghij"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_0123456789abcdefghij"),
            ("STRIPE_API_BASE", "https://api.stripe.com/v1"),
        ]);
        assert!(StripeConfig::from_lookup(&bad_base, "https://x.example").unwrap_err().contains("STRIPE_API_BASE"));
        let ok = lookup(&[
            ("STRIPE_SECRET_KEY", "sk_live_0123456789abcdefghij"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_0123456789abcdefghij"),
        ]);
        let config = StripeConfig::from_lookup(&ok, "https://shop.example/").unwrap();
        assert_eq!((config.mode(), config.api_base.as_str()), ("live", DEFAULT_API_BASE));
        assert_eq!(config.public_url, "https://shop.example");
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk_live") && !shown.contains("whsec_"), "{shown}");
    }

    #[test]
    fn sessions_are_read_as_stripe_sends_them() {
        let v = serde_json::json!({
            "id": "cs_test_abc", "object": "checkout.session", "status": "complete", "amount_total": 2599,
            "currency": "usd", "client_reference_id": "MM-1", "metadata": {"checkout_key": "k-1"},
            "payment_intent": {"id": "pi_1", "status": "requires_capture", "amount": 2599, "amount_received": 0}
        });
        let s = session_from_json(&v).unwrap();
        assert_eq!(
            (s.state, s.order_number.as_deref(), s.checkout_key.as_deref()),
            (SessionState::Complete, Some("MM-1"), Some("k-1"))
        );
        assert_eq!(s.payment.unwrap().status, ProviderPaymentStatus::RequiresCapture);
        let unexpanded = serde_json::json!({"id": "cs_1", "status": "open", "amount_total": 1, "currency": "usd", "payment_intent": "pi_1"});
        assert_eq!(session_from_json(&unexpanded).unwrap().payment, None);
        assert!(session_from_json(&serde_json::json!({"id": "cs_1", "status": "weird"})).is_none());
    }

    #[test]
    fn events_name_their_session() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1","object":"checkout.session"}}}"#;
        let e = event_from_json(body).unwrap();
        assert_eq!(
            (e.id.as_str(), e.kind.as_str(), e.session.as_deref()),
            ("evt_1", "checkout.session.completed", Some("cs_test_1"))
        );
        let other = br#"{"id":"evt_2","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge"}}}"#;
        assert_eq!(event_from_json(other).unwrap().session, None);
        assert!(event_from_json(b"not json").is_none());
    }

    #[test]
    fn only_plain_ids_go_into_paths() {
        assert_eq!(id_segment("pi_123abc"), Some("pi_123abc"));
        for bad in ["", "pi_1/../../v1/refunds", "pi 1", "pi_1?x=1"] {
            assert_eq!(id_segment(bad), None, "{bad}");
        }
    }
}
