//! The hostile-input suite: every registered server function (the authorization matrix's list)
//! and every plain route gets a corpus of bad values — control characters, NUL, multi-byte and
//! right-to-left text, a 1 MB string, negative, huge and non-numeric numbers, arrays where a
//! scalar belongs, missing and repeated fields — as each of {anonymous, shopper, owner of A,
//! owner of B, admin}. No answer may be a 5xx, `/healthz` must keep answering, and a refused
//! request (4xx) must leave the shop's data exactly as it was.
//!
//! Release builds unwind like this debug build (Cargo.toml; `failsafe::tests::release_builds_unwind`
//! guards that), so a panic here is what a release server would do too: a 500, which fails this
//! suite. `crash_probes_leave_the_server_process_running` also runs the real `server` binary.
mod support;

use support::endpoints::{MATRIX, WHO, prepare};
use support::{TestApp, WEBHOOK_SECRET};

/// Values every argument gets in turn (plus `BIG`, built at run time).
const VALUES: &[&str] = &[
    "",
    "\u{0}",
    "a\u{0}b\t\r\n\u{7f}\u{85}",
    "é漢字🙂\u{202e}gnp.exe\u{202c}",
    "AB12345678éX",
    "-1",
    "-9223372036854775808",
    "99999999999999999999999999",
    "1e308",
    "NaN",
    "/\t/evil.example",
    "//evil.example/../../etc/passwd",
    "<script>alert(1)</script>' OR '1'='1' --",
];

/// One megabyte: over the server-function body limit, so it must be a clean 413.
fn big() -> String {
    "A".repeat(1 << 20)
}

/// Counts, sums and last-update times of everything a shopper or merchant owns. Equal before and
/// after a refused request means nothing was written. (Throttle counters, sessions, product views
/// and idempotency claims are bookkeeping a refusal may touch by design.)
const FINGERPRINT: &[&str] = &[
    "SELECT COUNT(*) FROM users",
    "SELECT COUNT(*) || '/' || COALESCE(group_concat(status || name || description, '|'), '') FROM merchants",
    "SELECT COUNT(*) FROM merchant_members",
    "SELECT COUNT(*) || '/' || COALESCE(group_concat(name || line1 || city, '|'), '') FROM addresses",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(length(title) + length(description)), 0) || '/' || COALESCE(MAX(updated_at), 0) FROM products",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(stock), 0) || '/' || COALESCE(SUM(price_minor), 0) || '/' || COALESCE(MAX(updated_at), 0) FROM product_variants",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(length(alt)), 0) || '/' || COALESCE(SUM(position), 0) FROM product_images",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(helpful_count), 0) || '/' || COALESCE(SUM(length(merchant_reply)), 0) FROM product_reviews",
    "SELECT COUNT(*) FROM review_helpful_votes",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(quantity), 0) FROM cart_items",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(times_used), 0) FROM discount_codes",
    "SELECT COUNT(*) || '/' || COALESCE(group_concat(status, ''), '') FROM orders",
    "SELECT COUNT(*) || '/' || COALESCE(group_concat(status, ''), '') FROM order_parts",
    "SELECT COUNT(*) FROM order_lines",
    "SELECT COUNT(*) || '/' || COALESCE(group_concat(status, ''), '') FROM payments",
    "SELECT COUNT(*) FROM payment_events",
    "SELECT COUNT(*) FROM shipments",
    "SELECT COUNT(*) FROM tracking_events",
    "SELECT COUNT(*) || '/' || COALESCE(group_concat(status, ''), '') FROM returns",
    "SELECT COUNT(*) FROM refunds",
    "SELECT COUNT(*) FROM stock_adjustments",
    "SELECT COUNT(*) FROM import_jobs",
    "SELECT COALESCE(group_concat(key || value, '|'), '') FROM marketplace_settings",
    "SELECT COUNT(*) FROM outbox",
    "SELECT COUNT(*) || '/' || COALESCE(SUM(expires_at), 0) FROM staff_invitations",
    "SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL",
];

struct Hostile {
    app: TestApp,
    pool: sqlx::SqlitePool,
    dir: std::path::PathBuf,
}

