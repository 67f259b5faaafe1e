//! Shared test helpers: fresh databases of either engine, and the real server on port 0.
#![allow(dead_code)]
use server::store::Database;

pub mod endpoints;
pub mod fixtures;

/// A fresh SQLite database and, when TEST_POSTGRES_URL is set, a fresh PostgreSQL one: for tests
/// that run one engine after the other in a loop.
pub async fn engines() -> Vec<Database> {
    let mut dbs = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        dbs.push(pg);
    }
    dbs
}

/// The 64-hex-digit tokens of the links (after `marker`, e.g. "/join?token=") in the outbox's
/// messages of `kind` (to `recipient`, if given), oldest first.
pub async fn mailed_tokens(
    shop: &app::services::Shop,
    kind: app::domain::notification::MessageKind,
    recipient: Option<&str>,
    marker: &str,
) -> Vec<String> {
    let mut all = shop.notifications.list(500).await.unwrap();
    all.retain(|m| m.kind == kind && recipient.is_none_or(|r| m.recipient == r));
    all.sort_by_key(|m| m.id);
    all.iter()
        .map(|m| {
            let at = m.text_body.find(marker).expect("the message carries its link") + marker.len();
            m.text_body.get(at..at + 64).expect("a whole token").to_string()
        })
        .collect()
}

/// Runs each named `async fn(Database)` twice, against a fresh SQLite file and a fresh
/// PostgreSQL database, so both adapters are held to one suite. `multi_thread;` first runs them
/// on a multi-threaded runtime, for tests that need real concurrency.
#[allow(unused_macros)]
macro_rules! conformance {
    (multi_thread; $($name:ident),* $(,)?) => {
        conformance!(@run (flavor = "multi_thread", worker_threads = 4); $($name),*);
    };
    ($($name:ident),* $(,)?) => {
        conformance!(@run (); $($name),*);
    };
    (@run $flavor:tt; $($name:ident),*) => {
        mod sqlite {
            $( #[tokio::test $flavor] async fn $name() { super::$name(super::support::sqlite().await).await; } )*
        }
        mod postgres {
            $( #[tokio::test $flavor] async fn $name() {
                if let Some(db) = super::support::postgres().await { super::$name(db).await; }
            } )*
        }
    };
}
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A new empty folder under the system temp dir, unique per call. The first call of a test
/// process removes the folders that earlier test processes left behind (their process is gone),
/// so test runs never pile up databases and media in the temp dir (they once filled the disk).
pub fn temp_dir(label: &str) -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_stale_temp_dirs);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "shop-test-{label}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `shop-test-{label}-{pid}-{nanos}-{n}` folders whose process no longer runs.
fn sweep_stale_temp_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("shop-test-").and_then(owner_pid) {
            if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The pid in `{label}-{pid}-{nanos}-{n}` (the label may hold dashes).
fn owner_pid(rest: &str) -> Option<u32> {
    let mut parts = rest.rsplitn(4, '-');
    let (_n, _nanos, pid) = (parts.next()?, parts.next()?, parts.next()?);
    parts.next()?;
    pid.parse().ok()
}

pub async fn sqlite() -> Database {
    let dir = temp_dir("sqlite");
    let url = format!("sqlite://{}", dir.join("shop.db").display());
    let db = Database::connect(&url, 4).await.expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    db
}

/// The PostgreSQL half runs when TEST_POSTGRES_URL names a server we may create databases on.
/// Without it these tests pass as skipped, loudly; with REQUIRE_POSTGRES=1 (CI) they fail.
pub async fn postgres() -> Option<Database> {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set");
        }
        eprintln!("SKIPPED: PostgreSQL conformance (set TEST_POSTGRES_URL to run it)");
        return None;
    };
    let name = format!(
        "shop_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() % 1_000_000_000
    );
    let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect to TEST_POSTGRES_URL");
    drop_stale_databases(&admin).await;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("create test database");
    admin.close().await;
    let db = Database::connect(&with_database(&admin_url, &name), 4).await.expect("connect to test database");
    db.migrate().await.expect("migrate postgres");
    Some(db)
}

