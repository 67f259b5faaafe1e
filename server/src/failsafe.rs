//! What keeps one bad request from hurting the others: a request id on every request and log
//! line (a proxy's own, when it is plainly an id), a panic answered as a 500 (and logged with that id) instead of a dead process, and a
//! size limit on server-function bodies.
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};

pub const REQUEST_ID: &str = "x-request-id";

/// Server functions take small forms; the largest real one (a product with its description and
/// variants) is a few kilobytes. Uploads and CSV imports have their own routes and limits.
pub const API_BODY_LIMIT: usize = 256 * 1024;

/// The longest `x-request-id` taken from a client (a UUID is 36 characters).
pub const MAX_CLIENT_REQUEST_ID: usize = 64;

/// Gives the request an id and returns it to the client, so a shopper's "error 500, request
/// 1a2b…" finds its log line. A proxy's or client's own `x-request-id` is kept when it is
/// plainly an id (`client_request_id`), so one id follows a request through the proxy's log
/// and ours; anything else could forge or break log lines, and is replaced by ours.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let value = match client_request_id(req.headers().get(REQUEST_ID)) {
        Some(value) => value,
        None => match HeaderValue::from_str(&next_id()) {
            Ok(value) => value,
            Err(_) => return next.run(req).await,
        },
    };
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let mut res = next.run(req).await;
    res.headers_mut().insert(REQUEST_ID, value);
    res
}

/// A client's id, if it is 1 to `MAX_CLIENT_REQUEST_ID` characters of `A–Z a–z 0–9 - _ .`:
/// nothing a log line or a terminal could read as structure (no spaces, quotes, `=`, escapes).
pub fn client_request_id(value: Option<&HeaderValue>) -> Option<HeaderValue> {
    let value = value?;
    let bytes = value.as_bytes();
    let plain = (1..=MAX_CLIENT_REQUEST_ID).contains(&bytes.len())
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| value.clone())
}

fn next_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // Distinct across restarts and instances (start time and pid), ordered within one process.
    let start = *START.get_or_init(|| {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        (nanos as u64) ^ (u64::from(std::process::id()) << 40)
    });
    format!("{:08x}{:08x}", (start >> 16) as u32, COUNTER.fetch_add(1, Ordering::Relaxed) as u32)
}

/// The request path as the log may show it: a public tracking link's token and an order number
/// are secrets of the shopper who holds them, so they are cut (`/track/…`, `/orders/…`).
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/track/", "/orders/", "/admin/orders/"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return format!("{prefix}…").into();
        }
    }
    path.into()
}

/// A panic anywhere below becomes a 500 for this request only, and one error line (inside the
/// request's span, so it carries the request id). Release builds unwind (Cargo.toml), so the
/// process and every other request carry on.
pub async fn catch_panic(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(res) => res,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            tracing::error!(panic = %message, "a bug stopped this request; answered 500");
            internal_error(is_api)
        }
    }
}

/// The 500 answer: for a server function the JSON `AppError` its client decodes, for a page a
/// plain page that says what to do.
pub fn internal_error(is_api: bool) -> Response {
    let mut res = if is_api {
        let body = serde_json::to_string(&app::domain::errors::AppError::server()).unwrap_or_default();
        (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], ERROR_PAGE)
            .into_response()
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

const ERROR_PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
content=\"width=device-width, initial-scale=1\"><title>Something went wrong · Meridian Market</title></head>\
<body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1c1917\">\
<p style=\"color:#be123c;font-weight:600\">500</p><h1>Something went wrong on our side</h1>\
<p>Nothing was charged twice and your cart is safe. Please try again in a moment, or go back to the \
<a href=\"/\">shop's front page</a>.</p></body></html>";

/// Server-function bodies over `API_BODY_LIMIT` are refused up front with 413 (the limit that
/// leptos applies while reading would surface as a 500).
pub async fn limit_api_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if req.uri().path().starts_with("/api/") && declared.is_some_and(|n| n > API_BODY_LIMIT as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("This form is too large: at most {} KB can be sent.", API_BODY_LIMIT / 1024),
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        let parts: Vec<&str> = "only-one".split(',').collect();
        parts[3]
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_router_keeps_serving() {
        let app = Router::new()
            .route("/boom", get(boom))
            .route("/api/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(catch_panic))
            .layer(axum::middleware::from_fn(request_id));
        let res = app.clone().oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(res.headers().contains_key(REQUEST_ID));
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("Something went wrong on our side"));
        let res = app.clone().oneshot(Request::get("/api/boom").body(Body::empty()).unwrap()).await.unwrap();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let err: app::domain::errors::AppError = serde_json::from_slice(&body).unwrap();
        assert_eq!(err, app::domain::errors::AppError::server());
        let res = app.oneshot(Request::get("/fine").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    #[test]
    fn tokens_and_order_numbers_stay_out_of_the_log() {
        assert_eq!(loggable_path("/track/AbC123xyz"), "/track/…");
        assert_eq!(loggable_path("/orders/MM-7K2Q9"), "/orders/…");
        assert_eq!(loggable_path("/admin/orders/MM-7K2Q9"), "/admin/orders/…");
        assert_eq!(loggable_path("/admin/orders"), "/admin/orders");
        assert_eq!(loggable_path("/c/fashion"), "/c/fashion");
    }

    #[test]
    fn a_client_request_id_is_kept_only_when_plainly_an_id() {
        let id = |s: &str| client_request_id(HeaderValue::from_str(s).ok().as_ref());
        assert_eq!(id("7f3e9a2c-1b4d-4e8f-9a6b-0c2d4e6f8a1b").unwrap(), "7f3e9a2c-1b4d-4e8f-9a6b-0c2d4e6f8a1b");
        assert!(id("lb.trace_01").is_some());
        for bad in ["", "two words", "a\"b", "k=v", "x\u{1b}[31m", "é", "a".repeat(MAX_CLIENT_REQUEST_ID + 1).as_str()]
        {
            assert!(id(bad).is_none(), "{bad:?}");
        }
        assert!(client_request_id(None).is_none());
    }

    #[test]
    fn request_ids_differ() {
        let (a, b) = (next_id(), next_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
    }

    /// The process survives a bug only if release builds unwind; `panic = "abort"` came back once
    /// as a size optimisation and turned every panic into a dead shop.
    #[test]
    fn release_builds_unwind() {
        let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
        let release = manifest.split("[profile.release]").nth(1).unwrap().split("\n[").next().unwrap();
        assert!(release.contains("panic = \"unwind\""), "[profile.release] must say panic = \"unwind\":\n{release}");
    }
}
