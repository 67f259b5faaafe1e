//! `GET /healthz`: is this instance able to serve? 503 when the database does not answer,
//! so a load balancer takes the instance out of rotation.
//! `GET /readyz`: may it take traffic? The database answers `SELECT 1` and has this build's
//! latest migration recorded; else 503 with a short reason (the details go to the log only).
use crate::store::Database;
use app::services::Shop;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub async fn healthz(State(shop): State<Shop>) -> (StatusCode, Json<Value>) {
    let engine = shop.catalog.engine();
    let check = tokio::time::timeout(Duration::from_secs(2), shop.catalog.ping()).await;
    match check {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ok", "database": "reachable", "engine": engine }))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable", "engine": engine })),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": "timeout", "engine": engine })),
        ),
    }
}

/// How long a readiness check may take before it counts as "the database does not answer".
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn readyz(State(db): State<Database>) -> (StatusCode, Json<Value>) {
    let latest = db.latest_known_migration();
    match tokio::time::timeout(READY_TIMEOUT, ready(&db, latest)).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready", "schema_version": latest }))),
        Ok(Err(reason)) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "reason": reason })))
        }
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "reason": "database timeout" })))
        }
    }
}

/// The two checks, in order; the reason is a fixed phrase (an error's text may name hosts).
async fn ready(db: &Database, latest: i64) -> Result<(), &'static str> {
    if let Err(e) = db.ping().await {
        tracing::warn!(error = %e, "readiness: database unreachable");
        return Err("database unreachable");
    }
    match db.migration_applied(latest).await {
        Ok(true) => Ok(()),
        Ok(false) => {
            tracing::warn!(latest, "readiness: this build's latest migration is not applied");
            Err("migrations pending")
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read schema_migrations");
            Err("migrations pending")
        }
    }
}
