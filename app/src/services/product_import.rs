//! Product CSV files for a store's staff (the caller checked the access; a job of another store
//! is not found): the import page (the store, a fresh key for the upload form, the job asked
//! for), a job's progress, recording an upload as a job, and the export's pages. Reading the
//! multipart upload and running the job live in the server crate (`product_csv`, `product_import`).
use super::Shop;
use super::errors::store_err;
use super::product_import_store::NewImportJob;
use crate::domain::errors::AppError;
use crate::domain::product_csv::{ExportVariant, ImportJobView, ImportPage, SHOWN_ERRORS};

/// The import page for store `merchant_id`, with job `job` when it is the store's.
pub async fn page(shop: &Shop, merchant_id: i64, job: Option<i64>) -> Result<ImportPage, AppError> {
    let job = match job {
        Some(id) => status(shop, merchant_id, id).await?,
        None => None,
    };
    let store_name = super::merchants::store_name(shop, merchant_id).await?;
    Ok(ImportPage { merchant_id, store_name, idempotency_key: super::random::action_key(), job })
}

/// The progress of the store's import `job` (None when the store has no such job).
pub async fn status(shop: &Shop, merchant_id: i64, job: i64) -> Result<Option<ImportJobView>, AppError> {
    shop.product_import.job(merchant_id, job, SHOWN_ERRORS, shop.clock.now()).await.map_err(store_err)
}

/// Records an upload as an import job; (job id, created). A retried upload with the same
/// idempotency key finds the first job (`created` false) instead of starting another.
pub async fn record_upload(shop: &Shop, job: &NewImportJob) -> Result<(i64, bool), AppError> {
    shop.product_import.create_job(job, shop.clock.now()).await.map_err(store_err)
}

/// The store's variants after `after_variant_id`, `limit` at most, for the export.
pub async fn export_page(
    shop: &Shop,
    merchant_id: i64,
    after_variant_id: i64,
    limit: i64,
) -> Result<Vec<ExportVariant>, AppError> {
    shop.product_import.export_page(merchant_id, after_variant_id, limit).await.map_err(store_err)
}
