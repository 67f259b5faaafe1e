//! Whole-page cache for visitors without cookies: the home, category, search and product pages a
//! crawler or a first-time visitor asks for are rendered once per catalog version and then served
//! as stored bytes, already compressed.
//!
//! Correctness rests on three rules. (1) Only a GET carrying none of the shop's cookies (`mm_*`)
//! and no `Authorization` is looked up or stored, so a kept page was rendered for nobody in
//! particular and is served only to nobody in particular. (2) Only a page that said so while
//! rendering is kept (`app::api::page_cache`: the catalog server functions mark their page
//! `shareable`; an error or an exact low-stock count marks it `private`), with status 200, HTML,
//! and no cookie but the visitor cookie a product view mints — which a served copy mints afresh,
//! recording its view too. (3) A kept page is served only while the database's catalog version
//! (migration 0019, read on every request, so every instance sees a change on its next request)
//! is the one it was rendered at, and for at most `MAX_AGE`, which bounds what the jobs change
//! without moving the version (the popular and also-bought blocks).
//!
//! The per-response CSP nonce cannot be in a page served twice: a served copy carries a policy
//! with the SHA-256 hashes of its inline scripts instead (the stale nonce attributes left in its
//! HTML match no policy ever sent again).
use app::api::page_cache::{MARK, VIEWED};
use app::services::Shop;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest a page is served from the cache even while the catalog version stays the same.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// Compressed bytes kept in all (each page is kept brotli- and gzip-compressed).
pub const DEFAULT_BUDGET: usize = 48 * 1024 * 1024;
/// A longer path and query is rendered every time (and cannot crowd the cache with keys).
const MAX_KEY: usize = 512;
/// A larger page is never kept.
const MAX_PAGE: usize = 4 * 1024 * 1024;
/// Says whether this response came from the cache (`hit`) or was just kept (`stored`).
pub const STATUS_HEADER: &str = "x-page-cache";

/// One kept page.
struct Page {
    version: i64,
    stored: Instant,
    content_type: HeaderValue,
    csp: HeaderValue,
    brotli: Bytes,
    gzip: Bytes,
    /// The product this page counts a view of (a product page for a visitor without a cookie).
    viewed: Option<i64>,
}

impl Page {
    fn size(&self) -> usize {
        self.brotli.len() + self.gzip.len() + 256
    }
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<String, Arc<Page>>,
    bytes: usize,
}

/// The kept pages of one server process, within a byte budget.
pub struct PageCache {
    pages: Mutex<Pages>,
    budget: usize,
}

impl PageCache {
    pub fn new(budget: usize) -> Arc<PageCache> {
        Arc::new(PageCache { pages: Mutex::new(Pages::default()), budget })
    }

    fn get(&self, key: &str) -> Option<Arc<Page>> {
        self.pages.lock().ok()?.by_key.get(key).cloned()
    }

    fn put(&self, key: String, page: Page) {
        let Ok(mut pages) = self.pages.lock() else { return };
        let version = page.version;
        let size = page.size();
        if size > self.budget {
            return;
        }
        if let Some(old) = pages.by_key.insert(key, Arc::new(page)) {
            pages.bytes -= old.size();
        }
        pages.bytes += size;
        if pages.bytes > self.budget {
            // Pages of an older catalog version go first, then the oldest, down to 3/4 of the budget.
            let mut order: Vec<(bool, Instant, String)> =
                pages.by_key.iter().map(|(k, p)| (p.version == version, p.stored, k.clone())).collect();
            order.sort();
            for (_, _, k) in order {
                if pages.bytes <= self.budget / 4 * 3 {
                    break;
                }
                if let Some(p) = pages.by_key.remove(&k) {
                    pages.bytes -= p.size();
                }
            }
        }
    }

