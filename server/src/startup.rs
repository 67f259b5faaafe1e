//! Builds the HTTP application (routes, layers, context) and serves it with graceful shutdown.
use crate::failsafe;
use crate::health;
use crate::security;
use crate::store::Database;
use app::services::{AuthSettings, Shop};
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderValue, Request, header};
use axum::routing::get;
use leptos::config::{LeptosOptions, get_configuration};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub shop: Shop,
    pub carrier_secrets: Arc<crate::webhooks::CarrierSecrets>,
    /// For `/readyz` (`health::readyz`), which asks the database itself, not a port.
    pub db: Database,
}

/// Leptos settings: from cargo-leptos' environment when it runs us, else from the workspace
/// Cargo.toml, else built-in defaults (tests run from other folders).
pub fn leptos_options(site_addr: Option<SocketAddr>) -> LeptosOptions {
    let from_env = std::env::var("LEPTOS_OUTPUT_NAME").is_ok();
    let loaded = if from_env {
        get_configuration(None).ok()
    } else if Path::new("Cargo.toml").exists() {
        get_configuration(Some("Cargo.toml")).ok()
    } else {
        None
    };
    let mut options = loaded.map(|c| c.leptos_options).unwrap_or_else(|| {
        LeptosOptions::builder().output_name("shop").site_root("target/site").site_pkg_dir("pkg").build()
    });
    if let Some(addr) = site_addr {
        options.site_addr = addr;
    }
    options
}

/// The services every request may use, over the connected database.
pub fn shop(db: &Database, auth: AuthSettings) -> Shop {
    let notifications = db.notifications();
    Shop {
        catalog: db.catalog(),
        accounts: db.accounts(),
        reviews: db.reviews(),
        orders: db.orders(),
        fulfilment: db.fulfilment(),
        // The built-in test gateway; `with_payments` puts the configured provider in its place.
        gateway: Arc::new(app::domain::gateway::TestGateway),
        // Paid orders queue their confirmation; `notify::start` points the links at PUBLIC_URL.
        checkout: Arc::new(app::services::checkout::CheckoutSettings {
            confirmations: Some(app::services::notifications::Confirmations {
                store: notifications.clone(),
                links: Default::default(),
            }),
            ..Default::default()
        }),
        carts: db.carts(),
        auth: Arc::new(auth),
        vocabulary: Arc::default(),
        categories: Arc::default(),
        listing_rows: Arc::default(),
        notifications,
        links: Arc::default(),
        analytics: db.analytics(),
        products_admin: db.products_admin(),
        inventory: db.inventory(),
        product_import: db.product_import(),
        recommendations: db.recommendations(),
        views: crate::view_buffer::ViewBuffer::new(db.recommendations()),
        product_images: db.product_images(),
        // The router sets the configured folder (`router_with`).
        media_dir: Arc::new("data/media".into()),
        admin: db.admin(),
        payouts: db.payouts(),
        pricing: db.pricing(),
        staff: db.staff(),
        clock: Arc::new(app::services::clock::SystemClock),
    }
}

/// The shop taking payments through `payments` (`PAYMENTS`): Stripe replaces the test gateway,
/// and its payment pages' origin joins the checkout's `form-action`.
pub fn with_payments(mut shop: Shop, payments: &crate::config::Payments) -> Result<Shop, String> {
    if let crate::config::Payments::Stripe(config) = payments {
        let _ = app::PAYMENT_PAGE_ORIGIN.set(config.checkout_origin.clone());
        shop.gateway = Arc::new(crate::stripe::Stripe::new(config.clone())?);
    }
    Ok(shop)
}

/// Deletes expired sessions every hour. Idempotent, so several instances may all run it.
pub fn spawn_session_sweeper(shop: Shop) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = shop.clock.now();
            let swept =
                shop.accounts.delete_expired_sessions(now - shop.auth.idle_secs, now - shop.auth.absolute_secs).await;
            match &swept {
                Ok(n) if *n > 0 => tracing::info!(deleted = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
            }
            crate::observability::job_ran("session_sweeper", swept.is_ok());
        }
    });
}

/// Gives back the stock of orders left unpaid past their reservation, every minute. Each order
/// is claimed by a conditional update, so several instances may all run it.
pub fn spawn_reservation_sweeper(shop: Shop) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let released = shop.orders.release_expired(shop.clock.now()).await;
            match &released {
                Ok(n) if *n > 0 => tracing::info!(released = n, "unpaid orders expired and their stock released"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not release expired reservations"),
            }
            crate::observability::job_ran("reservation_sweeper", released.is_ok());
        }
    });
}

