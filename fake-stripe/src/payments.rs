//! PaymentIntents (retrieve, capture, cancel), refunds, and the charge a successful payment on
//! the hosted page makes.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Json;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::ApiError;
use crate::form::Params;
use crate::objects::{PaymentIntent, PiStatus, Refund, SessionStatus, Store, format_money, random_id};
use crate::webhook::Event;

const EXPAND: [&str; 2] = ["expand[]", "expand[#]"];

/// The fake does not expand anything on these objects; Stripe would refuse unknown properties.
fn no_expand(p: &Params) -> Result<(), ApiError> {
    match p.expand().first() {
        Some(e) => Err(ApiError::bad_param(format!("This property cannot be expanded ({e})."), "expand")),
        None => Ok(()),
    }
}

fn intent<'a>(store: &'a mut Store, id: &str) -> Result<&'a mut PaymentIntent, ApiError> {
    store.intents.get_mut(id).ok_or_else(|| ApiError::no_such("payment_intent", id, "intent"))
}

/// `GET /v1/payment_intents/{id}`.
pub(crate) async fn retrieve(
    State(sh): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(query.unwrap_or_default().as_bytes())?;
    p.allow_only(&EXPAND)?;
    no_expand(&p)?;
    Ok(Json(intent(&mut sh.lock(), &id)?.to_json()))
}

/// `POST /v1/payment_intents/{id}/capture`: captures all or part of an authorisation; the rest
/// is released (Stripe's default; multicapture is not modelled).
pub(crate) async fn capture(
    State(sh): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(&body)?;
    p.allow_only(&["amount_to_capture", EXPAND[0], EXPAND[1]])?;
    no_expand(&p)?;
    let amount = p.int("amount_to_capture")?;
    if amount.is_some_and(|a| a < 1) {
        return Err(ApiError::bad_param("Invalid positive integer".into(), "amount_to_capture"));
    }
    let mut store = sh.lock();
    let pi = intent(&mut store, &id)?;
    if pi.status != PiStatus::RequiresCapture {
        return Err(ApiError::invalid(
            format!(
                "This PaymentIntent could not be captured because it has a status of {}. Only a PaymentIntent with \
                 one of the following statuses may be captured: requires_capture.",
                pi.status.as_str()
            ),
            Some("payment_intent_unexpected_state"),
        ));
    }
    let amount = amount.unwrap_or(pi.amount_capturable);
    if amount > pi.amount_capturable {
        return Err(ApiError::invalid(
            "The payment could not be captured because the requested capture amount is greater than the amount \
             you can capture for this charge.",
            Some("amount_too_large"),
        )
        .with_param("amount_to_capture"));
    }
    pi.status = PiStatus::Succeeded;
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    Ok(Json(pi.to_json()))
}

/// `POST /v1/payment_intents/{id}/cancel`: releases an authorisation. (Stripe also cancels
/// intents that never got paid; the fake only creates intents for payments, so only
/// `requires_capture` can be cancelled here.)
pub(crate) async fn cancel(
    State(sh): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(&body)?;
    p.allow_only(&["cancellation_reason", EXPAND[0], EXPAND[1]])?;
    no_expand(&p)?;
    let reason = p.str("cancellation_reason")?;
    if let Some(r) = reason
        && !["duplicate", "fraudulent", "requested_by_customer", "abandoned"].contains(&r)
    {
        return Err(ApiError::bad_param(
            "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned"
                .into(),
            "cancellation_reason",
        ));
    }
    let mut store = sh.lock();
    let now = store.now();
    let pi = intent(&mut store, &id)?;
    if pi.status != PiStatus::RequiresCapture {
        return Err(ApiError::invalid(
            format!(
                "You cannot cancel this PaymentIntent because it has a status of {}. Only a PaymentIntent with one \
                 of the following statuses may be canceled: requires_payment_method, requires_capture, \
                 requires_confirmation, requires_action, processing.",
                pi.status.as_str()
            ),
            Some("payment_intent_unexpected_state"),
        ));
    }
    pi.status = PiStatus::Canceled;
    pi.amount_capturable = 0;
    pi.canceled_at = Some(now);
    pi.cancellation_reason = reason.map(str::to_string);
    Ok(Json(pi.to_json()))
}

const REFUND_REASONS: [&str; 3] = ["duplicate", "fraudulent", "requested_by_customer"];

