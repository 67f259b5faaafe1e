//! The product import job: a Tokio task that turns the uploaded rows into products, a batch of
//! about `BATCH_ROWS` rows per transaction, yielding between batches so storefront requests keep
//! being served while 100 000 rows go in. Each batch moves the job's progress on; the page polls
//! it. A batch that meets a race with another writer (a unique violation) is retried one product
//! at a time, so one product's conflict never costs the others their rows.
use app::domain::product_csv::{BATCH_ROWS, CsvGroup, ImportStatus, RowError, prepare};
use app::services::StoreError;
use app::services::clock::now;
use app::services::product_import_store::{ImportBatch, ImportProduct, ProductImportStore};
use std::collections::HashMap;
use std::sync::Arc;

/// What the job reads: the file's product groups and the rows already refused while reading it.
pub struct ParsedFile {
    pub groups: Vec<CsvGroup>,
    pub refused: Vec<RowError>,
}

impl ParsedFile {
    pub fn rows(&self) -> usize {
        self.groups.iter().map(|g| g.rows.len()).sum::<usize>() + self.refused.len()
    }
}

/// Starts the job in the background.
pub fn spawn(store: Arc<dyn ProductImportStore>, merchant_id: i64, job_id: i64, file: ParsedFile) {
    tokio::spawn(async move {
        let outcome = run(store.as_ref(), merchant_id, job_id, file).await;
        let (status, message) = match outcome {
            Ok(()) => (ImportStatus::Done, String::new()),
            Err(e) => {
                tracing::error!(job_id, error = %e, "product import stopped");
                (
                    ImportStatus::Failed,
                    "The import stopped part way because of a problem on our side. The rows counted as imported \
                     were saved; upload the file again to finish (rows already imported are updated, not duplicated)."
                        .to_string(),
                )
            }
        };
        if let Err(e) = store.finish_job(job_id, status, &message, now()).await {
            tracing::error!(job_id, error = %e, "could not record the end of a product import");
        }
        tracing::info!(job_id, merchant_id, status = status.as_str(), "product import finished");
    });
}

/// Runs the job to the end (the caller records how it ended).
pub async fn run(
    store: &dyn ProductImportStore,
    merchant_id: i64,
    job_id: i64,
    file: ParsedFile,
) -> Result<(), StoreError> {
    let categories: HashMap<String, i64> =
        store.category_slugs().await?.into_iter().map(|(slug, id)| (slug.to_lowercase(), id)).collect();
    let mut batch = ImportBatch { products: Vec::new(), refused: file.refused };
    for group in &file.groups {
        let prepared = prepare(group, &categories);
        batch.refused.extend(prepared.errors);
        if let Some(product) = prepared.product {
            batch.products.push(ImportProduct { product, lines: prepared.lines });
        }
        if batch.rows() >= BATCH_ROWS {
            write(store, merchant_id, job_id, std::mem::take(&mut batch)).await?;
            // Let the requests waiting on this thread run before the next batch.
            tokio::task::yield_now().await;
        }
    }
    if batch.rows() > 0 {
        write(store, merchant_id, job_id, batch).await?;
    }
    Ok(())
}

/// Writes a batch; on a race (a unique violation) writes its products one by one instead, and a
/// product that still conflicts is refused with the reason.
async fn write(
    store: &dyn ProductImportStore,
    merchant_id: i64,
    job_id: i64,
    batch: ImportBatch,
) -> Result<(), StoreError> {
    match store.import_batch(merchant_id, job_id, &batch, now()).await {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict(reason)) => {
            let ImportBatch { products, refused } = batch;
            let mut carried = Some(refused);
            for p in products {
                let single = ImportBatch { products: vec![p.clone()], refused: carried.take().unwrap_or_default() };
                match store.import_batch(merchant_id, job_id, &single, now()).await {
                    Ok(_) => {}
                    Err(StoreError::Conflict(_)) => {
                        let mut refused = single.refused;
                        refused.extend(p.lines.iter().zip(&p.product.variants).map(|(line, v)| RowError {
                            line: *line,
                            handle: p.product.slug.clone(),
                            sku: v.sku.clone(),
                            message: format!("not imported: {}", reason.to_lowercase()),
                        }));
                        let only_refused = ImportBatch { products: Vec::new(), refused };
                        store.import_batch(merchant_id, job_id, &only_refused, now()).await?;
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(refused) = carried.filter(|r| !r.is_empty()) {
                store.import_batch(merchant_id, job_id, &ImportBatch { products: Vec::new(), refused }, now()).await?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}
