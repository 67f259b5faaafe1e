//! `POST /webhooks/payments`: the payment provider's events (Stripe's `checkout.session.*`).
//!
//! The signature is checked first, over the raw body (401 and nothing read otherwise). Each event
//! id is acted on once: an event seen before is answered 200 at once. An event about a hosted
//! session settles it (`services::hosted_checkout::settle_session`, which reads the session back
//! from the provider and records it once, so the webhook racing the browser's return is harmless)
//! and is remembered only after that succeeded — if the provider cannot be read or the database is
//! down, the answer is 5xx and the provider's retry tries again.
use crate::startup::AppState;
use app::domain::errors::AppError;
use app::services::Shop;
use app::services::hosted_checkout::settle_session;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Stripe events are a few kilobytes; anything near this is not one.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The session events that can change an order.
const SESSION_EVENTS: [&str; 4] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
];

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

async fn receive(State(shop): State<Shop>, headers: HeaderMap, body: Bytes) -> Response {
    let now = shop.clock.now();
    let provider = shop.gateway.name();
    let signature = headers.get(crate::stripe::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let event = match shop.gateway.webhook(signature, &body, now) {
        Ok(event) => event,
        Err(app::domain::webhook::WebhookError::NotConfigured) => {
            return answer(
                StatusCode::NOT_FOUND,
                serde_json::json!({ "error": "This shop takes no payment webhooks." }),
            );
        }
        Err(e) => {
            tracing::warn!(provider, reason = %e, "refused a payment webhook");
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            return answer(status, serde_json::json!({ "error": "The signature does not match this request." }));
        }
    };
    match shop.orders.provider_event_seen(provider, &event.id).await {
        Ok(true) => return answer(StatusCode::OK, serde_json::json!({ "duplicate": true })),
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = %e, "could not check a payment webhook's event id");
            return answer(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({ "error": "Try again later." }));
        }
    }
    let settled = match (&event.session, SESSION_EVENTS.contains(&event.kind.as_str())) {
        (Some(session), true) => match settle_session(&shop, session).await {
            Ok(s) => serde_json::json!({ "order": s.number(), "settled": s.as_str() }),
            // Not one of our orders (another integration shares the account): nothing to do.
            Err(AppError::NotFound(_)) => serde_json::json!({ "ignored": "no such order" }),
            Err(e) => {
                tracing::error!(provider, event = event.kind, error = %e, "a payment webhook could not be settled yet");
                return answer(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({ "error": "Try again later." }));
            }
        },
        _ => serde_json::json!({ "ignored": event.kind }),
    };
    if let Err(e) = shop.orders.remember_provider_event(provider, &event.id, now).await {
        // Acting on it again is harmless (settlement is recorded once); only log.
        tracing::warn!(error = %e, "could not remember a payment webhook's event id");
    }
    tracing::info!(provider, event = event.kind, "payment webhook handled");
    answer(StatusCode::OK, settled)
}

/// The route, with a body limit so an oversized request is refused (413) before it is buffered.
pub fn route() -> axum::routing::MethodRouter<AppState> {
    axum::routing::post(receive).layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}
