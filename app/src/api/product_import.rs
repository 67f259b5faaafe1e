//! The product CSV import page's server functions: the page itself (the store, a fresh key for
//! the upload form, the job asked for) and the job's progress, polled while it runs. The upload
//! and the export are plain axum routes in the server crate (`server/src/product_csv.rs`). A
//! store's staff, or the platform admin acting for it; a job of another store is not found.
use crate::domain::errors::AppError;
use crate::domain::product_csv::{ImportJobView, ImportPage};
use leptos::prelude::*;

/// Refused rows shown on the page (the rest are counted).
pub const SHOWN_ERRORS: i64 = 500;

/// The import page for the acting store, with job `job` when it is the store's.
#[server(endpoint = "admin/products/import/page")]
pub async fn product_import_page(merchant_id: Option<i64>, job: Option<i64>) -> Result<ImportPage, AppError> {
    use crate::domain::idempotency::IdempotencyKey;
    let merchant_id = super::store_orders::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let job = match job {
        Some(id) => shop
            .product_import
            .job(merchant_id, id, SHOWN_ERRORS, crate::services::clock::now())
            .await
            .map_err(internal)?,
        None => None,
    };
    let store_name = shop
        .accounts
        .merchants()
        .await
        .map_err(internal)?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .map(|m| m.name)
        .unwrap_or_default();
    let key = IdempotencyKey::from_random(crate::services::passwords::random_bytes::<16>());
    Ok(ImportPage { merchant_id, store_name, idempotency_key: key.as_str().to_string(), job })
}

/// The progress of the store's import `job` (None when the store has no such job).
#[server(endpoint = "admin/products/import/status")]
pub async fn product_import_status(merchant_id: Option<i64>, job: i64) -> Result<Option<ImportJobView>, AppError> {
    let merchant_id = super::store_orders::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    shop.product_import
        .job(merchant_id, job, SHOWN_ERRORS, crate::services::clock::now())
        .await
        .map_err(crate::services::accounts::store_err)
}