impl Hostile {
    async fn start() -> Hostile {
        let dir = support::temp_dir("hostile");
        let url = format!("sqlite://{}", dir.join("shop.db").display());
        let db = server::store::Database::connect(&url, 4).await.expect("open sqlite");
        db.migrate().await.expect("migrate");
        let app = support::spawn_app_on(db, app::services::AuthSettings::default()).await;
        let pool = sqlx::SqlitePool::connect(&url).await.expect("fingerprint connection");
        Hostile { app, pool, dir }
    }

    /// All of `FINGERPRINT` in one round trip.
    async fn fingerprint(&self) -> Vec<String> {
        let sql =
            FINGERPRINT.iter().map(|q| format!("CAST(({q}) AS TEXT)")).collect::<Vec<_>>().join(" || char(30) || ");
        let v: String = sqlx::query_scalar(&format!("SELECT {sql}"))
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("fingerprint: {e}"));
        v.split('\u{1e}').map(str::to_string).collect()
    }

    async fn healthy(&self) -> bool {
        self.app.get("/healthz").await.status == 200
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The mutations of one argument list: each argument replaced by each value, each argument
/// missing, repeated with a second value, and sent as an array.
fn mutations(args: &[(&str, String)]) -> Vec<(String, Vec<(String, String)>)> {
    let owned: Vec<(String, String)> = args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let mut out = Vec::new();
    let big = big();
    for (i, (key, _)) in owned.iter().enumerate() {
        for value in VALUES.iter().map(|v| v.to_string()).chain([big.clone()]) {
            let mut form = owned.clone();
            form[i].1 = value.clone();
            let shown: String = value.chars().take(24).collect();
            out.push((format!("{key}={shown:?}"), form));
        }
        let mut missing = owned.clone();
        missing.remove(i);
        out.push((format!("{key} missing"), missing));
        let mut repeated = owned.clone();
        repeated.insert(i + 1, (key.clone(), "-1".into()));
        out.push((format!("{key} repeated"), repeated));
        let mut array = owned.clone();
        array[i].0 = format!("{key}[0]");
        array.insert(i + 1, (format!("{key}[1]"), "x".into()));
        out.push((format!("{key} as an array"), array));
    }
    // Arguments nobody declared, and a form that is not a form at all.
    let mut extra = owned.clone();
    extra.push(("__proto__".into(), "x".into()));
    extra.push(("zz[][]".into(), "\u{0}".into()));
    out.push(("unknown fields".into(), extra));
    out
}

/// Endpoints whose accepted calls end the caller's session or change who they are; their
/// refusals are still probed, as anonymous only.
const CHANGES_THE_CALLER: &[&str] = &["/api/auth/logout", "/api/account/open_store", "/api/account/change_password"];

/// The endpoints are split in three shards, each on its own shop, so the test harness runs them
/// side by side.
async fn server_functions_shard(shard: usize) {
    let h = Hostile::start().await;
    let (fill, cookies) = prepare(&h.app, false).await;
    let started = std::time::Instant::now();
    let (mut sent, mut refused, mut failures) = (0usize, 0usize, Vec::new());
    // What the shop holds now; re-read after every accepted request, compared after a refusal.
    let mut current = h.fingerprint().await;
    for (path, args, _) in MATRIX.iter().skip(shard).step_by(SHARDS) {
        let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, fill.fill(v))).collect();
        for (label, form) in mutations(&args) {
            for (who, cookie) in cookies.iter().enumerate() {
                if who > 0 && CHANGES_THE_CALLER.contains(path) {
                    continue;
                }
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let res = h.app.call(cookie, path, &form).await;
                sent += 1;
                let after = h.fingerprint().await;
                if res.status >= 500 {
                    let body: String = res.body.chars().take(300).collect();
                    let failure = format!("{path} [{label}] as {}: {} {body}", WHO[who], res.status);
                    eprintln!("FAILED {failure}");
                    failures.push(failure);
                } else if res.status >= 400 {
                    refused += 1;
                    if after != current {
                        let diff: Vec<String> = current
                            .iter()
                            .zip(&after)
                            .zip(FINGERPRINT)
                            .filter(|((b, a), _)| b != a)
                            .map(|((b, a), sql)| format!("{sql}: {b} → {a}"))
                            .collect();
                        let failure = format!(
                            "{path} [{label}] as {}: refused with {} but wrote: {}",
                            WHO[who],
                            res.status,
                            diff.join("; ")
                        );
                        eprintln!("FAILED {failure}");
                        failures.push(failure);
                    }
                }
                current = after;
            }
        }
        assert!(h.healthy().await, "/healthz stopped answering after {path}");
    }
    eprintln!(
        "hostile server functions, shard {shard}: {} endpoint rows, {sent} requests ({refused} refused) in {:.1}s",
        MATRIX.iter().skip(shard).step_by(SHARDS).count(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} hostile requests misbehaved:\n{}", failures.len(), failures.join("\n"));
}

