//! A local fake of the subset of Stripe's HTTP API that the shop's Stripe adapter calls.
//!
//! Tests (and the e2e suite) run without internet, so the adapter is pointed at this server
//! instead of `https://api.stripe.com`. It aims to be *faithful* rather than convenient: it
//! answers with Stripe's object shapes, status codes and error bodies, enforces the same
//! validation the adapter could trip over in production (required params, `expires_at` window,
//! unknown params, idempotency-key reuse, state machine errors), and signs webhooks exactly like
//! Stripe does. A fake that is more lenient than Stripe hides bugs until production.
//!
//! What it does not model is listed in `README.md` (notably: webhook retries with backoff,
//! 3-D Secure, async payment methods, Connect, rate limits, API versions, the events list).
//!
//! Layout: [`api`] (auth, idempotency, logging, errors), [`form`] (Stripe's bracket-key form
//! encoding), [`objects`] (stored objects and their JSON), [`checkout`] and [`payments`] (the
//! endpoints), [`hosted`] (the payment page the shopper sees), [`webhook`] (events and delivery).

mod api;
mod checkout;
mod form;
mod hosted;
mod objects;
mod payments;
mod webhook;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use webhook::sign;

/// How the fake is configured; mirrors what the shop needs from a Stripe account.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// The API key requests must present as `Authorization: Bearer <it>` (e.g. `sk_test_fake_…`).
    pub secret_key: String,
    /// The endpoint signing secret (`whsec_…`) webhooks are signed with.
    pub webhook_secret: String,
    /// Where events are POSTed; `None` sends none (nothing is recorded either).
    pub webhook_url: Option<String>,
}

/// When (and how often) the fake delivers the event of a completed payment, relative to the
/// redirect it answers the shopper with. Real Stripe gives no ordering guarantee, so the shop
/// must cope with every one of these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookMode {
    /// Deliver and await the receiver's answer before answering the hosted page's redirect.
    #[default]
    BeforeRedirect,
    /// Answer the redirect first; deliver ~300 ms later from a task (the shopper lands on the
    /// success page before the shop has heard of the payment).
    AfterRedirect,
    /// Deliver the identical event (same id, same body) twice before the redirect, as Stripe may
    /// do: receivers must be idempotent.
    Twice,
    /// Never deliver (the shop must recover by asking the API).
    Never,
}

/// One call to the Stripe API (`/v1/*`), as answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub status: u16,
    /// True when the answer was a replay of a stored idempotent response (nothing was done).
    pub idempotent_replayed: bool,
}

/// One webhook POST attempted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    /// The HTTP status the receiver answered, or 0 when it could not be reached (or timed out).
    pub status: u16,
}

/// Everything the handlers share. One mutex: the fake is tiny, and holding one lock across a
/// whole API call (never across an `.await`) makes every call atomic, as Stripe's are.
pub(crate) struct Shared {
    pub(crate) config: FakeConfig,
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    state: Mutex<objects::Store>,
    /// Where events go: the config's, or what `set_webhook_url` set since (a test learns its
    /// receiver's address only after the fake is up).
    pub(crate) webhook_url: Mutex<Option<String>>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, objects::Store> {
        // A panic in one handler must not take the whole fake down with a poisoned lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) type AppState = Arc<Shared>;

/// A running fake. Dropping it stops the server and the expiry ticker.
pub struct FakeStripe {
    /// `http://127.0.0.1:PORT`, to use as the adapter's API base URL.
    pub base_url: String,
    shared: AppState,
    tasks: Vec<JoinHandle<()>>,
}

impl FakeStripe {
    /// Serves on `127.0.0.1:0` (a free port) from tokio tasks.
    pub async fn spawn(config: FakeConfig) -> FakeStripe {
        Self::spawn_on(config, "127.0.0.1:0").await.expect("fake-stripe: bind 127.0.0.1:0")
    }

    /// Serves on `addr` (e.g. `127.0.0.1:12111`) from tokio tasks.
    pub async fn spawn_on(config: FakeConfig, addr: &str) -> std::io::Result<FakeStripe> {
        let listener = TcpListener::bind(addr).await?;
        let local: SocketAddr = listener.local_addr()?;
        let base_url = format!("http://{local}");
        // In a workspace build reqwest is unified with the server's `rustls-no-provider`
        // feature, and then a client cannot be built until a crypto provider is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            // Stripe gives up on an endpoint after a few seconds too; a hung receiver must not
            // hang the shopper's redirect forever.
            .timeout(Duration::from_secs(10))
            // Receivers are local; an HTTP_PROXY in the environment must not intercept them.
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        let webhook_url = Mutex::new(config.webhook_url.clone());
        let shared = Arc::new(Shared {
            config,
            base_url: base_url.clone(),
            http,
            state: Mutex::new(objects::Store::default()),
            webhook_url,
        });
        let app = router(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("fake-stripe server stopped: {e}");
            }
        });
        let ticker = tokio::spawn(checkout::expiry_ticker(shared.clone()));
        Ok(FakeStripe { base_url, shared, tasks: vec![server, ticker] })
    }