/// `POST /v1/refunds` by `payment_intent` (refunding by `charge` is not modelled).
pub(crate) async fn create_refund(State(sh): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(&body)?;
    p.allow_only(&["payment_intent", "amount", "reason", "metadata[*]", EXPAND[0], EXPAND[1]])?;
    no_expand(&p)?;
    let pi_id = p.required("payment_intent")?;
    let amount = p.int("amount")?;
    if amount.is_some_and(|a| a < 1) {
        return Err(ApiError::bad_param("Invalid positive integer".into(), "amount"));
    }
    let reason = p.str("reason")?;
    if reason.is_some_and(|r| !REFUND_REASONS.contains(&r)) {
        return Err(ApiError::bad_param(
            "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer".into(),
            "reason",
        ));
    }
    let metadata = p.metadata("metadata")?;
    let mut store = sh.lock();
    let now = store.now();
    // A missing object named in the body (not the URL) is a 400, not a 404, at Stripe.
    let pi = store.intents.get(pi_id).ok_or_else(|| {
        ApiError::no_such("payment_intent", pi_id, "payment_intent").with_status(StatusCode::BAD_REQUEST)
    })?;
    if pi.status != PiStatus::Succeeded {
        return Err(ApiError::invalid(
            format!("This PaymentIntent ({pi_id}) does not have a successful charge to refund."),
            None,
        ));
    }
    let refunded: i64 = store.refunds.iter().filter(|r| r.payment_intent == pi.id).map(|r| r.amount).sum();
    let remaining = pi.amount_received - refunded;
    if remaining <= 0 {
        return Err(ApiError::invalid(
            format!("Charge {} has already been refunded.", pi.latest_charge),
            Some("charge_already_refunded"),
        ));
    }
    let amount = amount.unwrap_or(remaining);
    if amount > remaining {
        return Err(ApiError::invalid(
            format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                format_money(amount, &pi.currency),
                format_money(remaining, &pi.currency)
            ),
            Some("amount_too_large"),
        )
        .with_param("amount"));
    }
    let refund = Refund {
        id: random_id("re_"),
        created: now,
        amount,
        currency: pi.currency.clone(),
        payment_intent: pi.id.clone(),
        charge: pi.latest_charge.clone(),
        reason: reason.map(str::to_string),
        metadata,
    };
    let json = refund.to_json();
    store.refunds.push(refund);
    Ok(Json(json))
}

/// `GET /v1/refunds[?payment_intent=…][&limit=…]`, newest first (no cursor pagination).
pub(crate) async fn list_refunds(
    State(sh): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = Params::parse(query.unwrap_or_default().as_bytes())?;
    p.allow_only(&["payment_intent", "limit"])?;
    let limit = p.int("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_param("Invalid limit: must be an integer between 1 and 100".into(), "limit"));
    }
    let pi = p.str("payment_intent")?;
    let store = sh.lock();
    if let Some(pi) = pi
        && !store.intents.contains_key(pi)
    {
        return Err(ApiError::no_such("payment_intent", pi, "payment_intent").with_status(StatusCode::BAD_REQUEST));
    }
    let matching: Vec<&Refund> =
        store.refunds.iter().rev().filter(|r| pi.is_none_or(|pi| r.payment_intent == pi)).collect();
    let limit = usize::try_from(limit).unwrap_or(10);
    let data: Vec<Value> = matching.iter().take(limit).map(|r| r.to_json()).collect();
    Ok(Json(json!({
        "object": "list",
        "data": data,
        "has_more": matching.len() > limit,
        "url": "/v1/refunds",
    })))
}

/// A successful card payment on session `id`'s hosted page: creates the PaymentIntent
/// (authorised only for manual capture) and completes the session. Returns the
/// `checkout.session.completed` event, or `None` if the session is not open (a second submit
/// raced the first: it must not pay twice).
pub(crate) fn pay_session(store: &mut Store, base_url: &str, id: &str) -> Option<Event> {
    let now = store.now();
    let session = store.sessions.get_mut(id).filter(|s| s.status == SessionStatus::Open)?;
    let manual = session.capture_method == "manual";
    let pi = PaymentIntent {
        id: random_id("pi_"),
        created: now,
        amount: session.amount_total,
        amount_capturable: if manual { session.amount_total } else { 0 },
        amount_received: if manual { 0 } else { session.amount_total },
        currency: session.currency.clone(),
        capture_method: session.capture_method.clone(),
        status: if manual { PiStatus::RequiresCapture } else { PiStatus::Succeeded },
        // Stripe does NOT copy the session's `metadata` onto the PaymentIntent: only
        // `payment_intent_data[metadata]` lands there.
        metadata: session.pi_metadata.clone(),
        description: session.pi_description.clone(),
        latest_charge: random_id("ch_"),
        canceled_at: None,
        cancellation_reason: None,
    };
    session.status = SessionStatus::Complete;
    session.payment_status = if manual { "unpaid" } else { "paid" };
    session.payment_intent = Some(pi.id.clone());
    let event = Event::new(now, "checkout.session.completed", session.to_json(base_url, None));
    store.intents.insert(pi.id.clone(), pi);
    Some(event)
}