/// Refreshes the query planner's statistics now and every hour, as the catalog grows.
pub fn spawn_statistics_refresh(db: Database) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let analyzed = db.analyze().await;
            if let Err(e) = &analyzed {
                tracing::warn!(error = %e, "could not refresh database statistics");
            }
            crate::observability::job_ran("statistics_refresh", analyzed.is_ok());
        }
    });
}

/// The route list, generated once per process. Generating it runs the app with resource loading
/// suppressed by a process-global flag (leptos issue #4773): a page whose resource first polls
/// meanwhile waits forever. One server never overlaps the two, but several in one process (the
/// integration tests) did, as an intermittent 60 s hang in CI.
pub fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// How long one request may take before it is answered 408 (uploads of several images included).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The app without carrier webhook secrets (every webhook is refused).
pub fn router(shop: Shop, db: &Database, options: LeptosOptions, media_dir: &Path) -> Router {
    router_with(shop, db, options, media_dir, crate::webhooks::CarrierSecrets::default())
}

/// The public app over `db` (`shop`'s stores are its ports). `/metrics` is not among its routes:
/// it has a listener of its own (`observability::start`).
pub fn router_with(
    shop: Shop,
    db: &Database,
    options: LeptosOptions,
    media_dir: &Path,
    carrier_secrets: crate::webhooks::CarrierSecrets,
) -> Router {
    let routes = route_list();
    let shop = Shop { media_dir: Arc::new(media_dir.to_path_buf()), ..shop };
    let state = AppState {
        leptos_options: options.clone(),
        shop: shop.clone(),
        carrier_secrets: Arc::new(carrier_secrets),
        db: db.clone(),
    };
    let hsts = shop.auth.cookie_secure;
    let page_cache = crate::page_cache::PageCacheState {
        cache: crate::page_cache::PageCache::new(crate::page_cache::DEFAULT_BUDGET),
        shop: shop.clone(),
    };
    let context = move || provide_context(shop.clone());
    // Media file names never change content, so browsers may keep them for a year.
    let media = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(ServeDir::new(media_dir));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/webhooks/carriers/{carrier}", crate::webhooks::route())
        .route("/webhooks/payments", crate::payment_webhooks::route())
        .route("/admin/products/import", crate::product_csv::upload_route())
        .route("/admin/products/export.csv", crate::product_csv::export_route())
        .route("/admin/earnings/ledger.csv", crate::ledger_csv::route())
        .route("/admin/orders.csv", crate::orders_csv::route())
        .route("/admin/products/{id}/images", crate::uploads::route())
        .nest_service("/media", media)
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Innermost: a panic in a page, server function or plain route is this request's 500.
        .layer(axum::middleware::from_fn(failsafe::catch_panic))
        // Pages for visitors without cookies, kept per catalog version (server/src/page_cache.rs).
        .layer(axum::middleware::from_fn_with_state(page_cache, crate::page_cache::serve))
        .layer(axum::middleware::from_fn(security::server_fn_error_status))
        .layer(axum::extract::DefaultBodyLimit::max(failsafe::API_BODY_LIMIT))
        .layer(axum::middleware::from_fn(failsafe::limit_api_body))
        .layer(axum::middleware::from_fn(security::reject_cross_site))
        .layer(axum::middleware::from_fn_with_state(hsts, security::security_headers))
        // A request (not counting a streamed response body) gets this long; then 408.
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CompressionLayer::new())
        // Count and time every request by its route pattern (`MatchedPath`, known here: these
        // layers wrap each route) and status; timeouts and panics are counted as their 408/500.
        .layer(axum::middleware::from_fn(crate::observability::track))
        .layer(
            // One line per request: method, path, status, latency, and the request id (which
            // every log line inside the request carries too). Never the query: it can hold tokens.
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(failsafe::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    let path = failsafe::loggable_path(req.uri().path());
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %path)
                })
                .on_request(())
                .on_body_chunk(())
                .on_eos(())
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros))
                .on_failure(()),
        )
        .layer(axum::middleware::from_fn(failsafe::request_id))
        .with_state(state)
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish. Every request carries
/// the peer address (`ConnectInfo`), so throttles key on the real client, never on "unknown";
/// slow or idle clients are cut off after `ServeLimits::header_read` (server/src/serve.rs).
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    crate::serve::serve_with(listener, app, crate::serve::ServeLimits::default(), shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}
