//! The product import/export SQL (the `ProductImportStore` port), written once for SQLite and
//! PostgreSQL through a macro like `products`.
//!
//! A batch is one write transaction (`begin_write`: `BEGIN IMMEDIATE` on SQLite). It first reads, for the whole
//! batch at once, the products holding the batch's handles and the store's variants holding its
//! SKUs, so each product is matched (and its conflicts found) without a query per row: a handle of
//! another store's product, or a SKU of another product of this store, refuses that product's
//! rows; otherwise it is updated (found by handle, else by its SKUs) or created, and its variants
//! are updated (matched by SKU, within the store only: SKUs are unique per store) or inserted.
//! Variants missing from the file are kept. A stock change joins the inventory history like a
//! change on the product form, and follows the form's compare-and-set rule: with `exported_stock`
//! (which the export writes), a stock equal to it is not written — sales made since the export
//! are kept — and a different one is written only while the stock still is `exported_stock`,
//! else the product is refused with the current stock. The batch reads the held variants
//! `FOR UPDATE` on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already excludes other writers), so no
//! sale slips in between that check and the write. Without `exported_stock` the stock is a count.
//! The refused rows and the job's progress are written in the same transaction. Search indexes
//! follow the products table by their triggers (migrations 0003, 0018: sellable products only).
//! `batch` holds the batch's SQL steps, `plan` what it decides from the rows it read. A retried
//! upload finds its job by the key recorded on the job's own row (`create_job`).
#[macro_use]
mod batch;
pub mod plan;

/// Rows of `import_job_errors` per INSERT.
pub const ERROR_CHUNK: usize = 200;
/// New products, or new variants, per INSERT (at most 11 values each: far below both engines'
/// limits on bound parameters).
pub const INSERT_CHUNK: usize = 100;

pub const JOB: &str = "SELECT id, merchant_id, status, message, file_name, total_rows, rows_done, ok_rows,
    failed_rows, created_at, updated_at FROM import_jobs WHERE id = $1 AND merchant_id = $2";

/// A running job moves on every batch (a second or so); one silent this long was stopped with
/// its server and is shown (and recorded) as failed.
pub const STALE_SECS: i64 = 600;

pub const INTERRUPTED: &str = "The import stopped part way because the server restarted. The rows counted as \
    imported were saved; upload the file again to finish (rows already imported are updated, not duplicated).";

pub const EXPORT: &str = "SELECT p.id AS product_id, p.slug, p.title, p.description, c.slug AS category, p.status,
    p.option_names, v.option_values, v.sku, v.price_minor, v.compare_at_minor, v.stock
    FROM products p JOIN categories c ON c.id = p.category_id JOIN product_variants v ON v.product_id = p.id
    WHERE p.merchant_id = $1
      AND p.id IN (SELECT id FROM products WHERE merchant_id = $1 AND id > $2 ORDER BY id LIMIT $3)
    ORDER BY p.id, v.position, v.id";