/// Drops, once per test process, the `shop_t_{pid}_…` databases of test processes that no longer
/// run (a test's database lives as long as its process; this keeps them from piling up).
async fn drop_stale_databases(admin: &sqlx::PgPool) {
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_t\\_%'")
        .fetch_all(admin)
        .await
        .unwrap_or_default();
    for name in names {
        let pid = name.strip_prefix("shop_t_").and_then(|r| r.split('_').next()).and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        let safe = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if safe && pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin).await;
        }
    }
}

/// Swaps the database name in a PostgreSQL URL: `postgres://h/old?x` → `postgres://h/new?x`.
pub fn with_database(url: &str, name: &str) -> String {
    let scheme_end = url.find("://").map(|i| i + 3).unwrap_or(0);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..path_start])
}

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub shop: app::services::Shop,
    pub db: Database,
    pub media_dir: PathBuf,
    /// The HTTP methods (`get`, `post_form`, `login`, `call`…) reach it through `Deref`.
    pub client: Client,
}

/// An HTTP client for a shop at `addr`: the in-process test server, or a real `server` process.
pub struct Client {
    pub addr: std::net::SocketAddr,
}

impl std::ops::Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// The real router, served on 127.0.0.1:0 over a fresh SQLite file seeded with the demo shop.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(app::services::AuthSettings::default()).await
}

pub async fn spawn_app_with(auth: app::services::AuthSettings) -> TestApp {
    spawn_app_on(sqlite().await, auth).await
}

/// Every test server runs on one long-lived runtime, as in production. Each #[tokio::test] has
/// its own runtime, dropped when the test ends; Leptos may wake and spawn render work from
/// whichever runtime's thread touched a shared signal last, and work spawned on a runtime that
/// has gone away never finishes (seen as a page render hanging in CI).
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("test server runtime")
    })
}

/// The app over a given (fresh, migrated) database of either engine.
pub async fn spawn_app_on(db: Database, auth: app::services::AuthSettings) -> TestApp {
    spawn_app_shaped(db, auth, |shop, _| shop).await
}

/// The app over `db`, seeded, with the shop changed by `shape` (given the address it will serve
/// on) before it serves: e.g. Stripe in place of the test gateway.
pub async fn spawn_app_shaped(
    db: Database,
    auth: app::services::AuthSettings,
    shape: impl FnOnce(app::services::Shop, std::net::SocketAddr) -> app::services::Shop,
) -> TestApp {
    let media_dir = temp_dir("media");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let shop = server::startup::shop(&db, auth);
    server::seed::demo(&shop, &media_dir).await.expect("seed demo shop");
    let shop = shape(shop, addr);
    let options = server::startup::leptos_options(None);
    let secrets = server::webhooks::CarrierSecrets::parse(&format!("*={WEBHOOK_SECRET}")).unwrap();
    let router = server::startup::router_with(shop.clone(), &db, options, &media_dir, secrets);
    server_runtime().spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        server::startup::serve(listener, router).await.unwrap()
    });
    TestApp { addr, shop, db, media_dir, client: Client { addr } }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Client {
    /// A plain HTTP/1.0 GET: the body ends when the server closes, so no chunked decoding.
    pub async fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[("Accept", "text/html")], "").await
    }

    /// A form POST as a browser without JavaScript sends it (same-site Origin unless overridden).
    pub async fn post_form(&self, path: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Response {
        let body = form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let origin = format!("http://{}", self.addr);
        let mut all: Vec<(&str, &str)> =
            vec![("Content-Type", "application/x-www-form-urlencoded"), ("Origin", &origin)];
        for (k, v) in headers {
            all.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
            all.push((k, v));
        }
        self.request("POST", path, &all, &body).await
    }

    pub async fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        // A hung request fails the test with its name instead of hanging the suite.
        tokio::time::timeout(std::time::Duration::from_secs(60), self.request_inner(method, path, headers, body))
            .await
            .unwrap_or_else(|_| panic!("{method} {path} got no complete response within 60 s"))
    }

    async fn request_inner(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\nAccept-Encoding: identity\r\n", self.addr);
        for (k, v) in headers {
            if !v.is_empty() {
                request.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        // Write and read at once: a server may answer (and stop reading) before a large body is sent.
        let (mut reader, mut writer) = stream.into_split();
        let send = async move {
            let _ = writer.write_all(request.as_bytes()).await;
            writer
        };
        let mut raw = Vec::new();
        let (_writer, read) = tokio::join!(send, reader.read_to_end(&mut raw));
        read.unwrap();
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
        let mut lines = head.lines();
        let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Response { status, headers, body: body.to_string() }
    }
}

impl Response {
    /// The `mm_session=…` pair from Set-Cookie, ready for a Cookie header.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.split(';').next().unwrap_or_default().to_string())
            .find(|c| c.starts_with("mm_session=") && c.len() > "mm_session=".len())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }
}

