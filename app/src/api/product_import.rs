//! The product CSV import page's server functions: the page itself (the store, a fresh key for
//! the upload form, the job asked for) and the job's progress, polled while it runs. The upload
//! and the export are plain axum routes in the server crate (`server/src/product_csv.rs`). A
//! store's staff, or the platform admin acting for it; a job of another store is not found.
use crate::domain::errors::AppError;
use crate::domain::product_csv::{ImportJobView, ImportPage};
use leptos::prelude::*;

/// The import page for the acting store, with job `job` when it is the store's.
#[server(endpoint = "admin/products/import/page")]
pub async fn product_import_page(merchant_id: Option<i64>, job: Option<i64>) -> Result<ImportPage, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    crate::services::product_import::page(&super::guard::shop()?, merchant_id, job).await
}

/// The progress of the store's import `job` (None when the store has no such job).
#[server(endpoint = "admin/products/import/status")]
pub async fn product_import_status(merchant_id: Option<i64>, job: i64) -> Result<Option<ImportJobView>, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    crate::services::product_import::status(&super::guard::shop()?, merchant_id, job).await
}
