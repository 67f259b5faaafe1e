//! Checkout Sessions: create, retrieve, expire, and the ticker that expires them on time.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Json;
use serde_json::Value;

use crate::api::ApiError;
use crate::form::Params;
use crate::objects::{LineItem, SessionStatus, format_money, minimum_amount, random_id};
use crate::webhook::{Event, deliver_in_background};
use crate::{AppState, objects::Session};

/// What `POST /v1/checkout/sessions` accepts. Parameters the shop may reasonably send but the
/// fake does not act on (descriptions, `locale`, …) are accepted and ignored; anything else is
/// refused as unknown, like Stripe refuses a typo.
const CREATE_PARAMS: &[&str] = &[
    "mode",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "customer_email",
    "expires_at",
    "metadata[*]",
    "line_items[#][quantity]",
    "line_items[#][price_data][currency]",
    "line_items[#][price_data][unit_amount]",
    "line_items[#][price_data][product_data][name]",
    "line_items[#][price_data][product_data][description]",
    "line_items[#][price_data][product_data][metadata][*]",
    "payment_intent_data[capture_method]",
    "payment_intent_data[description]",
    "payment_intent_data[metadata][*]",
    "payment_method_types[#]",
    "payment_method_types[]",
    "locale",
    "submit_type",
    "expand[]",
    "expand[#]",
];

/// Stripe's `expires_at` window: 30 minutes to 24 hours after creation.
const MIN_EXPIRY: i64 = 30 * 60;
const MAX_EXPIRY: i64 = 24 * 60 * 60;
/// Checkout's largest amount: $999,999.99 (in minor units).
const MAX_AMOUNT: i64 = 99_999_999;

fn check_url(p: &Params, key: &str) -> Result<Option<String>, ApiError> {
    let Some(url) = p.str(key)? else { return Ok(None) };
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => Ok(Some(url.to_string())),
        _ => Err(ApiError::param("url_invalid", "Not a valid URL".to_string(), key)),
    }
}

fn check_expand(p: &Params, allowed: &[&str]) -> Result<bool, ApiError> {
    let mut wanted = false;
    for e in p.expand() {
        if !allowed.contains(&e) {
            return Err(ApiError::bad_param(format!("This property cannot be expanded ({e})."), "expand"));
        }
        wanted = true;
    }
    Ok(wanted)
}

fn line_items(p: &Params) -> Result<(Vec<LineItem>, String), ApiError> {
    let indices = p.indices("line_items");
    if indices.is_empty() {
        return Err(ApiError::missing("line_items"));
    }
    let mut items = Vec::new();
    let mut currency: Option<String> = None;
    for i in indices {
        let key = |k: &str| format!("line_items[{i}][{k}]");
        let cur_key = key("price_data][currency");
        let cur = p.str(&cur_key)?.ok_or_else(|| ApiError::missing(&cur_key))?;
        if cur.len() != 3 || !cur.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ApiError::bad_param(format!("Invalid currency: {cur}."), &cur_key));
        }
        let cur = cur.to_ascii_lowercase();
        match &currency {
            None => currency = Some(cur),
            Some(c) if *c == cur => {}
            Some(_) => {
                return Err(ApiError::bad_param("Line items must all have the same currency.".to_string(), &cur_key));
            }
        }
        let amount_key = key("price_data][unit_amount");
        let unit_amount = p.int(&amount_key)?.ok_or_else(|| ApiError::missing(&amount_key))?;
        if unit_amount < 0 {
            return Err(ApiError::bad_param("This value must be greater than or equal to 0.".into(), &amount_key));
        }
        let name_key = key("price_data][product_data][name");
        let name = p.str(&name_key)?.ok_or_else(|| ApiError::missing(&name_key))?;
        let qty_key = key("quantity");
        let quantity = p.int(&qty_key)?.ok_or_else(|| ApiError::missing(&qty_key))?;
        if quantity < 1 {
            return Err(ApiError::bad_param("This value must be greater than or equal to 1.".into(), &qty_key));
        }
        items.push(LineItem { name: name.to_string(), unit_amount, quantity });
    }
    Ok((items, currency.expect("at least one line item")))
}

