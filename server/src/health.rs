//! `GET /healthz`: is this instance able to serve? 503 when the database does not answer,
//! so a load balancer takes the instance out of rotation.
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