    /// Pages kept now (for tests and logs).
    pub fn len(&self) -> usize {
        self.pages.lock().map(|p| p.by_key.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone)]
pub struct PageCacheState {
    pub cache: Arc<PageCache>,
    pub shop: Shop,
}

/// The middleware: serve a kept copy, or render and keep what may be kept.
pub async fn serve(State(state): State<PageCacheState>, req: Request, next: Next) -> Response {
    let Some(key) = cache_key(&req) else {
        return strip_marks(next.run(req).await);
    };
    // Read before rendering: a change committed meanwhile leaves the kept copy already stale.
    let version = match state.shop.catalog.catalog_version().await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "catalog version unreadable: page rendered without the cache");
            return strip_marks(next.run(req).await);
        }
    };
    if let Some(page) = state.cache.get(&key)
        && page.version == version
        && page.stored.elapsed() < MAX_AGE
    {
        let encoding = preferred_encoding(req.headers());
        return served(&state.shop, &page, encoding);
    }
    let res = next.run(req).await;
    if !keepable(&res) {
        return strip_marks(res);
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page body could not be read for the page cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let viewed = parts.headers.get(VIEWED).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
    strip(&mut parts.headers);
    parts.headers.insert(STATUS_HEADER, HeaderValue::from_static("stored"));
    let (cache, html) = (state.cache.clone(), bytes.clone());
    // Compressing and hashing take a few milliseconds: off the request's thread, after it is answered.
    tokio::task::spawn_blocking(move || {
        let Some(content_type) = content_type else { return };
        match kept_page(&html, version, content_type, viewed) {
            Some(page) => cache.put(key, page),
            None => tracing::warn!("a shareable page had no usable inline scripts to hash: not kept"),
        }
    });
    Response::from_parts(parts, Body::from(bytes))
}

/// The key of a request the cache may answer: a GET without the shop's cookies or credentials.
fn cache_key(req: &Request) -> Option<String> {
    if req.method() != Method::GET || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    if carries_shop_cookie(req.headers()) {
        return None;
    }
    if !may_be_a_page(req.uri().path()) {
        return None;
    }
    let key = req.uri().path_and_query()?.as_str();
    (key.len() <= MAX_KEY).then(|| key.to_string())
}

/// Static files, media, server functions and webhooks are never kept pages: they skip the
/// catalog version read. Page paths never hold a dot (slugs are letters, digits and hyphens).
fn may_be_a_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 4] = ["/api/", "/pkg/", "/media/", "/webhooks/"];
    !NOT_PAGES.iter().any(|prefix| path.starts_with(prefix))
        && path != "/healthz"
        && !path.rsplit('/').next().unwrap_or("").contains('.')
}

/// Whether any cookie of the shop (`mm_…`) is sent; an unreadable Cookie header counts as one.
fn carries_shop_cookie(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().any(|value| match value.to_str() {
        Ok(v) => v.split(';').any(|c| c.trim_start().starts_with("mm_")),
        Err(_) => true,
    })
}

/// A rendered response that may be kept: 200, HTML, marked shareable and not private, setting
/// no cookie but a freshly minted visitor cookie.
fn keepable(res: &Response) -> bool {
    let h = res.headers();
    let marks: Vec<&[u8]> = h.get_all(MARK).iter().map(|v| v.as_bytes()).collect();
    let visitor_cookie = format!("{}=", app::api::recommendations::VISITOR_COOKIE);
    let minted_for_a_view =
        |c: &HeaderValue| c.as_bytes().starts_with(visitor_cookie.as_bytes()) && h.contains_key(VIEWED);
    res.status() == StatusCode::OK
        && marks.contains(&b"shareable".as_slice())
        && !marks.contains(&b"private".as_slice())
        && h.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && h.get(header::CONTENT_ENCODING).is_none()
        && h.get_all(header::SET_COOKIE).iter().all(minted_for_a_view)
}

fn strip(headers: &mut HeaderMap) {
    headers.remove(MARK);
    headers.remove(VIEWED);
}

