//! What an operator relies on: `/metrics` only on its own listener, with requests counted by
//! route pattern and timed in a histogram, and the shop's counters and gauges; `/readyz` telling
//! a migrated, reachable database from one that is not; a request id in the answer and on the
//! request's JSON log lines.
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use support::*;

/// The metrics listener over `db`, on 127.0.0.1:0 (the recorder is process-wide; installed once).
async fn metrics_listener(db: &server::store::Database) -> Client {
    let handle = server::observability::install().expect("metrics recorder");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::observability::router(handle, db.clone());
    tokio::spawn(server::startup::serve(listener, router));
    Client { addr }
}

/// The sample lines of `metric` carrying every one of `labels` (`key="value"`).
fn samples<'a>(text: &'a str, metric: &str, labels: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")) || l.starts_with(&format!("{metric} ")))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .collect()
}

fn value(line: &str) -> f64 {
    line.rsplit(' ').next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no value in {line:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_only_on_their_own_listener_by_route_pattern() {
    let app = spawn_app().await;
    let metrics = metrics_listener(&app.db).await;

    let public = app.get("/metrics").await;
    assert_eq!(public.status, 404, "the public listener has no /metrics");
    assert!(!public.body.contains("http_requests_total"));

    assert_eq!(app.get("/healthz").await.status, 200);
    // A route with a parameter: the label is its pattern, never what the client sent.
    let hook = app.request("POST", "/webhooks/carriers/no-such-carrier-x9", &[], "{}").await;
    let hook_status = hook.status.to_string();
    let variant = app.variant_in_stock(OWNER_A.0, 1).await;
    app.paid_guest_order(vec![(variant, 1)], "obs-order-0001", false).await;

    let res = metrics.get("/metrics").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.header("content-type").is_some_and(|t| t.starts_with("text/plain; version=0.0.4")));
    let text = res.body;
    let healthz = samples(&text, "http_requests_total", &[r#"route="/healthz""#, r#"status="200""#, r#"method="GET""#]);
    assert!(healthz.len() == 1 && value(healthz[0]) >= 1.0, "{healthz:?}\n{text}");
    let hook_label = format!(r#"status="{hook_status}""#);
    let hooks = samples(&text, "http_requests_total", &[r#"route="/webhooks/carriers/{carrier}""#, &hook_label]);
    assert_eq!(hooks.len(), 1, "{text}");
    assert!(!text.contains("no-such-carrier-x9"), "raw paths never become labels");
    let buckets = samples(&text, "http_request_duration_seconds_bucket", &[r#"route="/healthz""#, r#"le="0.005""#]);
    assert_eq!(buckets.len(), 1, "a histogram, not a summary: {text}");
    assert!(value(samples(&text, "http_request_duration_seconds_count", &[r#"route="/healthz""#])[0]) >= 1.0);
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"), "{text}");

    assert!(value(samples(&text, "shop_orders_placed_total", &[])[0]) >= 1.0, "{text}");
    assert!(value(samples(&text, "shop_payments_total", &[r#"outcome="captured""#])[0]) >= 1.0, "{text}");
    assert_eq!(samples(&text, "shop_job_failures_total", &[r#"job="outbox_sender""#]).len(), 1, "{text}");
    assert_eq!(samples(&text, "shop_outbox_backlog", &[]).len(), 1, "{text}");
    let max = samples(&text, "shop_db_pool_max_connections", &[]);
    assert_eq!(value(max[0]), 4.0, "the tests' pool size: {text}");
    assert_eq!(samples(&text, "shop_db_pool_connections", &[r#"state="idle""#]).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_wants_a_reachable_database_with_every_migration() {
    for db in engines().await {
        let app = spawn_app_on(db, app::services::AuthSettings::default()).await;
        let latest = app.db.latest_known_migration();
        let res = app.get("/readyz").await;
        assert_eq!(res.status, 200, "{}", res.body);
        let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!((body["status"].as_str(), body["schema_version"].as_i64()), (Some("ready"), Some(latest)));

        // This build's latest migration missing from the record: not ready (an older schema).
        app.db.execute_raw(&format!("DELETE FROM schema_migrations WHERE version = {latest}")).await.unwrap();
        let res = app.get("/readyz").await;
        assert_eq!(res.status, 503, "{}", res.body);
        assert!(res.body.contains("migrations pending"), "{}", res.body);
        assert_eq!(app.get("/healthz").await.status, 200, "alive all the same");

        // No database at all: every connection refused.
        app.db.close().await;
        let res = app.get("/readyz").await;
        assert_eq!(res.status, 503, "{}", res.body);
        assert!(res.body.contains("database unreachable"), "{}", res.body);
    }
}

/// Everything the process logs, as JSON lines (the subscriber is process-wide: set once).
fn json_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let writer = move || Sink(sink.clone());
        let filter = tracing_subscriber::EnvFilter::new("info");
        assert!(server::telemetry::install(server::telemetry::LogFormat::Json, filter, writer, false));
        log
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_is_answered_and_on_the_requests_json_log_lines() {
    let log = json_log();
    let app = spawn_app().await;

    // A proxy's plain id is kept, so its log and ours meet.
    let res = app.request("GET", "/healthz", &[("X-Request-Id", "edge-7f3e9a2c.01_A")], "").await;
    assert_eq!(res.header("x-request-id"), Some("edge-7f3e9a2c.01_A"));
    // Anything else is replaced by ours (16 hex digits).
    for forged in ["forged\" level=error", "a".repeat(65).as_str()] {
        let res = app.request("GET", "/healthz", &[("X-Request-Id", forged)], "").await;
        let id = res.header("x-request-id").unwrap_or_default();
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{forged:?} → {id:?}");
    }
    let ours = app.get("/healthz").await.header("x-request-id").unwrap().to_string();

    for id in ["edge-7f3e9a2c.01_A", ours.as_str()] {
        let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .filter(|v: &serde_json::Value| {
                v["spans"].as_array().is_some_and(|s| s.iter().any(|s| s["request_id"].as_str() == Some(id)))
            })
            .collect();
        let finished = lines.iter().find(|v| v["message"] == "finished processing request");
        let finished = finished.unwrap_or_else(|| panic!("no response line for {id} in:\n{text}"));
        assert_eq!(finished["status"], 200, "{finished}");
        assert_eq!(finished["level"], "INFO");
        let span = &finished["spans"][0];
        assert_eq!((span["method"].as_str(), span["path"].as_str()), (Some("GET"), Some("/healthz")), "{finished}");
    }
}
