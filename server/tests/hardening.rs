//! Regression tests for the hardening findings: each crash probe that once stopped the server,
//! the open redirect, guarded pages without JavaScript, HSTS, request ids, body and time limits.
mod support;

use support::{OWNER_A, SHOPPER, spawn_app, spawn_app_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Finding 1: `POST /api/auth/register` with `next=/%7F` made leptos_axum's `redirect` panic,
/// and the release build aborted. Now the target is refused and the visitor lands on /account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_control_character_in_next_is_refused_not_a_crash() {
    let app = spawn_app().await;
    for (i, next) in ["/\u{7f}", "/\u{0}", "/a\r\nSet-Cookie: x=1", "/é"].iter().enumerate() {
        let email = format!("probe{i}@example.com");
        let res = app
            .post_form(
                "/api/auth/register",
                &[("Accept", "text/html")],
                &[("email", &email), ("display_name", "Probe"), ("password", "a long enough password"), ("next", next)],
            )
            .await;
        assert_eq!(res.status, 302, "{next:?}: {}", res.body);
        let location = res.header("location").unwrap_or_default();
        if *next == "/é" {
            assert_eq!(location, "/%C3%A9", "non-ASCII is percent-encoded, not refused");
        } else {
            assert_eq!(location, "/account", "{next:?}");
        }
    }
    assert_eq!(app.get("/healthz").await.status, 200);
}

/// Finding 4: `next=/<TAB>/evil.example` answered `Location: /\t/evil.example`, which browsers
/// read as `//evil.example`. Every way out of the site lands on /account instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_never_redirects_off_site() {
    let app = spawn_app().await;
    for next in ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\n/evil.example"] {
        let res = app
            .post_form(
                "/api/auth/login",
                &[("Accept", "text/html")],
                &[("email", SHOPPER.0), ("password", SHOPPER.1), ("next", next)],
            )
            .await;
        assert_eq!((res.status, res.header("location")), (302, Some("/account")), "{next:?}");
    }
    let res = app
        .post_form(
            "/api/auth/login",
            &[("Accept", "text/html")],
            &[("email", SHOPPER.0), ("password", SHOPPER.1), ("next", "/account/orders?page=2")],
        )
        .await;
    assert_eq!(res.header("location"), Some("/account/orders?page=2"), "a same-site path is followed");
}

/// Finding 5: guarded pages answered 200 with a Location header and an empty page to clients
/// without `Accept: text/html` (curl, crawlers). Now: a real 303 for anyone signed out, a 403 for
/// a signed-in user without the role, whatever the client accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guarded_pages_answer_303_and_403_to_any_client() {
    let app = spawn_app().await;
    let shopper = app.login(SHOPPER.0, SHOPPER.1).await;
    for path in ["/account", "/account/orders", "/admin", "/admin/products", "/admin/orders", "/admin/inventory"] {
        for accept in ["*/*", "text/html"] {
            let res = app.request("GET", path, &[("Accept", accept)], "").await;
            assert_eq!(res.status, 303, "GET {path} (Accept {accept}) as a visitor");
            assert_eq!(res.header("location"), Some(format!("/login?next={path}").as_str()), "{path}");
        }
        if path.starts_with("/admin") {
            let res = app.request("GET", path, &[("Accept", "*/*"), ("Cookie", &shopper)], "").await;
            assert_eq!(res.status, 403, "GET {path} as a shopper");
            assert!(res.body.contains("have access to this page"), "{path}: the 403 page");
        }
    }
}

