//! `POST /webhooks/carriers/{carrier}`: tracking events pushed by carriers. Each request must be
//! signed with that carrier's secret (see `app::domain::webhook`); a bad or missing signature is
//! answered 401 before the body is even parsed, and nothing is recorded. Events are recorded once
//! per carrier event id and folded in timestamp order, so retries and out-of-order delivery are
//! harmless.
use app::domain::carriers::Carrier;
use app::domain::webhook::{CarrierEventPayload, MAX_BODY_BYTES, SIGNATURE_HEADER, verify};
use app::services::Shop;
use app::services::fulfilment::CarrierEvent;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// Per-carrier webhook secrets from `CARRIER_WEBHOOK_SECRETS` (`ups=…,dhl-express=…`). Never
/// printed: `Debug` shows only which carriers have one.
#[derive(Clone, Default)]
pub struct CarrierSecrets(HashMap<Carrier, Vec<u8>>);

impl std::fmt::Debug for CarrierSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut carriers: Vec<&str> = self.0.keys().map(|c| c.code()).collect();
        carriers.sort_unstable();
        write!(f, "CarrierSecrets({} configured: {})", carriers.len(), carriers.join(", "))
    }
}

/// Shortest secret accepted: HMAC keys shorter than this are guessable.
pub const MIN_SECRET_LEN: usize = 16;

impl CarrierSecrets {
    /// From `carrier=secret` pairs separated by commas; `*=secret` sets every carrier at once.
    pub fn parse(spec: &str) -> Result<CarrierSecrets, String> {
        let mut map = HashMap::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (code, secret) = entry.split_once('=').ok_or_else(|| {
                "CARRIER_WEBHOOK_SECRETS entries look like ups=<secret> (comma separated)".to_string()
            })?;
            let secret = secret.trim();
            if secret.len() < MIN_SECRET_LEN {
                return Err(format!(
                    "CARRIER_WEBHOOK_SECRETS: the secret for {:?} must be at least {MIN_SECRET_LEN} characters",
                    code.trim()
                ));
            }
            let carriers: Vec<Carrier> = match code.trim() {
                "*" => Carrier::ALL.to_vec(),
                code => vec![Carrier::parse(code).ok_or_else(|| {
                    let known: Vec<&str> = Carrier::ALL.iter().map(|c| c.code()).collect();
                    format!("CARRIER_WEBHOOK_SECRETS: unknown carrier {code:?}; use one of {}", known.join(", "))
                })?],
            };
            for c in carriers {
                map.insert(c, secret.as_bytes().to_vec());
            }
        }
        Ok(CarrierSecrets(map))
    }

    pub fn get(&self, carrier: Carrier) -> Option<&[u8]> {
        self.0.get(&carrier).map(Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    answer(status, serde_json::json!({ "error": message.to_string() }))
}

pub async fn receive(
    State(shop): State<Shop>,
    State(secrets): State<Arc<CarrierSecrets>>,
    Path(carrier): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = app::services::clock::now();
    let Some(carrier) = Carrier::parse(&carrier) else {
        return error(StatusCode::NOT_FOUND, format!("Unknown carrier {carrier:?}."));
    };
    // The signature comes first: an unsigned request learns nothing about our shipments.
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = verify(secrets.get(carrier).unwrap_or_default(), signature, &body, now) {
        tracing::warn!(carrier = carrier.code(), reason = %e, "refused a carrier webhook");
        return error(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED), e);
    }
    let payload: CarrierEventPayload = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("The body is not a tracking event: {e}.")),
    };
    let event = match payload.validate(carrier, now) {
        Ok(e) => e,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let number = event.tracking_number.as_str();
    match app::services::fulfilment::receive_carrier_event(&shop, carrier, number, &event.event, now).await {
        Ok(CarrierEvent::Recorded { shipment_id, shipment_status }) => {
            tracing::info!(
                carrier = carrier.code(),
                shipment = shipment_id,
                kind = event.event.kind.as_str(),
                "tracking event recorded"
            );
            answer(StatusCode::OK, serde_json::json!({ "recorded": true, "shipment_status": shipment_status.as_str() }))
        }
        Ok(CarrierEvent::Duplicate) => {
            answer(StatusCode::OK, serde_json::json!({ "recorded": false, "duplicate": true }))
        }
        Ok(CarrierEvent::UnknownShipment) => {
            error(StatusCode::NOT_FOUND, format!("No {} shipment has tracking number {number}.", carrier.name()))
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record a tracking event");
            error(StatusCode::SERVICE_UNAVAILABLE, "Try again later.")
        }
    }
}

/// The route, with a body limit so an oversized request is refused (413) before it is buffered.
pub fn route() -> axum::routing::MethodRouter<crate::startup::AppState> {
    axum::routing::post(receive).layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}
