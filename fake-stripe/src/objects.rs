//! The objects the fake stores, and their JSON as Stripe renders it (API version 2024-06-20).

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use crate::api::IdempotencyEntry;
use crate::{Delivery, LoggedRequest, WebhookMode};

/// All mutable state of one fake account.
#[derive(Default)]
pub(crate) struct Store {
    pub sessions: HashMap<String, Session>,
    pub intents: HashMap<String, PaymentIntent>,
    /// In creation order (lists answer newest first, as Stripe's do).
    pub refunds: Vec<Refund>,
    pub requests: Vec<LoggedRequest>,
    pub deliveries: Vec<Delivery>,
    /// Keyed by the `Idempotency-Key` header. Stripe keeps keys for 24 h; the fake keeps them
    /// for its lifetime, which no test outlives.
    pub idempotency: HashMap<String, IdempotencyEntry>,
    pub webhook_mode: WebhookMode,
    /// Seconds added to the wall clock (see `FakeStripe::advance_clock`).
    pub clock_offset: i64,
}

impl Store {
    /// The fake's notion of "now", in unix seconds (Stripe's timestamps are whole seconds).
    pub fn now(&self) -> i64 {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        i64::try_from(secs).unwrap_or(i64::MAX) + self.clock_offset
    }
}

/// `prefix` followed by 24 random alphanumerics, like Stripe's ids (`cs_test_a1B2…`).
pub(crate) fn random_id(prefix: &str) -> String {
    let tail: String = rand::rng().sample_iter(Alphanumeric).take(24).map(char::from).collect();
    format!("{prefix}{tail}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionStatus {
    Open,
    Complete,
    Expired,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Complete => "complete",
            SessionStatus::Expired => "expired",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct LineItem {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub status: SessionStatus,
    /// `"paid"` once an automatically captured payment succeeded; stays `"unpaid"` for a manual
    /// capture (funds are only authorised), exactly as Stripe reports it.
    pub payment_status: &'static str,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub client_reference_id: Option<String>,
    pub customer_email: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub line_items: Vec<LineItem>,
    pub currency: String,
    pub amount_total: i64,
    /// From `payment_intent_data[…]`: what the PaymentIntent is created with on payment.
    pub capture_method: String,
    pub pi_metadata: BTreeMap<String, String>,
    pub pi_description: Option<String>,
    pub payment_intent: Option<String>,
}

impl Session {
    /// The hosted page's URL; Stripe sets `url` to null once the session is no longer open.
    pub fn url(&self, base_url: &str) -> String {
        format!("{base_url}/pay/{}", self.id)
    }

    /// The `checkout.session` object. `expanded_pi` replaces the `payment_intent` id by the
    /// object when the caller asked for `expand[]=payment_intent`.
    pub fn to_json(&self, base_url: &str, expanded_pi: Option<Value>) -> Value {
        let payment_intent = match (&self.payment_intent, expanded_pi) {
            (Some(_), Some(object)) => object,
            (Some(id), None) => json!(id),
            (None, _) => Value::Null,
        };
        let customer_details = if self.status == SessionStatus::Complete {
            json!({ "email": self.customer_email, "name": null, "phone": null, "address": null,
                    "tax_exempt": "none", "tax_ids": [] })
        } else {
            Value::Null
        };
        json!({
            "id": self.id,
            "object": "checkout.session",
            "amount_subtotal": self.amount_total,
            "amount_total": self.amount_total,
            "cancel_url": self.cancel_url,
            "client_reference_id": self.client_reference_id,
            "created": self.created,
            "currency": self.currency,
            "customer_details": customer_details,
            "customer_email": self.customer_email,
            "expires_at": self.expires_at,
            "livemode": false,
            "metadata": self.metadata,
            "mode": "payment",
            "payment_intent": payment_intent,
            "payment_method_types": ["card"],
            "payment_status": self.payment_status,
            "status": self.status.as_str(),
            "success_url": self.success_url,
            "ui_mode": "hosted",
            "url": if self.status == SessionStatus::Open { json!(self.url(base_url)) } else { Value::Null },
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PiStatus {
    RequiresCapture,
    Succeeded,
    Canceled,
}

impl PiStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PiStatus::RequiresCapture => "requires_capture",
            PiStatus::Succeeded => "succeeded",
            PiStatus::Canceled => "canceled",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct PaymentIntent {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub currency: String,
    pub capture_method: String,
    pub status: PiStatus,
    pub metadata: BTreeMap<String, String>,
    pub description: Option<String>,
    pub latest_charge: String,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
}

impl PaymentIntent {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": self.amount_capturable,
            "amount_received": self.amount_received,
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": self.capture_method,
            "created": self.created,
            "currency": self.currency,
            "description": self.description,
            "latest_charge": self.latest_charge,
            "livemode": false,
            "metadata": self.metadata,
            "payment_method_types": ["card"],
            "status": self.status.as_str(),
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Refund {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub payment_intent: String,
    pub charge: String,
    pub reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
}

impl Refund {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "metadata": self.metadata,
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "status": "succeeded",
        })
    }
}

/// Currencies whose minor unit is the major unit (Stripe's list); amounts in them have no
/// decimals.
const ZERO_DECIMAL: &[&str] =
    &["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

/// `1999, "usd"` → `"19.99"`; `500, "jpy"` → `"500"`.
pub(crate) fn format_minor(amount: i64, currency: &str) -> String {
    if ZERO_DECIMAL.contains(&currency) {
        return amount.to_string();
    }
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// As Stripe writes amounts in error messages: `$19.99` for USD, `19.99 EUR`-style otherwise.
pub(crate) fn format_money(amount: i64, currency: &str) -> String {
    match currency {
        "usd" => format!("${}", format_minor(amount, currency)),
        "eur" => format!("€{}", format_minor(amount, currency)),
        "gbp" => format!("£{}", format_minor(amount, currency)),
        _ => format!("{} {}", format_minor(amount, currency), currency.to_uppercase()),
    }
}

/// Stripe's minimum charge amounts (in minor units) for the currencies a test is likely to use;
/// Checkout refuses sessions below them. Others: anything above zero.
pub(crate) fn minimum_amount(currency: &str) -> i64 {
    match currency {
        "usd" | "eur" | "chf" | "aud" | "cad" | "nzd" | "sgd" => 50,
        "gbp" => 30,
        "jpy" => 50,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minor_units() {
        assert_eq!(format_minor(1999, "usd"), "19.99");
        assert_eq!(format_minor(5, "usd"), "0.05");
        assert_eq!(format_minor(500, "jpy"), "500");
        assert_eq!(format_money(1000, "usd"), "$10.00");
    }

    #[test]
    fn ids_look_like_stripes() {
        let id = random_id("cs_test_");
        assert!(id.starts_with("cs_test_") && id.len() == 32, "{id}");
        assert!(id[8..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(id, random_id("cs_test_"));
    }
}
