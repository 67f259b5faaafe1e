//! `GET /admin/earnings/ledger.csv`: a store's ledger (its staff, or the platform admin with
//! `?store=ID`) or, for the platform admin without a store, the whole marketplace's, oldest
//! first, as CSV for accounting (`domain::payouts::ledger_csv_record`). Authorized like the
//! server functions, by the one guard (`Access::StoreOrMarketplace`).
use crate::product_csv::StoreQuery;
use app::domain::errors::AppError;
use app::domain::payouts::{LEDGER_CSV_COLUMNS, ledger_csv_record};
use app::services::Shop;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};

pub fn route<S>() -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Shop: axum::extract::FromRef<S>,
{
    get(export)
}

async fn export(State(shop): State<Shop>, headers: HeaderMap, Query(q): Query<StoreQuery>) -> Response {
    use app::api::guard::{Access, Pass, check};
    let scope = match check(&shop, &headers, Access::StoreOrMarketplace(q.store)).await {
        Ok(Pass { store, principal: Some(p) }) if store.is_some() || p.is_admin => store,
        Ok(_) | Err(AppError::Forbidden) => {
            return (StatusCode::FORBIDDEN, "You don't have access to this store's earnings.").into_response();
        }
        Err(AppError::Unauthenticated) => return Redirect::to("/login?next=/admin/earnings").into_response(),
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "Please try again in a moment.").into_response(),
    };
    let entries = match app::services::payouts::ledger_export(&shop, scope).await {
        Ok(entries) => entries,
        Err(e) => {
            tracing::error!(error = %e, "ledger export failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "The export failed; please try again.").into_response();
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut failed = out.write_record(LEDGER_CSV_COLUMNS).is_err();
    for (entry, name) in &entries {
        failed |= out.write_record(ledger_csv_record(entry, name)).is_err();
    }
    let body = match (failed, out.into_inner()) {
        (false, Ok(body)) => body,
        _ => return (StatusCode::SERVICE_UNAVAILABLE, "The export failed; please try again.").into_response(),
    };
    let name = match scope {
        Some(id) => format!("ledger-store-{id}.csv"),
        None => "ledger-marketplace.csv".to_string(),
    };
    crate::csv_download::attachment(body.into_response(), &name)
}