fn strip_marks(mut res: Response) -> Response {
    strip(res.headers_mut());
    res
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Brotli if the client takes it, else gzip, else none (`q=0` refuses a coding).
pub fn preferred_encoding(headers: &HeaderMap) -> Encoding {
    let mut brotli = false;
    let mut gzip = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut params = item.split(';');
            let coding = params.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = params.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            if refused {
                continue;
            }
            match coding.as_str() {
                "br" => brotli = true,
                "gzip" | "x-gzip" => gzip = true,
                _ => {}
            }
        }
    }
    if brotli {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// A kept page as this client wants it; a product page mints the visitor's cookie and counts the view.
fn served(shop: &Shop, page: &Page, encoding: Encoding) -> Response {
    let (body, coding) = match encoding {
        Encoding::Brotli => (page.brotli.clone(), Some("br")),
        Encoding::Gzip => (page.gzip.clone(), Some("gzip")),
        Encoding::Identity => {
            let mut html = Vec::with_capacity(page.gzip.len() * 6);
            if let Err(e) = flate2::read::GzDecoder::new(page.gzip.as_ref()).read_to_end(&mut html) {
                tracing::error!(error = %e, "a kept page did not decompress");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            (Bytes::from(html), None)
        }
    };
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, page.content_type.clone());
    h.insert(header::CONTENT_SECURITY_POLICY, page.csp.clone());
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(STATUS_HEADER, HeaderValue::from_static("hit"));
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    if let Some(product_id) = page.viewed {
        let cookie = app::api::recommendations::first_visit_view(shop, product_id);
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Compresses the page and builds its hash-based policy; `None` if the HTML is not as expected.
fn kept_page(html: &[u8], version: i64, content_type: HeaderValue, viewed: Option<i64>) -> Option<Page> {
    let text = std::str::from_utf8(html).ok()?;
    let hashes = inline_script_hashes(text)?;
    let sources: Vec<String> = hashes.iter().map(|h| format!("'sha256-{h}'")).collect();
    let csp = HeaderValue::from_str(&app::content_security_policy_with(&sources.join(" "), "")).ok()?;
    let mut brotli = Vec::with_capacity(html.len() / 5);
    {
        let mut w = brotli::CompressorWriter::new(&mut brotli, 4096, 6, 22);
        w.write_all(html).ok()?;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(html.len() / 4), flate2::Compression::new(6));
    gz.write_all(html).ok()?;
    let gzip = gz.finish().ok()?;
    Some(Page {
        version,
        stored: Instant::now(),
        content_type,
        csp,
        brotli: Bytes::from(brotli),
        gzip: Bytes::from(gzip),
        viewed,
    })
}

/// Base64 SHA-256 of the text of every inline `<script>` (what a CSP hash source matches), in
/// document order, without repeats; `None` when a script element is not closed. Scripts with a
/// `src` hash their empty text, which allows nothing.
pub fn inline_script_hashes(html: &str) -> Option<Vec<String>> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut hashes: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after_tag = rest.get(start..)?;
        let open_end = after_tag.find('>')?;
        let content_and_more = after_tag.get(open_end + 1..)?;
        let close = content_and_more.find("</script")?;
        let content = content_and_more.get(..close)?;
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(content.as_bytes()));
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
        rest = content_and_more.get(close..)?.get("</script".len()..)?;
    }
    Some(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn brotli_first_then_gzip_and_q0_refuses() {
        assert_eq!(preferred_encoding(&accept("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(preferred_encoding(&accept("gzip, deflate")), Encoding::Gzip);
        assert_eq!(preferred_encoding(&accept("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(preferred_encoding(&accept("BR")), Encoding::Brotli);
        assert_eq!(preferred_encoding(&accept("identity")), Encoding::Identity);
        assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn hashes_are_of_each_inline_scripts_text() {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let html = r#"<p>x</p><script nonce="n">a=1;</script><script type="module" nonce="n">b()</script><script src="/x.js"></script><script>a=1;</script>"#;
        let h = |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
        assert_eq!(inline_script_hashes(html).unwrap(), vec![h("a=1;"), h("b()"), h("")]);
        assert_eq!(inline_script_hashes("<script>never closed"), None);
    }

    #[test]
    fn files_and_endpoints_are_not_looked_up() {
        for path in ["/pkg/shop.wasm", "/media/products/a-1.svg", "/favicon.svg", "/api/catalog/home", "/healthz"] {
            assert!(!may_be_a_page(path), "{path}");
        }
        for path in ["/", "/c/home-living", "/products/ceramic-desk-lamp", "/search"] {
            assert!(may_be_a_page(path), "{path}");
        }
    }

    #[test]
    fn only_the_shops_cookies_make_a_request_personal() {
        let with = |c: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, HeaderValue::from_str(c).unwrap());
            h
        };
        assert!(carries_shop_cookie(&with("mm_session=abc")));
        assert!(carries_shop_cookie(&with("_ga=1; mm_cart=xyz")));
        assert!(!carries_shop_cookie(&with("_ga=1; theme=dark")));
        assert!(!carries_shop_cookie(&HeaderMap::new()));
    }

    #[test]
    fn the_budget_drops_the_oldest_pages() {
        let cache = PageCache::new(10_000);
        let page = |n: usize| Page {
            version: 1,
            stored: Instant::now(),
            content_type: HeaderValue::from_static("text/html"),
            csp: HeaderValue::from_static("x"),
            brotli: Bytes::from(vec![0u8; n]),
            gzip: Bytes::new(),
            viewed: None,
        };
        for i in 0..10 {
            cache.put(format!("/{i}"), page(2_000));
        }
        assert!(cache.len() < 10 && !cache.is_empty());
        assert!(cache.get("/9").is_some(), "the newest page stays");
        assert!(cache.get("/0").is_none(), "the oldest page went");
        cache.put("/huge".into(), page(20_000));
        assert!(cache.get("/huge").is_none(), "a page larger than the budget is never kept");
    }

    #[test]
    fn a_kept_page_decompresses_to_the_rendered_html_and_hashes_its_scripts() {
        let html = "<!DOCTYPE html><html><head><script nonce=\"n\">__R=[];</script></head><body>".to_string()
            + &"<p>Ceramic desk lamp</p>".repeat(400)
            + "</body></html>";
        let page = kept_page(html.as_bytes(), 7, HeaderValue::from_static("text/html"), Some(3)).unwrap();
        let mut from_brotli = Vec::new();
        brotli::Decompressor::new(page.brotli.as_ref(), 4096).read_to_end(&mut from_brotli).unwrap();
        assert_eq!(from_brotli, html.as_bytes());
        let mut from_gzip = Vec::new();
        flate2::read::GzDecoder::new(page.gzip.as_ref()).read_to_end(&mut from_gzip).unwrap();
        assert_eq!(from_gzip, html.as_bytes());
        assert!(page.brotli.len() * 10 < html.len(), "kept compressed");
        let csp = page.csp.to_str().unwrap();
        assert!(
            csp.contains(&format!("'sha256-{}'", inline_script_hashes(&html).unwrap()[0])) && !csp.contains("nonce")
        );
        assert_eq!((page.version, page.viewed), (7, Some(3)));
    }

    proptest! {
        #[test]
        fn any_accept_encoding_or_html_is_handled_without_panicking(ae in "\\PC{0,80}", html in "(<script[^>]{0,5}>?|</script>|[^<]{0,10}){0,12}") {
            if let Ok(v) = HeaderValue::from_str(&ae) {
                let mut h = HeaderMap::new();
                h.insert(header::ACCEPT_ENCODING, v);
                let _ = preferred_encoding(&h);
            }
            let _ = inline_script_hashes(&html);
        }
    }
}