const SHARDS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_function_answers_5xx_or_writes_on_refusal_1() {
    server_functions_shard(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_function_answers_5xx_or_writes_on_refusal_2() {
    server_functions_shard(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_function_answers_5xx_or_writes_on_refusal_3() {
    server_functions_shard(2).await;
}

/// Path segments and query strings for the pages and plain routes.
const SEGMENTS: &[&str] = &[
    "%00",
    "%7F",
    "%C3%A9%E6%BC%A2",
    "%E2%80%AE",
    "..%2F..%2Fetc%2Fpasswd",
    "-1",
    "99999999999999999999999",
    "%3Cscript%3E",
    "%FF%FE",
    "a%0D%0ASet-Cookie:x=1",
];

const QUERIES: &[&str] = &[
    "",
    "?page=-1&sort=%00&q=%7F",
    "?page=99999999999999999999&per=-5",
    "?q=%E2%80%AE%F0%9F%99%82&category=%00&min=abc&max=-1e308&rating=NaN&in_stock=maybe",
    "?next=/%7F&return_to=//evil.example&store=-1&key=%00",
    "?store=abc&job=-1&status=%00&period=%FF",
    "?q[]=a&q[]=b&page[0]=1",
    "?sort=price_asc&sort=price_desc&page=2&page=3",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_or_plain_route_answers_5xx() {
    let h = Hostile::start().await;
    let (_, cookies) = prepare(&h.app, false).await;
    let started = std::time::Instant::now();
    let mut paths: Vec<String> = Vec::new();
    for route in server::startup::route_list() {
        let pattern = route.path().to_string();
        let has_param = pattern.split('/').any(|s| s.starts_with(':') || s.starts_with('{'));
        let fill = |with: &str| {
            pattern
                .split('/')
                .map(|s| if s.starts_with(':') || s.starts_with('{') { with } else { s })
                .collect::<Vec<_>>()
                .join("/")
        };
        let bases: Vec<String> = if has_param {
            SEGMENTS.iter().map(|s| fill(s)).collect()
        } else {
            vec![if pattern.is_empty() { "/".into() } else { pattern.clone() }]
        };
        for base in bases {
            for q in QUERIES {
                paths.push(format!("{base}{q}"));
            }
        }
    }
    for s in SEGMENTS {
        paths.push(format!("/media/{s}"));
        paths.push(format!("/admin/products/export.csv?store={s}"));
        paths.push(format!("/admin/earnings/ledger.csv?store={s}"));
        paths.push(format!("/admin/orders.csv?store={s}"));
        paths.push(format!("/admin/orders.csv?q={s}&status={s}"));
        paths.push(format!("/admin/orders?q={s}&before={s}&after={s}"));
        paths.push(format!("/no-such-page/{s}"));
    }
    let mut failures = Vec::new();
    for path in &paths {
        for (who, cookie) in cookies.iter().enumerate() {
            let res = h.app.get_as(cookie, path).await;
            if res.status >= 500 {
                failures.push(format!("GET {path} as {}: {}", WHO[who], res.status));
            }
        }
    }
    // Plain POST routes: uploads, CSV import and carrier webhooks with garbage.
    let mut posts = 0;
    for s in SEGMENTS {
        for route in [format!("/admin/products/{s}/images"), "/admin/products/import".to_string()] {
            for (who, cookie) in cookies.iter().enumerate() {
                for (ctype, body) in [
                    (
                        "multipart/form-data; boundary=x",
                        "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\u{0}.png\"\r\n\r\n\u{7f}\r\n--x--\r\n",
                    ),
                    ("multipart/form-data", "garbage"),
                    ("application/x-www-form-urlencoded", "file=%00&idempotency_key=%FF"),
                ] {
                    let res = h.app.request("POST", &route, &[("Cookie", cookie), ("Content-Type", ctype)], body).await;
                    posts += 1;
                    if res.status >= 500 {
                        failures.push(format!("POST {route} ({ctype}) as {}: {}", WHO[who], res.status));
                    }
                }
            }
        }
        let webhook = format!("/webhooks/carriers/{s}");
        let res = h.app.request("POST", &webhook, &[("Content-Type", "application/json")], "{}").await;
        posts += 1;
        if res.status >= 500 {
            failures.push(format!("POST {webhook}: {}", res.status));
        }
    }
    // Signed webhooks whose payloads are wrong in every way a parser can meet.
    let now = app::services::clock::now();
    for carrier in ["royal-mail", "ups", "usps", "china-post", "other"] {
        for body in [
            "".to_string(),
            "null".into(),
            "[]".into(),
            "{\"tracking_number\":\"AB12345678éX\",\"event_id\":\"e1\",\"kind\":\"in_transit\",\"occurred_at\":1}"
                .into(),
            format!(
                "{{\"tracking_number\":\"{}\",\"event_id\":\"\u{0}\",\"kind\":\"delivered\",\"occurred_at\":-9223372036854775808}}",
                "é".repeat(5000)
            ),
            "{\"tracking_number\":1e308,\"event_id\":[],\"kind\":{},\"occurred_at\":\"soon\"}".into(),
        ] {
            let sig = app::domain::webhook::sign(WEBHOOK_SECRET.as_bytes(), now, body.as_bytes());
            let res = h
                .app
                .request(
                    "POST",
                    &format!("/webhooks/carriers/{carrier}"),
                    &[("Content-Type", "application/json"), (app::domain::webhook::SIGNATURE_HEADER, &sig)],
                    &body,
                )
                .await;
            posts += 1;
            if res.status >= 500 {
                failures.push(format!("signed webhook for {carrier} {body:?}: {} {}", res.status, res.body));
            }
        }
    }
    assert!(h.healthy().await, "/healthz stopped answering");
    eprintln!(
        "hostile pages and routes: {} GETs × {} callers, {posts} POSTs in {:.1}s",
        paths.len(),
        cookies.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} hostile requests answered 5xx:\n{}", failures.len(), failures.join("\n"));
}

/// The page cache reads the Cookie and Accept-Encoding headers of every page request: whatever
/// they hold, no page answers 5xx, a request carrying a shop cookie (or an unreadable Cookie
/// header) is never answered from a copy, and the same page still comes from a copy for anyone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cache_takes_any_cookie_and_accept_encoding_header() {
    let h = Hostile::start().await;
    let product = support::product_links(&h.app.get("/").await.body).into_iter().next().unwrap();
    let encodings = [
        "br",
        "gzip;q=0, br;q=0",
        ";;;,,q=,br;q=abc",
        "\u{7f}gzip",
        "é漢字🙂",
        "x-gzip;Q=1, identity;q=0, *;q=0",
        &"br,".repeat(2000),
    ];
    let cookies: [(&[u8], bool); 6] = [
        (b"", false),
        (b"theme=dark; _ga=1", false),
        (b"mm_session=x", true),
        (b"a=1;mm_cart=\x00", true),
        (b"\xff\xfe mm", true),
        (b"mm_visitor=", true),
    ];
    let mut failures = Vec::new();
    for path in ["/", "/c/fashion", "/search?q=lamp", "/search?q=%F0%9F%98%80%00%ff", product.as_str()] {
        for ae in encodings {
            for (cookie, personal) in cookies {
                let cookie = String::from_utf8_lossy(cookie).into_owned();
                let cookie = if cookie.contains('\u{fffd}') { "\u{ff}\u{fe} mm".to_string() } else { cookie };
                for _ in 0..2 {
                    let res = h.app.request("GET", path, &[("Accept-Encoding", ae), ("Cookie", &cookie)], "").await;
                    let cache = res.header("x-page-cache").map(str::to_string);
                    if res.status >= 500 {
                        failures
                            .push(format!("GET {path} (Accept-Encoding {ae:.40}, Cookie {cookie:?}): {}", res.status));
                    }
                    if personal && cache.is_some() {
                        failures.push(format!("GET {path} with Cookie {cookie:?} went through the cache ({cache:?})"));
                    }
                }
            }
        }
        // After all that, a visitor without cookies still gets the kept copy.
        let mut hit = false;
        for _ in 0..50 {
            if h.app.get(path).await.header("x-page-cache") == Some("hit") {
                hit = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        if !hit {
            failures.push(format!("GET {path} never came from the cache"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(h.app.get("/healthz").await.status, 200);
}