    /// The `Stripe-Signature` header value for `body` (see [`sign`]); here too so callers holding
    /// only the type can verify what they received.
    pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
        webhook::sign(secret, timestamp, body)
    }

    /// Every API call so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Sends events to `url` from now on (`None`: to nobody).
    pub fn set_webhook_url(&self, url: Option<String>) {
        *self.shared.webhook_url.lock().unwrap_or_else(|e| e.into_inner()) = url;
    }

    pub fn set_webhook_mode(&self, mode: WebhookMode) {
        self.shared.lock().webhook_mode = mode;
    }

    /// Every webhook POST attempted so far, in the order they were answered.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().deliveries.clone()
    }

    /// Moves the fake's clock forward, so tests can reach `expires_at` without waiting 30
    /// minutes (the expiry ticker runs every second and uses this clock).
    pub fn advance_clock(&self, seconds: i64) {
        self.shared.lock().clock_offset += seconds;
    }

    /// Resolves when the server stops (for the binary; it normally never does).
    pub async fn wait(mut self) {
        let tasks = std::mem::take(&mut self.tasks);
        for task in tasks {
            let _ = task.await;
        }
    }
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn router(shared: AppState) -> Router {
    let control = Router::new()
        .route("/_fake/webhook-mode", post(set_mode))
        .route("/_fake/requests", get(list_requests))
        .route("/_fake/deliveries", get(list_deliveries))
        .route("/_fake/advance-clock", post(advance_clock));
    Router::new().merge(api::router(shared.clone())).merge(hosted::router()).merge(control).with_state(shared)
}

#[derive(Deserialize)]
struct ModeForm {
    mode: String,
}

async fn set_mode(State(sh): State<AppState>, Form(form): Form<ModeForm>) -> Response {
    let mode = match form.mode.as_str() {
        "before" => WebhookMode::BeforeRedirect,
        "after" => WebhookMode::AfterRedirect,
        "twice" => WebhookMode::Twice,
        "never" => WebhookMode::Never,
        other => {
            return (StatusCode::BAD_REQUEST, format!("unknown mode {other:?}; use before|after|twice|never\n"))
                .into_response();
        }
    };
    sh.lock().webhook_mode = mode;
    Json(serde_json::json!({ "mode": mode })).into_response()
}

async fn list_requests(State(sh): State<AppState>) -> Json<Vec<LoggedRequest>> {
    Json(sh.lock().requests.clone())
}

async fn list_deliveries(State(sh): State<AppState>) -> Json<Vec<Delivery>> {
    Json(sh.lock().deliveries.clone())
}

#[derive(Deserialize)]
struct ClockForm {
    seconds: i64,
}

async fn advance_clock(State(sh): State<AppState>, Form(form): Form<ClockForm>) -> Json<serde_json::Value> {
    let mut store = sh.lock();
    store.clock_offset += form.seconds;
    Json(serde_json::json!({ "now": store.now() }))
}