/// Finding 2: a multi-byte character in a Royal Mail tracking number (`AB12345678éX`) panicked
/// in `carriers.rs` when a store member shipped, which the release build turned into an abort.
/// Now it is a field error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_byte_tracking_number_is_a_field_error() {
    let app = spawn_app().await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let res = app
        .call(
            &owner,
            "/api/admin/order/ship",
            &[
                ("number", "MM-NOSUCH"),
                ("carrier", "royal-mail"),
                ("tracking_number", "AB12345678éX"),
                ("idempotency_key", "probe-ship-key-0001"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.app_error().and_then(|e| e.field("tracking_number")).is_some_and(|m| m.contains("Royal Mail")));
    assert_eq!(app.get("/healthz").await.status, 200);
}

/// The two crash probes against the real `server` process: it must still be running and
/// answering afterwards. (Release builds unwind like this one; see failsafe.rs.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_probes_leave_the_server_process_running() {
    let dir = support::temp_dir("probe-process");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = |cmd: &mut std::process::Command| {
        cmd.env("DATABASE_URL", format!("sqlite://{}", dir.join("shop.db").display()))
            .env("MEDIA_DIR", dir.join("media"))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("CARRIER_WEBHOOK_SECRETS", format!("*={}", support::WEBHOOK_SECRET))
            .env("RECS_REFRESH_SECS", "3600")
            .env("RUST_LOG", "warn");
    };
    let bin = env!("CARGO_BIN_EXE_server");
    let mut seed = std::process::Command::new(bin);
    seed.args(["seed", "--demo"]).stdout(std::process::Stdio::null());
    env(&mut seed);
    assert!(seed.status().unwrap().success(), "seed --demo");
    let mut serve = std::process::Command::new(bin);
    env(&mut serve);
    let mut child = Killed(serve.stdout(std::process::Stdio::null()).spawn().unwrap());
    let app = support::Client { addr: format!("127.0.0.1:{port}").parse().unwrap() };
    let mut up = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(app.addr).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not start");
    // Probe 1: an anonymous registration with next=/%7F.
    let res = app
        .post_form(
            "/api/auth/register",
            &[("Accept", "text/html")],
            &[
                ("email", "probe@example.com"),
                ("display_name", "P"),
                ("password", "a long enough password"),
                ("next", "/\u{7f}"),
            ],
        )
        .await;
    assert_eq!(res.status, 302, "{}", res.body);
    // Probe 2: a store member ships with a multi-byte tracking number; and the same through a
    // signed carrier webhook.
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let res = app
        .call(
            &owner,
            "/api/admin/order/ship",
            &[("number", "MM-X"), ("carrier", "royal-mail"), ("tracking_number", "AB12345678éX")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    let body = r#"{"event_id":"p1","tracking_number":"AB12345678éX","kind":"in_transit","occurred_at":1}"#;
    let now = app::services::clock::now();
    let sig = app::domain::webhook::sign(support::WEBHOOK_SECRET.as_bytes(), now, body.as_bytes());
    let res = app
        .request(
            "POST",
            "/webhooks/carriers/royal-mail",
            &[("Content-Type", "application/json"), (app::domain::webhook::SIGNATURE_HEADER, &sig)],
            body,
        )
        .await;
    assert!(res.status < 500, "webhook: {} {}", res.status, res.body);
    assert!(child.0.try_wait().unwrap().is_none(), "the server process exited");
    assert_eq!(app.get("/healthz").await.status, 200);
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The server process, stopped when the test ends, passed or failed.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_when_served_over_https_and_every_answer_has_a_request_id() {
    let plain = spawn_app().await;
    let res = plain.get("/").await;
    assert_eq!(res.header("strict-transport-security"), None);
    let first = res.header("x-request-id").map(str::to_string);
    assert!(first.as_ref().is_some_and(|id| id.len() == 16), "{first:?}");
    assert_ne!(plain.get("/").await.header("x-request-id").map(str::to_string), first, "ids differ per request");
    let secure = spawn_app_with(app::services::AuthSettings { cookie_secure: true, ..Default::default() }).await;
    let res = secure.get("/").await;
    assert_eq!(res.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
    // A client's own request id is kept only when plainly an id (this one would forge log lines).
    let res = secure.request("GET", "/healthz", &[("X-Request-Id", "forged\u{1b}[31m")], "").await;
    assert_ne!(res.header("x-request-id"), Some("forged\u{1b}[31m"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_server_function_body_is_413_with_the_limit() {
    let app = spawn_app().await;
    let huge = "a".repeat(server::failsafe::API_BODY_LIMIT + 1);
    let res = app.post_form("/api/catalog/search", &[], &[("q", &huge)]).await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert!(res.body.contains("256 KB"), "{}", res.body);
}

/// A client that sends half a request head and stalls, or keeps an idle connection open, is
/// disconnected after the header-read limit instead of holding a connection forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_off() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let limits = server::serve::ServeLimits {
        header_read: std::time::Duration::from_millis(700),
        drain: std::time::Duration::from_secs(1),
    };
    tokio::spawn(server::serve::serve_with(listener, app, limits, std::future::pending()));

    // Half a request head, then nothing.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "a stalled request head must be cut off within the limit");

    // A complete request on a kept-alive connection is answered; the idle connection then closes.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), idle.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "an idle kept-alive connection must be closed");
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf));
}
