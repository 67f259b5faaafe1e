//! The storage port for product CSV imports and exports: the import job (its progress and the
//! rows it refused), writing one batch of products in one transaction, and the store's variants
//! page by page for the export. Both SQL adapters implement it.
use super::catalog_store::StoreError;
use crate::domain::product_csv::{ExportVariant, ImportJobView, ImportStatus, RowError};
use crate::domain::product_form::ValidProduct;
use async_trait::async_trait;

/// A product the job writes, with the file line of each of its variants (same order).
#[derive(Clone, Debug)]
pub struct ImportProduct {
    pub product: ValidProduct,
    pub lines: Vec<u64>,
}

/// One batch of the job: the products to write and the rows already refused by the rules.
#[derive(Clone, Debug, Default)]
pub struct ImportBatch {
    pub products: Vec<ImportProduct>,
    pub refused: Vec<RowError>,
}

impl ImportBatch {
    pub fn rows(&self) -> usize {
        self.products.iter().map(|p| p.lines.len()).sum::<usize>() + self.refused.len()
    }
}

/// What a batch did: rows written and rows refused (by the rules or by the database's checks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub ok: i64,
    pub failed: i64,
}

/// A job to start.
#[derive(Clone, Debug)]
pub struct NewImportJob {
    pub merchant_id: i64,
    pub idempotency_key: String,
    pub file_name: String,
    pub total_rows: i64,
    /// Running, or rejected (with `message`) for a file refused before any row was read.
    pub status: ImportStatus,
    pub message: String,
}

#[async_trait]
pub trait ProductImportStore: Send + Sync + 'static {
    /// Records a job; `(id, true)` when new, or `(id of the earlier job, false)` when the store
    /// already has one with this idempotency key (a retried upload).
    async fn create_job(&self, job: &NewImportJob, now: i64) -> Result<(i64, bool), StoreError>;

    /// The store's job `id` with its first `max_errors` refused rows; None for another store's.
    /// A job still running long after its last batch (at `now`) was stopped with its server: it
    /// is recorded and shown as failed.
    async fn job(
        &self,
        merchant_id: i64,
        id: i64,
        max_errors: i64,
        now: i64,
    ) -> Result<Option<ImportJobView>, StoreError>;

    /// Every category as (slug, id), to read the file's `category` column.
    async fn category_slugs(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Writes a batch in one transaction: each product is matched within the store by handle,
    /// else by its SKUs, and updated (variants matched by SKU; others kept), or created. A handle
    /// or SKU taken elsewhere refuses that product's rows. The refused rows are recorded and the
    /// job's progress moves on, in the same transaction. A `Conflict` error (a race with another
    /// writer) writes nothing; the caller then retries the products one by one.
    async fn import_batch(
        &self,
        merchant_id: i64,
        job_id: i64,
        batch: &ImportBatch,
        now: i64,
    ) -> Result<BatchOutcome, StoreError>;

    /// Ends a job: done, or failed with a message.
    async fn finish_job(&self, job_id: i64, status: ImportStatus, message: &str, now: i64) -> Result<(), StoreError>;

    /// The store's variants after `after_variant_id` (by variant id), `limit` at most, for the export.
    async fn export_page(
        &self,
        merchant_id: i64,
        after_variant_id: i64,
        limit: i64,
    ) -> Result<Vec<ExportVariant>, StoreError>;
}
