//! What every `/v1/*` call goes through, in Stripe's order: authentication, then the
//! `Idempotency-Key` (replay or conflict), then the endpoint; each answer is logged. Also the
//! Stripe-shaped error type the endpoints answer with.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Value, json};

use crate::form::Params;
use crate::objects::random_id;
use crate::{AppState, LoggedRequest, checkout, payments};

/// The API version the fake's objects are shaped after (also in every event).
pub(crate) const API_VERSION: &str = "2024-06-20";

/// Stripe caps request bodies far above anything the adapter sends.
const MAX_BODY: usize = 1 << 20;

pub(crate) fn router(shared: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/checkout/sessions", post(checkout::create))
        .route("/v1/checkout/sessions/{id}", get(checkout::retrieve))
        .route("/v1/checkout/sessions/{id}/expire", post(checkout::expire))
        .route("/v1/payment_intents/{id}", get(payments::retrieve))
        .route("/v1/payment_intents/{id}/capture", post(payments::capture))
        .route("/v1/payment_intents/{id}/cancel", post(payments::cancel))
        .route("/v1/refunds", post(payments::create_refund).get(payments::list_refunds))
        .route("/v1/{*rest}", any(unrecognized))
        .method_not_allowed_fallback(unrecognized)
        .layer(from_fn_with_state(shared, api_layer))
}

/// A Stripe error answer: `{"error":{"type","code","message","param","doc_url"}}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    kind: &'static str,
    code: Option<String>,
    message: String,
    param: Option<String>,
    /// Stripe saves an idempotent result only once the endpoint "started executing": a request
    /// that failed parameter validation is not saved, so a corrected retry under the same key
    /// is not stuck with the old error.
    saved: bool,
}

/// Marks a response the idempotency layer must not save (see [`ApiError::saved`]).
#[derive(Clone, Copy)]
struct NotSaved;

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, code: Option<&str>, message: String) -> ApiError {
        ApiError { status, kind, code: code.map(str::to_string), message, param: None, saved: true }
    }

    /// A request the endpoint refused after looking at the account's state (saved for replay).
    pub fn invalid(message: impl Into<String>, code: Option<&str>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", code, message.into())
    }

    /// A parameter failed validation (not saved for replay).
    pub fn param(code: &str, message: String, param: &str) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", Some(code), message);
        e.param = Some(param.to_string());
        e.saved = false;
        e
    }

    /// A parameter failed validation with no error code (Stripe has none for, e.g., a value
    /// outside an enum or a URL of the wrong shape it describes in words).
    pub fn bad_param(message: String, param: &str) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", None, message);
        e.param = Some(param.to_string());
        e.saved = false;
        e
    }

    pub fn missing(param: &str) -> ApiError {
        ApiError::param("parameter_missing", format!("Missing required param: {param}."), param)
    }

    /// An id in the URL that does not exist: 404 `resource_missing`.
    pub fn no_such(object: &str, id: &str, param: &str) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            Some("resource_missing"),
            format!("No such {object}: '{id}'"),
        );
        e.param = Some(param.to_string());
        e
    }

    pub fn with_param(mut self, param: &str) -> ApiError {
        self.param = Some(param.to_string());
        self
    }

    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status = status;
        self
    }

    fn unsaved(mut self) -> ApiError {
        self.saved = false;
        self
    }

    fn body(&self) -> Value {
        let mut error = json!({ "type": self.kind, "message": self.message });
        if let Some(code) = &self.code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-")));
        }
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"Stripe\""));
        }
        if !self.saved {
            resp.extensions_mut().insert(NotSaved);
        }
        resp
    }
}

/// What a stored idempotent request is compared on: Stripe refuses a key reused for another
/// endpoint or with other parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    endpoint: String,
    params: Vec<(String, String)>,
}

pub(crate) enum IdempotencyEntry {
    /// The first request with this key is still executing.
    InFlight,
    Done {
        fingerprint: Fingerprint,
        status: StatusCode,
        body: axum::body::Bytes,
    },
}