/// `$lock_held` is appended to the query that reads the held variants (see `batch`).
macro_rules! impl_sql_product_import {
    ($store:ty, $db:ty, $lock_held:literal) => {
        use app::domain::product_csv::{ExportVariant, ImportJobView, ImportStatus, RowError};
        use app::domain::product_form::{ValidProduct, ValidVariant};
        use app::services::StoreError;
        use app::services::product_import_store::{BatchOutcome, ImportBatch, NewImportJob, ProductImportStore};
        use sqlx::{QueryBuilder, Row};
        use std::collections::HashMap;
        use $crate::store::catalog::rows::{json_list, parse_json_list};
        use $crate::store::errors::{map_sqlx, unknown};
        use $crate::store::product_import::plan::{match_targets, matched_ids, plan_product};
        use $crate::store::product_import::{ERROR_CHUNK, EXPORT, INSERT_CHUNK, INTERRUPTED, JOB, STALE_SECS};

        import_batch_steps!($store, $db, $lock_held);

        #[async_trait::async_trait]
        impl ProductImportStore for $store {
            async fn create_job(&self, job: &NewImportJob, now: i64) -> Result<(i64, bool), StoreError> {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO import_jobs (merchant_id, idempotency_key, file_name, status, message, total_rows,
                                              created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                     ON CONFLICT (merchant_id, idempotency_key) DO NOTHING RETURNING id",
                )
                .bind(job.merchant_id)
                .bind(&job.idempotency_key)
                .bind(&job.file_name)
                .bind(job.status.as_str())
                .bind(&job.message)
                .bind(job.total_rows)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                if let Some(id) = id {
                    return Ok((id, true));
                }
                let earlier: i64 =
                    sqlx::query_scalar("SELECT id FROM import_jobs WHERE merchant_id = $1 AND idempotency_key = $2")
                        .bind(job.merchant_id)
                        .bind(&job.idempotency_key)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                Ok((earlier, false))
            }

            async fn job(
                &self,
                merchant_id: i64,
                id: i64,
                max_errors: i64,
                now: i64,
            ) -> Result<Option<ImportJobView>, StoreError> {
                let Some(r) =
                    sqlx::query(JOB).bind(id).bind(merchant_id).fetch_optional(&self.pool).await.map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let stored: &str = r.get("status");
                let mut status = ImportStatus::parse(stored).ok_or_else(|| unknown("import status", stored))?;
                let mut message: String = r.get("message");
                if status == ImportStatus::Running && r.get::<i64, _>("updated_at") < now - STALE_SECS {
                    self.finish_job(id, ImportStatus::Failed, INTERRUPTED, now).await?;
                    (status, message) = (ImportStatus::Failed, INTERRUPTED.to_string());
                }
                let errors = sqlx::query(
                    "SELECT line, handle, sku, message FROM import_job_errors WHERE job_id = $1
                     ORDER BY line, id LIMIT $2",
                )
                .bind(id)
                .bind(max_errors.max(0))
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?
                .iter()
                .map(|e| RowError {
                    line: e.get::<i64, _>("line").max(0) as u64,
                    handle: e.get("handle"),
                    sku: e.get("sku"),
                    message: e.get("message"),
                })
                .collect();
                Ok(Some(ImportJobView {
                    id: r.get("id"),
                    merchant_id: r.get("merchant_id"),
                    status,
                    message,
                    file_name: r.get("file_name"),
                    total_rows: r.get("total_rows"),
                    rows_done: r.get("rows_done"),
                    ok_rows: r.get("ok_rows"),
                    failed_rows: r.get("failed_rows"),
                    created_at: r.get("created_at"),
                    errors,
                }))
            }

            async fn category_slugs(&self) -> Result<Vec<(String, i64)>, StoreError> {
                sqlx::query_as("SELECT slug, id FROM categories").fetch_all(&self.pool).await.map_err(map_sqlx)
            }

            async fn import_batch(
                &self,
                merchant_id: i64,
                job_id: i64,
                batch: &ImportBatch,
                now: i64,
            ) -> Result<BatchOutcome, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let existing = read_existing(&mut tx, merchant_id, batch).await?;
                let targets = match_targets(batch, merchant_id, &existing);
                let matched = read_matched(&mut tx, &matched_ids(&targets)).await?;
                let currency = Self::store_currency_in(&mut tx, merchant_id).await?;

                let mut refused: Vec<RowError> = batch.refused.clone();
                let mut ok = 0_i64;
                let mut created: Vec<&ValidProduct> = Vec::new();
                let mut new_variants: Vec<(i64, usize, &ValidVariant)> = Vec::new();
                for (p, target) in batch.products.iter().zip(targets) {
                    match plan_product(p, target, &existing.held, &matched) {
                        Err(rows) => refused.extend(rows),
                        Ok(None) => {
                            ok += p.product.variants.len() as i64;
                            created.push(&p.product);
                        }
                        Ok(Some(product_id)) => {
                            ok += p.product.variants.len() as i64;
                            let added =
                                update_product(&mut tx, merchant_id, product_id, &p.product, &existing.held, now)
                                    .await?;
                            new_variants.extend(added);
                        }
                    }
                }
                new_variants.extend(insert_products(&mut tx, merchant_id, &created, &currency, now).await?);
                insert_variants(&mut tx, merchant_id, &new_variants, now).await?;
                record_outcome(&mut tx, merchant_id, job_id, &refused, ok, now).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(BatchOutcome { ok, failed: refused.len() as i64 })
            }

            async fn finish_job(
                &self,
                job_id: i64,
                status: ImportStatus,
                message: &str,
                now: i64,
            ) -> Result<(), StoreError> {
                let finish =
                    sqlx::query("UPDATE import_jobs SET status = $1, message = $2, updated_at = $3 WHERE id = $4");
                self.execute(finish.bind(status.as_str()).bind(message).bind(now).bind(job_id)).await.map(drop)
            }

            async fn export_page(
                &self,
                merchant_id: i64,
                after_product_id: i64,
                limit: i64,
            ) -> Result<Vec<ExportVariant>, StoreError> {
                let rows = self.rows(sqlx::query(EXPORT).bind(merchant_id).bind(after_product_id).bind(limit)).await?;
                Ok(rows
                    .iter()
                    .map(|r| ExportVariant {
                        product_id: r.get("product_id"),
                        handle: r.get("slug"),
                        title: r.get("title"),
                        description: r.get("description"),
                        category: r.get("category"),
                        published: r.get::<String, _>("status") == "published",
                        option_names: parse_json_list(r.get::<&str, _>("option_names")),
                        option_values: parse_json_list(r.get::<&str, _>("option_values")),
                        sku: r.get("sku"),
                        price_minor: r.get("price_minor"),
                        compare_at_minor: r.get("compare_at_minor"),
                        stock: r.get("stock"),
                    })
                    .collect())
            }
        }
    };
}
