//! Metrics in Prometheus' text format. They are served on a listener of their own
//! (`METRICS_ADDR`, e.g. 127.0.0.1:9090), never on the shop's public one, where `/metrics` is a
//! 404: request counts by route tell a stranger what is busy, and a scrape runs a query.
//! Unset, no recorder is installed and every `metrics::` call here costs next to nothing.
//!
//! What is recorded, and where:
//! - HTTP requests and their latency by method, route and status (`track`, a router layer);
//!   the route is axum's `MatchedPath` (`/p/{slug}`), never the raw path, whose values a client
//!   chooses (unbounded label values would grow the recorder without end);
//! - orders placed and payments by outcome, counted by the order store's adapter after its
//!   transaction committed (`order_placed`, `payment_recorded`): the `app` crate stays free of
//!   metrics, and a write that rolled back is never counted;
//! - background job runs and failures (`job_ran`), and the outbox sender's messages;
//! - sampled at each scrape (`render`): the pool's connections and the outbox's backlog.
use crate::store::Database;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const HTTP_REQUESTS: &str = "http_requests_total";
pub const HTTP_DURATION: &str = "http_request_duration_seconds";
pub const ORDERS_PLACED: &str = "shop_orders_placed_total";
pub const PAYMENTS: &str = "shop_payments_total";
pub const JOB_RUNS: &str = "shop_job_runs_total";
pub const JOB_FAILURES: &str = "shop_job_failures_total";
pub const JOB_LAST_SUCCESS: &str = "shop_job_last_success_timestamp_seconds";
pub const OUTBOX_MESSAGES: &str = "shop_outbox_messages_total";
pub const OUTBOX_BACKLOG: &str = "shop_outbox_backlog";
pub const DB_POOL: &str = "shop_db_pool_connections";
pub const DB_POOL_MAX: &str = "shop_db_pool_max_connections";

/// Latency buckets (seconds): pages render in milliseconds; the request timeout is 60 s.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The jobs `job_ran` counts; their counters exist (at 0) from start-up, so a rate over them
/// works before the first failure.
pub const JOBS: &[&str] =
    &["outbox_sender", "recommendations", "reservation_sweeper", "session_sweeper", "statistics_refresh"];

/// Installs the process-wide recorder (once; later calls get the same handle).
pub fn install() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), LATENCY_BUCKETS)
                .and_then(|b| b.install_recorder())
                .map_err(|e| format!("cannot start the metrics recorder: {e}"))?;
            describe();
            Ok(handle)
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route pattern and status");
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to the response head, by method, route and status"
    );
    describe_counter!(ORDERS_PLACED, "Orders placed (committed, stock reserved)");
    describe_counter!(PAYMENTS, "Gateway answers recorded on an order, by outcome (the payment's status, or late)");
    describe_counter!(JOB_RUNS, "Background job runs, by job");
    describe_counter!(JOB_FAILURES, "Background job runs that failed, by job");
    describe_gauge!(JOB_LAST_SUCCESS, "Unix time of each job's last successful run");
    describe_counter!(OUTBOX_MESSAGES, "Outbox messages handled by this instance's sender: sent, retried, failed");
    describe_gauge!(OUTBOX_BACKLOG, "Outbox messages queued or being sent (sampled at scrape)");
    describe_gauge!(DB_POOL, "Database pool connections by state, in_use or idle (sampled at scrape)");
    describe_gauge!(DB_POOL_MAX, "Database pool size limit (DATABASE_MAX_CONNECTIONS)");
    metrics::counter!(ORDERS_PLACED).increment(0);
    for job in JOBS {
        metrics::counter!(JOB_RUNS, "job" => *job).increment(0);
        metrics::counter!(JOB_FAILURES, "job" => *job).increment(0);
    }
}

/// Histograms keep their samples until a render or an upkeep drains them: without scrapes
/// they would grow, so upkeep runs every few seconds.
pub fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    });
}

/// With `METRICS_ADDR` set: installs the recorder and serves `/metrics` there until the process
/// ends. Call before the jobs start, so their first runs are counted.
pub async fn start(addr: Option<SocketAddr>, db: Database) -> Result<(), String> {
    let Some(addr) = addr else {
        tracing::info!("METRICS_ADDR is not set: no /metrics");
        return Ok(());
    };
    let handle = install()?;
    spawn_upkeep(handle.clone());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}; set METRICS_ADDR to a free address"))?;
    tracing::info!("metrics on http://{addr}/metrics");
    let app = router(handle, db);
    tokio::spawn(async move {
        let limits = crate::serve::ServeLimits::default();
        if let Err(e) = crate::serve::serve_with(listener, app, limits, std::future::pending()).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(())
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    db: Database,
}

/// The metrics listener's router: `/metrics` only.
pub fn router(handle: PrometheusHandle, db: Database) -> Router {
    Router::new().route("/metrics", get(render)).with_state(Scrape { handle, db })
}

async fn render(State(scrape): State<Scrape>) -> Response {
    sample(&scrape.db).await;
    let headers =
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")];
    (headers, scrape.handle.render()).into_response()
}

/// The gauges read at scrape time: the pool from memory, the backlog in one indexed count. A
/// failed count leaves the last value and says so in the log; the scrape itself still answers.
async fn sample(db: &Database) {
    let pool = db.pool_use();
    metrics::gauge!(DB_POOL, "state" => "in_use").set(f64::from(pool.in_use()));
    metrics::gauge!(DB_POOL, "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!(DB_POOL_MAX).set(f64::from(pool.max));
    match tokio::time::timeout(Duration::from_secs(2), db.outbox_backlog()).await {
        Ok(Ok(n)) => metrics::gauge!(OUTBOX_BACKLOG).set(n as f64),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: could not count the outbox backlog"),
        Err(_) => tracing::warn!("metrics: counting the outbox backlog took over 2 s"),
    }
}

/// Router layer: one count and one latency sample per request (time to the response head; a
/// streamed body is not waited for). Requests no route matched (static files, 404s) share the
/// route label `unmatched`.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().into());
    let method = method_label(req.method());
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status.clone())
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route, "status" => status).record(elapsed);
    res
}

/// A client may send any method token; only the standard ones become label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// An order was placed (its transaction committed).
pub fn order_placed() {
    metrics::counter!(ORDERS_PLACED).increment(1);
}

/// A gateway's answer was recorded: `outcome` is the payment's status (`captured`,
/// `authorized`, `failed`…), or `late` when the order had closed before the answer came.
pub fn payment_recorded(outcome: &'static str) {
    metrics::counter!(PAYMENTS, "outcome" => outcome).increment(1);
}

/// One run of a background job (one of `JOBS`), and whether it did its work.
pub fn job_ran(job: &'static str, ok: bool) {
    metrics::counter!(JOB_RUNS, "job" => job).increment(1);
    if ok {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        metrics::gauge!(JOB_LAST_SUCCESS, "job" => job).set(now);
    } else {
        metrics::counter!(JOB_FAILURES, "job" => job).increment(1);
    }
}

/// What one outbox round did with its messages.
pub fn outbox_round(sent: usize, retried: usize, failed: usize) {
    for (result, n) in [("sent", sent), ("retried", retried), ("failed", failed)] {
        if n > 0 {
            metrics::counter!(OUTBOX_MESSAGES, "result" => result).increment(n as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_become_labels() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"FROBNICATE").unwrap()), "other");
    }
}
