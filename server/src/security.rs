//! Cross-site request forgery protection and security headers, applied to every route.
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A state-changing request (anything but GET/HEAD/OPTIONS) whose Origin, or failing that
/// Referer, names another site is refused. Browsers always send Origin on cross-site POSTs;
/// clients that send neither (curl, server-to-server) are not browsers riding on a cookie.
pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || same_site(req.headers()) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site state-changing request");
    (StatusCode::FORBIDDEN, "Cross-site form submissions are not accepted.").into_response()
}

fn same_site(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    match source {
        None => true,
        Some("null") => false,
        Some(url) => authority(url).is_some_and(|a| a.eq_ignore_ascii_case(host)),
    }
}

/// `https://shop.example:8443/path` → `shop.example:8443`.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Headers every response carries. The Content-Security-Policy, which needs the per-response
/// nonce, is set by the app while rendering (see `app::security_headers`). `hsts` (on when
/// `COOKIE_SECURE=true`, i.e. the shop is served over https) tells browsers to never use plain
/// http for this site again, so a network attacker cannot strip the TLS off a later visit.
pub async fn security_headers(State(hsts): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Server functions answer every error with status 500; this gives each `AppError` its real
/// status (401, 403, 422, 429…) so clients, caches and logs can tell a refusal from a failure.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<app::domain::errors::AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // A 429 says when to come back (RFC 6585), in seconds.
        if let app::domain::errors::AppError::RateLimited(secs) = err {
            parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn origin_must_match_host() {
        assert!(same_site(&headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")])));
        assert!(!same_site(&headers(&[("host", "127.0.0.1:3000"), ("origin", "https://evil.example")])));
        assert!(!same_site(&headers(&[("host", "shop.example"), ("origin", "https://shop.example.evil.com")])));
        assert!(!same_site(&headers(&[("host", "shop.example"), ("origin", "null")])));
        assert!(same_site(&headers(&[("host", "shop.example"), ("referer", "https://shop.example/login?next=/")])));
        assert!(!same_site(&headers(&[("host", "shop.example"), ("referer", "https://evil.example/shop.example")])));
        assert!(same_site(&headers(&[("host", "shop.example")])), "no Origin and no Referer: not a browser");
    }
}