/// `POST /v1/checkout/sessions` (payment mode, inline `price_data` only).
pub(crate) async fn create(State(sh): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(&body)?;
    p.allow_only(CREATE_PARAMS)?;
    match p.required("mode")? {
        "payment" => {}
        "setup" | "subscription" => {
            return Err(ApiError::bad_param(
                "fake-stripe models only mode=payment (Stripe would accept this mode).".into(),
                "mode",
            ));
        }
        _ => {
            return Err(ApiError::bad_param(
                "Invalid mode: must be one of payment, setup, or subscription".into(),
                "mode",
            ));
        }
    }
    let success_url = check_url(&p, "success_url")?.ok_or_else(|| ApiError::missing("success_url"))?;
    let cancel_url = check_url(&p, "cancel_url")?;
    let client_reference_id = p.str("client_reference_id")?.map(str::to_string);
    if client_reference_id.as_ref().is_some_and(|c| c.chars().count() > 200) {
        return Err(ApiError::bad_param(
            "Invalid string: client_reference_id must be at most 200 characters".into(),
            "client_reference_id",
        ));
    }
    let customer_email = p.str("customer_email")?.map(str::to_string);
    if let Some(email) = &customer_email {
        let valid = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
        if !valid {
            return Err(ApiError::param("email_invalid", format!("Invalid email address: {email}"), "customer_email"));
        }
    }
    let capture_method = match p.str("payment_intent_data[capture_method]")?.unwrap_or("automatic") {
        m @ ("automatic" | "automatic_async" | "manual") => m.to_string(),
        _ => {
            return Err(ApiError::bad_param(
                "Invalid payment_intent_data[capture_method]: must be one of automatic, automatic_async, or manual"
                    .into(),
                "payment_intent_data[capture_method]",
            ));
        }
    };
    let metadata = p.metadata("metadata")?;
    let pi_metadata = p.metadata("payment_intent_data[metadata]")?;
    let pi_description = p.str("payment_intent_data[description]")?.map(str::to_string);
    let (line_items, currency) = line_items(&p)?;
    check_expand(&p, &["payment_intent"])?;
    let amount_total = line_items
        .iter()
        .try_fold(0i64, |sum, li| li.unit_amount.checked_mul(li.quantity).and_then(|a| sum.checked_add(a)))
        .filter(|a| *a <= MAX_AMOUNT)
        .ok_or_else(|| {
            ApiError::param(
                "amount_too_large",
                format!(
                    "The Checkout Session's total amount due must be no more than {} {currency}",
                    format_money(MAX_AMOUNT, &currency)
                ),
                "line_items",
            )
        })?;
    let min = minimum_amount(&currency);
    if amount_total < min {
        return Err(ApiError::param(
            "amount_too_small",
            format!(
                "The Checkout Session's total amount due must add up to at least {} {currency}",
                format_money(min, &currency)
            ),
            "line_items",
        ));
    }

    let mut store = sh.lock();
    let now = store.now();
    let expires_at = match p.int("expires_at")? {
        None => now + MAX_EXPIRY,
        Some(t) if t < now + MIN_EXPIRY => {
            return Err(ApiError::bad_param(
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.".into(),
                "expires_at",
            ));
        }
        Some(t) if t > now + MAX_EXPIRY => {
            return Err(ApiError::bad_param(
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.".into(),
                "expires_at",
            ));
        }
        Some(t) => t,
    };
    let session = Session {
        id: random_id("cs_test_"),
        created: now,
        expires_at,
        status: SessionStatus::Open,
        payment_status: "unpaid",
        success_url,
        cancel_url,
        client_reference_id,
        customer_email,
        metadata,
        line_items,
        currency,
        amount_total,
        capture_method,
        pi_metadata,
        pi_description,
        payment_intent: None,
    };
    let json = session.to_json(&sh.base_url, None);
    store.sessions.insert(session.id.clone(), session);
    Ok(Json(json))
}

/// `GET /v1/checkout/sessions/{id}` (`expand[]=payment_intent` embeds the PaymentIntent).
pub(crate) async fn retrieve(
    State(sh): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(query.unwrap_or_default().as_bytes())?;
    p.allow_only(&["expand[]", "expand[#]"])?;
    let expand = check_expand(&p, &["payment_intent"])?;
    let store = sh.lock();
    let session = store.sessions.get(&id).ok_or_else(|| ApiError::no_such("checkout.session", &id, "session"))?;
    let pi = if expand {
        session.payment_intent.as_ref().and_then(|pi| store.intents.get(pi)).map(|pi| pi.to_json())
    } else {
        None
    };
    Ok(Json(session.to_json(&sh.base_url, pi)))
}

/// `POST /v1/checkout/sessions/{id}/expire`: only an open session; sends
/// `checkout.session.expired` without waiting for its delivery.
pub(crate) async fn expire(
    State(sh): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(&body)?;
    p.allow_only(&["expand[]", "expand[#]"])?;
    check_expand(&p, &["payment_intent"])?;
    let (json, event, mode) = {
        let mut store = sh.lock();
        let now = store.now();
        let mode = store.webhook_mode;
        let session =
            store.sessions.get_mut(&id).ok_or_else(|| ApiError::no_such("checkout.session", &id, "session"))?;
        if session.status != SessionStatus::Open {
            return Err(ApiError::invalid(
                format!(
                    "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a \
                     status of `{}`.",
                    session.status.as_str()
                ),
                None,
            ));
        }
        session.status = SessionStatus::Expired;
        let json = session.to_json(&sh.base_url, None);
        (json.clone(), Event::new(now, "checkout.session.expired", json), mode)
    };
    deliver_in_background(&sh, event, mode);
    Ok(Json(json))
}

/// Every second, expires the open sessions whose `expires_at` has passed, as Stripe does on
/// its own schedule (Stripe may take a few minutes; a second keeps tests fast).
pub(crate) async fn expiry_ticker(sh: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let (events, mode) = {
            let mut store = sh.lock();
            let now = store.now();
            let mode = store.webhook_mode;
            let events: Vec<Event> = store
                .sessions
                .values_mut()
                .filter(|s| s.status == SessionStatus::Open && s.expires_at <= now)
                .map(|s| {
                    s.status = SessionStatus::Expired;
                    Event::new(now, "checkout.session.expired", s.to_json(&sh.base_url, None))
                })
                .collect();
            (events, mode)
        };
        for event in events {
            deliver_in_background(&sh, event, mode);
        }
    }
}
