//! `GET /admin/orders.csv`: a store's order parts for accounting, oldest first, with the queue's
//! filters (`status`, `q`; `store` for the platform admin), one row per part
//! (`services::order_views::orders_csv_record`). Authorized like the queue's server function, by
//! the one guard (`Access::ActingStore`). The file is streamed in batches read by cursor, so a
//! store with 100,000 orders costs the server one batch of memory, not the whole file.
use app::domain::errors::AppError;
use app::domain::paging::Cursor;
use app::services::Shop;
use app::services::order_store::PartFilter;
use app::services::order_views::{EXPORT_BATCH, ORDERS_CSV_COLUMNS, export_filter, orders_csv_record};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use futures_util::StreamExt;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ExportQuery {
    store: Option<i64>,
    status: Option<String>,
    q: Option<String>,
}

pub fn route<S>() -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Shop: axum::extract::FromRef<S>,
{
    get(export)
}

async fn export(State(shop): State<Shop>, headers: HeaderMap, Query(q): Query<ExportQuery>) -> Response {
    use app::api::guard::{Access, check};
    let merchant_id = match check(&shop, &headers, Access::ActingStore(q.store)).await {
        Ok(pass) => match pass.store {
            Some(id) => id,
            None => return (StatusCode::BAD_REQUEST, "Choose a store to export its orders.").into_response(),
        },
        Err(AppError::Unauthenticated) => return Redirect::to("/login?next=/admin/orders").into_response(),
        Err(AppError::Forbidden) => {
            return (StatusCode::FORBIDDEN, "You don't have access to this store's orders.").into_response();
        }
        Err(AppError::Validation(e)) => {
            let message = e.get("store").unwrap_or("Choose a store to export its orders.").to_string();
            return (StatusCode::BAD_REQUEST, message).into_response();
        }
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "Please try again in a moment.").into_response(),
    };
    let filter = match export_filter(q.status.as_deref(), q.q.as_deref()) {
        Ok(filter) => filter,
        Err(e) => {
            let message = e.field("q").unwrap_or_else(|| e.to_string());
            return (StatusCode::BAD_REQUEST, message).into_response();
        }
    };
    let mut header = csv::Writer::from_writer(Vec::new());
    let head = match header.write_record(ORDERS_CSV_COLUMNS).map(|_| header.into_inner()) {
        Ok(Ok(bytes)) => bytes,
        _ => return (StatusCode::SERVICE_UNAVAILABLE, "The export failed; please try again.").into_response(),
    };
    let batches = futures_util::stream::unfold(Some((shop, filter, 0i64)), move |state| async move {
        let (shop, filter, after) = state?;
        match batch(&shop, merchant_id, &filter, after).await {
            Ok(None) => None,
            Ok(Some((bytes, last))) => Some((Ok::<Bytes, std::io::Error>(bytes), Some((shop, filter, last)))),
            // The status line has gone out already: cutting the body short is how the browser
            // learns the file is incomplete (it reports a failed download).
            Err(e) => {
                tracing::error!(error = %e, merchant_id, "orders export failed mid-file");
                Some((Err(std::io::Error::other("orders export failed")), None))
            }
        }
    });
    // Fused: a compressing layer polls the body once more after its end, which an unfused
    // `unfold` answers with a panic (found by the e2e test asking for br).
    let body =
        futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(head)) }).chain(batches).fuse();
    crate::csv_download::attachment(Body::from_stream(body).into_response(), &format!("orders-store-{merchant_id}.csv"))
}

/// The CSV rows of the next batch after order id `after`, and the last order id in it; `None`
/// when there are no more.
async fn batch(shop: &Shop, merchant_id: i64, filter: &PartFilter, after: i64) -> Result<Option<(Bytes, i64)>, String> {
    let rows = shop
        .orders
        .parts_of_merchant(merchant_id, filter, Cursor::After(after), EXPORT_BATCH as i64)
        .await
        .map_err(|e| e.to_string())?;
    let Some(last) = rows.last().map(|p| p.order_id) else { return Ok(None) };
    let mut out = csv::Writer::from_writer(Vec::new());
    for part in &rows {
        out.write_record(orders_csv_record(part)).map_err(|e| e.to_string())?;
    }
    let bytes = out.into_inner().map_err(|e| e.to_string())?;
    Ok(Some((Bytes::from(bytes), last)))
}
