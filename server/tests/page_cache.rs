//! The whole-page cache (server/src/page_cache.rs) over the real router, on both engines: a
//! visitor without cookies gets a kept copy with a policy that hashes its scripts, a change to the
//! catalog shows on the very next request, and nobody with a cookie ever gets a copy.
#[macro_use]
mod support;

use app::domain::inventory::{Adjustment, Reason};
use server::store::Database;
use support::fixtures::{self, Marketplace, store};
use support::{Response, TestApp, spawn_app_on};

conformance!(
    multi_thread;
    a_visitor_without_cookies_gets_a_kept_copy_whose_policy_hashes_its_scripts,
    a_sell_out_shows_on_the_next_request,
    a_signed_in_shopper_never_gets_the_anonymous_copy,
    a_kept_product_page_still_counts_the_visit_and_gives_a_visitor_cookie,
    a_page_showing_an_exact_low_stock_count_is_rendered_every_time,
);

async fn app(db: Database) -> TestApp {
    spawn_app_on(db, app::services::AuthSettings::default()).await
}

/// GETs `path` until the answer comes from the cache (the copy is kept just after the first answer).
async fn until_hit(app: &TestApp, path: &str) -> Response {
    for _ in 0..100 {
        let res = app.get(path).await;
        if res.header("x-page-cache") == Some("hit") {
            return res;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{path} was never served from the page cache");
}

/// The page with its nonce (in `nonce` and, from Leptos, `crossorigin` attributes) blanked.
fn without_nonces(html: &str) -> String {
    let mut html = html.to_string();
    for attr in ["nonce=\"", "crossorigin=\""] {
        let mut out = String::new();
        for (i, part) in html.split(attr).enumerate() {
            if i == 0 {
                out.push_str(part);
            } else {
                out.push_str(attr);
                out.push_str("…\"");
                out.push_str(part.split_once('"').map(|(_, rest)| rest).unwrap_or(""));
            }
        }
        html = out;
    }
    html
}

/// The text of every inline script, as the browser hashes it.
fn script_texts(html: &str) -> Vec<&str> {
    html.split("<script").skip(1).map(|s| s.split_once('>').unwrap().1.split("</script>").next().unwrap()).collect()
}

async fn a_visitor_without_cookies_gets_a_kept_copy_whose_policy_hashes_its_scripts(db: Database) {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let app = app(db).await;
    let first = app.get("/").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-page-cache"), Some("stored"));
    assert!(first.header("content-security-policy").unwrap().contains("'nonce-"), "a rendered page uses a nonce");
    let copy = until_hit(&app, "/").await;
    assert_eq!(without_nonces(&copy.body), without_nonces(&first.body), "the copy is the page");
    let csp = copy.header("content-security-policy").unwrap();
    assert!(!csp.contains("'nonce-"), "no nonce is ever sent twice: {csp}");
    let scripts = script_texts(&copy.body);
    assert!(scripts.len() >= 2, "the page has its hydration scripts");
    for text in scripts {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()));
        assert!(csp.contains(&format!("'sha256-{hash}'")), "script {text:.60} is allowed by its hash: {csp}");
    }
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
        "the rest of the policy stays"
    );
    assert_eq!(copy.header("x-frame-options"), Some("DENY"), "the security headers are still added");
    assert!(copy.header("x-shop-page-cache").is_none(), "the page's marks never reach the browser");
    // Another query string is another page.
    let search = app.get("/search?q=lamp").await;
    assert_eq!(search.header("x-page-cache"), Some("stored"));
}

async fn a_sell_out_shows_on_the_next_request(db: Database) {
    let lamp = fixtures::item("tide-lamp").title("Tide Lamp").sku("tide-1").price(4200).stock(40);
    let built = Marketplace::new().store(store("tide").sells([lamp])).build(&db).await;
    let app = app(db).await;
    let path = "/products/tide-lamp";
    assert!(app.get(path).await.body.contains("In stock"));
    assert!(until_hit(&app, path).await.body.contains("In stock"));

    let adjustment =
        Adjustment { variant_id: built.variant("tide-lamp"), delta: -40, reason: Reason::Damaged, note: String::new() };
    let p = built.product("tide-lamp");
    app.db.inventory().adjust(p.merchant, None, &adjustment, None, 1_700_000_000).await.unwrap();

    let next = app.get(path).await;
    assert_ne!(next.header("x-page-cache"), Some("hit"), "the catalog version moved: no copy");
    assert!(next.body.contains("Sold out") && !next.body.contains("In stock"), "the sell-out shows at once");
}

async fn a_signed_in_shopper_never_gets_the_anonymous_copy(db: Database) {
    let app = app(db).await;
    until_hit(&app, "/").await;
    let cookie = app.login(support::SHOPPER.0, support::SHOPPER.1).await;
    let mine = app.get_as(&cookie, "/").await;
    assert_eq!(mine.status, 200);
    assert!(mine.header("x-page-cache").is_none(), "a request with the shop's cookies bypasses the cache");
    assert!(mine.header("content-security-policy").unwrap().contains("'nonce-"));
    // Nor is what a signed-in shopper was shown kept for anyone.
    let again = app.get_as(&cookie, "/").await;
    assert!(again.header("x-page-cache").is_none());
    // Any other cookie (analytics, a theme) does not make a visitor personal.
    let other = app.request("GET", "/", &[("Cookie", "theme=dark")], "").await;
    assert_eq!(other.header("x-page-cache"), Some("hit"));
}

async fn a_kept_product_page_still_counts_the_visit_and_gives_a_visitor_cookie(db: Database) {
    let app = app(db).await;
    let home = app.get("/").await;
    let path = support::product_links(&home.body).into_iter().next().unwrap();
    let first = app.get(&path).await;
    let cookie =
        |r: &Response| r.all("set-cookie").into_iter().find(|c| c.starts_with("mm_visitor=")).map(|c| c.to_string());
    let first_cookie = cookie(&first).expect("a first visit gets a visitor cookie");
    until_hit(&app, &path).await;
    let views = "SELECT COUNT(*) FROM anon_product_views";
    app.shop.views.flush().await.unwrap();
    let before = app.db.scalar_raw(views).await.unwrap();
    let copy = app.get(&path).await;
    assert_eq!(copy.header("x-page-cache"), Some("hit"));
    let copy_cookie = cookie(&copy).expect("a copy still gives the visitor a cookie");
    assert_ne!(copy_cookie, first_cookie, "each visitor gets their own cookie, never the kept one");
    assert!(copy_cookie.contains("HttpOnly") && copy_cookie.contains("SameSite=Lax"));
    app.shop.views.flush().await.unwrap();
    assert_eq!(
        app.db.scalar_raw(views).await.unwrap(),
        before + 1,
        "the visit of a copy is counted under its new cookie"
    );
    assert!(copy.header("x-shop-view").is_none(), "the cache's note never reaches the browser");
}

async fn a_page_showing_an_exact_low_stock_count_is_rendered_every_time(db: Database) {
    let mug = fixtures::item("last-mug").title("Last Mug").sku("last-1").price(1800).stock(2);
    Marketplace::new().store(store("last").sells([mug])).build(&db).await;
    let app = app(db).await;
    for _ in 0..5 {
        let res = app.get("/products/last-mug").await;
        assert!(res.body.contains("Only 2 left"));
        assert!(res.header("x-page-cache").is_none(), "a count that changes with every sale is never kept");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