async fn api_layer(State(sh): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let (mut resp, replayed) = match authenticate(&sh, req.headers()) {
        Err(e) => (e.into_response(), false),
        // Stripe ignores the key on GET and DELETE: those are idempotent anyway.
        Ok(()) => match &key {
            Some(k) if method == Method::POST => idempotent(&sh, k, req, next).await,
            _ => (next.run(req).await, false),
        },
    };
    let headers = resp.headers_mut();
    headers.insert("request-id", HeaderValue::from_str(&random_id("req_")).expect("ascii id"));
    headers.insert("stripe-version", HeaderValue::from_static(API_VERSION));
    if let Some(k) = key.as_deref().and_then(|k| HeaderValue::from_str(k).ok()) {
        headers.insert("idempotency-key", k);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    let status = resp.status().as_u16();
    tracing::debug!(%method, %path, status, replayed, "fake-stripe api call");
    sh.lock().requests.push(LoggedRequest {
        method: method.to_string(),
        path,
        idempotency_key: key,
        status,
        idempotent_replayed: replayed,
    });
    resp
}

fn authenticate(sh: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let Some(presented) = presented else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, \
             using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See \
             https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
                .to_string(),
        ));
    };
    if presented == sh.config.secret_key {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        None,
        format!("Invalid API Key provided: {}", mask_key(presented)),
    ))
}

/// As Stripe echoes a wrong key: its `sk_test_`-style prefix and last four characters only.
fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let prefix = match key.match_indices('_').nth(1) {
        Some((i, _)) if key[..=i].chars().count() + 4 < chars.len() => key[..=i].chars().count(),
        _ => 0,
    };
    let suffix = if chars.len() > prefix + 8 { 4 } else { 0 };
    let mut out: String = chars[..prefix].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - prefix - suffix));
    out.extend(&chars[chars.len() - suffix..]);
    out
}

/// Runs a POST under an idempotency key: replays the saved answer for a retry, refuses a key
/// reused differently, and otherwise runs the endpoint once and saves its answer.
async fn idempotent(sh: &AppState, key: &str, req: Request, next: Next) -> (Response, bool) {
    if key.len() > 255 {
        let e = ApiError::param(
            "idempotency_key_too_long",
            "Idempotency-Key must be at most 255 characters long.".to_string(),
            "Idempotency-Key",
        );
        return (e.into_response(), false);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (ApiError::invalid("Request body too large.", None).unsaved().into_response(), false);
    };
    let params = match Params::parse(&bytes) {
        Ok(p) => p.fingerprint(),
        Err(_) => vec![(String::new(), String::from_utf8_lossy(&bytes).into_owned())],
    };
    let fingerprint = Fingerprint { endpoint: format!("{} {}", parts.method, parts.uri.path()), params };
    {
        let mut store = sh.lock();
        match store.idempotency.get(key) {
            None => {
                store.idempotency.insert(key.to_string(), IdempotencyEntry::InFlight);
            }
            Some(IdempotencyEntry::InFlight) => {
                let e = ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_error",
                    None,
                    format!(
                        "There is currently another in-progress request using this Idempotent Key (that probably \
                         means you submitted twice, and the other request is still going through): {key}. Please \
                         try again later."
                    ),
                )
                .unsaved();
                return (e.into_response(), false);
            }
            Some(IdempotencyEntry::Done { fingerprint: old, status, body }) => {
                if old.endpoint != fingerprint.endpoint {
                    let msg = format!(
                        "Keys for idempotent requests can only be used for the same endpoint they were first used \
                         for ('{}' vs '{}'). Try using a key other than '{key}' if you meant to execute a different \
                         request.",
                        old.endpoint, fingerprint.endpoint
                    );
                    let e = ApiError::new(StatusCode::BAD_REQUEST, "idempotency_error", None, msg).unsaved();
                    return (e.into_response(), false);
                }
                if old.params != fingerprint.params {
                    let msg = format!(
                        "Keys for idempotent requests can only be used with the same parameters they were first \
                         used with. Try using a key other than '{key}' if you meant to execute a different request."
                    );
                    let e = ApiError::new(StatusCode::BAD_REQUEST, "idempotency_error", None, msg).unsaved();
                    return (e.into_response(), false);
                }
                let mut resp = Response::new(Body::from(body.clone()));
                *resp.status_mut() = *status;
                resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                return (resp, true);
            }
        }
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let saved = resp.extensions().get::<NotSaved>().is_none();
    let (parts, body) = resp.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut store = sh.lock();
    if saved {
        store
            .idempotency
            .insert(key.to_string(), IdempotencyEntry::Done { fingerprint, status: parts.status, body: body.clone() });
    } else {
        store.idempotency.remove(key);
    }
    (Response::from_parts(parts, Body::from(body)), false)
}

async fn unrecognized(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        format!(
            "Unrecognized request URL ({method}: {}). Please see https://stripe.com/docs or we can help at \
             https://support.stripe.com/.",
            uri.path()
        ),
    )
    .unsaved()
}

#[cfg(test)]
mod tests {
    use super::mask_key;

    #[test]
    fn masks_keys_like_stripe() {
        assert_eq!(mask_key("sk_test_abcdefghijkl1234"), "sk_test_************1234");
        assert_eq!(mask_key("short"), "*****");
    }
}
