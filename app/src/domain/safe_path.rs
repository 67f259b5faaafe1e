//! The one validator for every path that comes from a request and is sent back as a redirect
//! target (`next` after sign-in, `return_to` after a cart form, a guarded page's way back).
//!
//! Browsers are lenient with `Location`: they drop tabs and newlines (`/\t/evil.example` becomes
//! `//evil.example`, another site), treat `\` like `/`, and a header value with a control
//! character makes the HTTP library refuse it (leptos_axum's `redirect` then panicked, which
//! with `panic = "abort"` stopped the server). So a target is accepted only when it is a
//! same-site absolute path with none of those, and what is left outside printable ASCII is
//! percent-encoded so that it is always a valid header value.

/// Longest target we follow; a longer one is not a link a page of ours produced.
pub const MAX_PATH_LEN: usize = 2048;

/// `raw` as a safe same-site path, or `None` when it is not one (the caller then uses its own
/// default). Accepts `/`, `/account?tab=1`, `/c/fashion#top`; refuses anything that could leave
/// the site or break the header.
pub fn local_path(raw: &str) -> Option<String> {
    if raw.len() > MAX_PATH_LEN || !raw.starts_with('/') {
        return None;
    }
    // `//host` and `/\host` name another host; a backslash anywhere is read as a slash.
    if raw.starts_with("//") || raw.contains('\\') {
        return None;
    }
    // Tabs, newlines, DEL and the C1 controls are removed or refused by browsers and HTTP
    // libraries alike; there is no honest use for them in a path.
    if raw.chars().any(char::is_control) {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            // Spaces and non-ASCII letters (é, right-to-left text) travel percent-encoded.
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Some(out)
}

/// `raw` when it is a safe path, else `fallback` (which must itself be a fixed, safe path).
pub fn local_path_or(raw: Option<&str>, fallback: &str) -> String {
    raw.and_then(local_path).unwrap_or_else(|| fallback.to_string())
}

/// The sign-in page, coming back to `next` afterwards (when `next` is a safe path).
pub fn sign_in_then(next: &str) -> String {
    match local_path(next) {
        Some(next) if next != "/" => format!("/login?next={}", query_value(&next)),
        _ => "/login".to_string(),
    }
}

/// Percent-encodes a path for use as one query value, keeping `/`, `?`, `:` and `=` readable
/// (`/login?next=/admin/orders`); `&`, `#`, `+`, `%` and spaces are encoded so the value survives.
pub fn query_value(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'?'
            | b':'
            | b'@'
            | b'='
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The one redirect target outside the site: a page under the payment provider's `origin`
/// (`https://checkout.stripe.com`, from configuration), in printable ASCII. `origin` must be a
/// bare origin; `https://checkout.stripe.com.evil.example/…` and `https://checkout.stripe.com@evil/…`
/// are not under it.
pub fn provider_page<'a>(url: &'a str, origin: &str) -> Option<&'a str> {
    let origin_ok = origin.starts_with("https://") || origin.starts_with("http://");
    let rest = url.strip_prefix(origin)?;
    (origin_ok && rest.starts_with('/') && url.bytes().all(|b| b.is_ascii_graphic())).then_some(url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_pages_under_the_provider_origin_pass() {
        use super::provider_page;
        let o = "https://checkout.stripe.com";
        assert!(provider_page("https://checkout.stripe.com/c/pay/cs_test_1", o).is_some());
        for bad in [
            "https://checkout.stripe.com.evil.example/c",
            "https://checkout.stripe.com@evil.example/c",
            "https://checkout.stripe.com",
            "https://evil.example/https://checkout.stripe.com/",
            "https://checkout.stripe.com/a b",
            "https://checkout.stripe.com/\r\nSet-Cookie:x",
            "//checkout.stripe.com/c",
        ] {
            assert!(provider_page(bad, o).is_none(), "{bad}");
        }
        assert!(provider_page("https://checkout.stripe.com/c", "").is_none(), "no origin configured");
    }

    use super::*;

    #[test]
    fn same_site_paths_pass_unchanged() {
        for p in ["/", "/account", "/account?tab=1", "/c/fashion?sort=price_asc&page=3#top", "/search?q=a%20b"] {
            assert_eq!(local_path(p).as_deref(), Some(p));
        }
    }

    #[test]
    fn anything_that_leaves_the_site_is_refused() {
        for p in [
            "",
            "account",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n//evil.example",
            "/%7F\u{7f}",
            "/a\u{0}b",
            "/\u{85}x",
            "/a\\b",
        ] {
            assert_eq!(local_path(p), None, "{p:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(MAX_PATH_LEN))), None);
    }

    #[test]
    fn spaces_and_non_ascii_are_percent_encoded() {
        assert_eq!(local_path("/search?q=café au lait").as_deref(), Some("/search?q=caf%C3%A9%20au%20lait"));
        assert_eq!(local_path("/\u{202e}abc").as_deref(), Some("/%E2%80%AEabc"));
    }

    #[test]
    fn fallbacks_and_the_sign_in_link() {
        assert_eq!(local_path_or(Some("//evil.example"), "/account"), "/account");
        assert_eq!(local_path_or(None, "/account"), "/account");
        assert_eq!(local_path_or(Some("/cart"), "/account"), "/cart");
        assert_eq!(sign_in_then("/admin/orders"), "/login?next=/admin/orders");
        assert_eq!(sign_in_then("/search?q=a&page=2"), "/login?next=/search?q=a%26page=2");
        assert_eq!(sign_in_then("//evil.example"), "/login");
    }
}
