//! The one way the server answers with a redirect, for pages (`<Redirect>`, through the hook
//! `App` installs) and server functions alike. leptos_axum's own `redirect` builds the header
//! with `expect`, so a `next` holding a control character stopped the process; here every target
//! goes through `domain::safe_path::local_path` first and nothing can panic.
use crate::domain::safe_path::local_path;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use leptos::prelude::use_context;
use leptos::server_fn::redirect::REDIRECT_HEADER;
use leptos_axum::ResponseOptions;

/// Sends the browser to the payment provider's page `url`: only under `origin` (the provider's,
/// from configuration), the one place outside the site checkout may send a browser. Anything else
/// is refused and logged, and the browser goes to `/checkout`.
pub fn redirect_to_provider(url: &str, origin: &str) {
    let Some(url) = crate::domain::safe_path::provider_page(url, origin) else {
        tracing::error!("refused a payment page outside the provider's origin");
        return redirect("/checkout");
    };
    send(url);
}

/// Sends the browser to `target` (a same-site path; anything else goes to `/`).
///
/// - A page (a guarded page sending a visitor to sign in): `303 See Other`, with or without
///   JavaScript, so curl, crawlers and browsers all see a real redirect.
/// - A server function posted by a plain form (`Accept: text/html`): `302 Found` to the next page.
/// - A server function called by the hydrated app: the result stays a 200 with the
///   `serverfnredirect` header, and the client-side router navigates.
pub fn redirect(target: &str) {
    let path = local_path(target).unwrap_or_else(|| {
        tracing::warn!("refused an unsafe redirect target");
        "/".to_string()
    });
    send(&path);
}

/// Answers with a redirect to `location`, already checked by the caller.
fn send(location: &str) {
    let (Some(parts), Some(response)) = (use_context::<Parts>(), use_context::<ResponseOptions>()) else {
        tracing::warn!("redirect outside a request");
        return;
    };
    let Ok(location) = HeaderValue::from_str(location) else {
        // Callers pass printable ASCII only, so this does not happen; never panic anyway.
        return;
    };
    response.insert_header(header::LOCATION, location);
    let is_server_fn = parts.uri.path().starts_with("/api/");
    let accepts_html =
        parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if !is_server_fn {
        response.set_status(StatusCode::SEE_OTHER);
    } else if accepts_html {
        response.set_status(StatusCode::FOUND);
    } else {
        response.insert_header(HeaderName::from_static(REDIRECT_HEADER), HeaderValue::from_static(""));
    }
}