pub fn encode(s: &str) -> String {
    app::domain::search::url_encode(s)
}

/// Every `href="/products/…"` in a page, in order.
pub fn product_links(html: &str) -> Vec<String> {
    html.match_indices("href=\"/products/")
        .map(|(i, _)| {
            let rest = &html[i + 6..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

impl Client {
    /// Signs in through the real endpoint and returns the Cookie header value.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self.post_form("/api/auth/login", &[], &[("email", email), ("password", password)]).await;
        res.session_cookie().unwrap_or_else(|| panic!("login of {email} failed: {} {}", res.status, res.body))
    }

    pub async fn get_as(&self, cookie: &str, path: &str) -> Response {
        self.request("GET", path, &[("Cookie", cookie), ("Accept", "text/html")], "").await
    }

    /// Calls server function `path` as it is registered: a GET one with the arguments in the
    /// query (as a browser following a link), any other as a form POST.
    pub async fn call(&self, cookie: &str, path: &str, form: &[(&str, &str)]) -> Response {
        let is_get = leptos::server_fn::axum::server_fn_paths()
            .any(|(p, method)| p == path && method == axum::http::Method::GET);
        if is_get {
            let query = form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
            return self.request("GET", &format!("{path}?{query}"), &[("Cookie", cookie)], "").await;
        }
        self.post_form(path, &[("Cookie", cookie)], form).await
    }
}

impl Response {
    /// The server function error in the body, if it is one.
    pub fn app_error(&self) -> Option<app::domain::errors::AppError> {
        serde_json::from_str(&self.body).ok()
    }

    /// A server function's answer: 200 and its JSON.
    pub fn ok<T: serde::de::DeserializeOwned>(&self) -> T {
        assert_eq!(self.status, 200, "{}", self.body);
        serde_json::from_str(&self.body).unwrap()
    }

    /// A server function's refusal: not 200, and the error it says.
    pub fn err(&self) -> app::domain::errors::AppError {
        assert_ne!(self.status, 200, "{}", self.body);
        self.app_error().unwrap_or_else(|| panic!("{} {}", self.status, self.body))
    }
}

impl TestApp {
    /// A published variant of the store `owner` owns with at least `stock` in stock.
    pub async fn variant_in_stock(&self, owner: &str, stock: i64) -> i64 {
        self.db
            .scalar_raw(&format!(
                "SELECT v.id FROM product_variants v JOIN merchant_members mm ON mm.merchant_id = v.merchant_id
                 JOIN users u ON u.id = mm.user_id JOIN products p ON p.id = v.product_id
                 WHERE u.email = '{owner}' AND v.stock >= {stock} AND p.status = 'published' ORDER BY v.id LIMIT 1"
            ))
            .await
            .unwrap()
    }

    /// A paid guest order (`guest_checkout`'s, test card 4242…) under idempotency key `key`;
    /// `manual`: only authorized, as with manual capture. Answers the order number.
    pub async fn paid_guest_order(&self, lines: Vec<(i64, i64)>, key: &str, manual: bool) -> String {
        use app::services::checkout::{CheckoutOutcome, CheckoutSettings, place_order};
        // Order numbers come from these bytes: unique per call, whatever the demo seed placed.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        let salt = key.bytes().fold(key.len() as u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut req =
            guest_checkout(lines, "4242424242424242", key, app::services::clock::now(), (nanos ^ salt).to_le_bytes());
        req.manual_capture = manual;
        let gateway = app::domain::gateway::TestGateway;
        match place_order(self.shop.orders.as_ref(), &gateway, &CheckoutSettings::default(), req).await.unwrap() {
            CheckoutOutcome::Paid { number } => number,
            other => panic!("{other:?}"),
        }
    }
}

/// Demo sign-ins (see server::seed::DEMO_ACCOUNTS).
/// Every test server accepts carrier webhooks signed with this secret, for every carrier.
pub const WEBHOOK_SECRET: &str = "test-carrier-secret-0123456789";

pub const ADMIN: (&str, &str) = ("admin@meridian.test", "admin-demo-pass-2026");
pub const OWNER_A: (&str, &str) = ("owner@northwind-home.test", "merchant-demo-pass-2026");
pub const OWNER_B: (&str, &str) = ("owner@harbor-and-pine.test", "merchant-demo-pass-2026");
pub const SHOPPER: (&str, &str) = ("shopper@meridian.test", "shopper-demo-pass-2026");

/// The checkout form a guest's browser posts over HTTP (Grace Guest, US, test card), shared by
/// the suites that place orders through the real route.
pub const GUEST_CHECKOUT_FORM: &[(&str, &str)] = &[
    ("email", "guest@example.com"),
    ("name", "Grace Guest"),
    ("line1", "1 Harbor Way"),
    ("city", "Arlington"),
    ("postal_code", "22201"),
    ("country", "US"),
    ("card_number", "4242 4242 4242 4242"),
    ("card_expiry", "12/39"),
    ("card_cvc", "123"),
];

/// A guest checkout by Ada Lovelace (London, GB, standard shipping, no discount) paying with
/// `card`: the request the order, fulfilment, analytics, notification and webhook suites share.
pub fn guest_checkout(
    lines: Vec<(i64, i64)>,
    card: &str,
    key: &str,
    now: i64,
    random: [u8; 8],
) -> app::services::checkout::CheckoutRequest {
    app::services::checkout::CheckoutRequest {
        lines,
        speeds: vec![],
        email: "ada@example.com".into(),
        user_id: None,
        address: app::domain::address::AddressInput {
            name: "Ada Lovelace".into(),
            line1: "12 Analytical Row".into(),
            city: "London".into(),
            postal_code: "N1 9GU".into(),
            country: "GB".into(),
            ..Default::default()
        },
        card: app::domain::card::CardInput {
            number: card.into(),
            expiry: "12/39".into(),
            cvc: "123".into(),
            name: String::new(),
        },
        discount_code: String::new(),
        idempotency_key: key.into(),
        now,
        random,
        manual_capture: false,
    }
}

/// The storefront search for `q` (first page, default sort, anonymous): the slugs found, in
/// order, and the total.
pub async fn storefront_search(shop: &app::services::Shop, q: &str) -> (Vec<String>, i64) {
    let req = app::services::search::SearchRequest {
        query: q.into(),
        filters: Default::default(),
        sort: Default::default(),
        page: 1,
        viewer: None,
        can_explain: false,
        weights: None,
    };
    let found = app::services::search::search(
        shop.catalog.as_ref(),
        &shop.vocabulary,
        &shop.categories,
        &shop.listing_rows,
        req,
    )
    .await
    .unwrap();
    (found.listing.products.items.into_iter().map(|c| c.card.slug).collect(), found.listing.products.total)
}
