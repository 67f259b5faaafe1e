//! The product import/export SQL (the `ProductImportStore` port), written once for SQLite and
//! PostgreSQL through a macro like `sql_products`.
//!
//! A batch is one write transaction (`BEGIN IMMEDIATE` on SQLite). It first reads, for the whole
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

macro_rules! impl_sql_product_import {
    ($store:ty, $db:ty) => {
        use app::domain::product_csv::{ExportVariant, ImportJobView, RowError, refuse_rows};
        use app::domain::product_form::MAX_VARIANTS;
        use app::services::StoreError;
        use app::services::product_import_store::{
            BatchOutcome, ImportBatch, NewImportJob, ProductImportStore,
        };
        use sqlx::{QueryBuilder, Row};
        use std::collections::HashMap;
        use $crate::store::errors::map_sqlx;
        use $crate::store::sql_catalog::{json_list, parse_json_list};
        use $crate::store::sql_product_import::{ERROR_CHUNK, EXPORT, INSERT_CHUNK, INTERRUPTED, JOB, STALE_SECS};

        /// A variant of the store that holds one of the batch's SKUs.
        struct Held {
            id: i64,
            product_id: i64,
            stock: i64,
            handle: String,
        }

        /// A variant of a matched product (to see what the file leaves out).
        struct Sibling {
            product_id: i64,
            sku: String,
            title: String,
        }

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
                .bind(&job.status)
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
            ) -> Result<Option<ImportJobView>, StoreError> {
                let Some(r) =
                    sqlx::query(JOB).bind(id).bind(merchant_id).fetch_optional(&self.pool).await.map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let mut status: String = r.get("status");
                let mut message: String = r.get("message");
                let now = $crate::store::now_unix();
                if status == "running" && r.get::<i64, _>("updated_at") < now - STALE_SECS {
                    self.finish_job(id, "failed", INTERRUPTED, now).await?;
                    (status, message) = ("failed".to_string(), INTERRUPTED.to_string());
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
                let mut refused: Vec<RowError> = batch.refused.clone();
                let mut ok = 0_i64;

                // The products holding the batch's handles (any store: a handle is a global slug).
                let mut by_handle: HashMap<String, (i64, i64)> = HashMap::new();
                let mut held: HashMap<String, Held> = HashMap::new();
                if !batch.products.is_empty() {
                    let mut qb = QueryBuilder::<$db>::new("SELECT id, merchant_id, slug FROM products WHERE slug IN (");
                    let mut list = qb.separated(", ");
                    for p in &batch.products {
                        list.push_bind(p.product.slug.clone());
                    }
                    qb.push(")");
                    for r in qb.build().fetch_all(&mut *tx).await.map_err(map_sqlx)? {
                        by_handle.insert(r.get("slug"), (r.get("id"), r.get("merchant_id")));
                    }
                    // The store's variants holding the batch's SKUs (never another store's).
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT v.id, v.sku, v.product_id, v.stock, p.slug FROM product_variants v
                         JOIN products p ON p.id = v.product_id WHERE v.merchant_id = ",
                    );
                    qb.push_bind(merchant_id).push(" AND v.sku IN (");
                    let mut list = qb.separated(", ");
                    for p in &batch.products {
                        for v in &p.product.variants {
                            list.push_bind(v.sku.clone());
                        }
                    }
                    qb.push(")");
                    qb.push(LOCK_HELD);
                    for r in qb.build().fetch_all(&mut *tx).await.map_err(map_sqlx)? {
                        held.insert(
                            r.get("sku"),
                            Held {
                                id: r.get("id"),
                                product_id: r.get("product_id"),
                                stock: r.get("stock"),
                                handle: r.get("slug"),
                            },
                        );
                    }
                }

                // Which stored product each one updates, or why it can't be written.
                let mut targets: Vec<Result<Option<i64>, Vec<(u64, String)>>> = Vec::new();
                let mut claimed: HashMap<i64, String> = HashMap::new();
                for p in &batch.products {
                    let handle = &p.product.slug;
                    let first = p.lines.first().copied().unwrap_or_default();
                    let mut problems: Vec<(u64, String)> = Vec::new();
                    let mut target = match by_handle.get(handle) {
                        Some((_, owner)) if *owner != merchant_id => {
                            problems.push((
                                first,
                                format!("handle {handle} is already used by another product; choose another handle"),
                            ));
                            None
                        }
                        Some((id, _)) => Some(*id),
                        None => None,
                    };
                    for (v, line) in p.product.variants.iter().zip(&p.lines) {
                        let Some(h) = held.get(&v.sku) else { continue };
                        match target {
                            Some(t) if t != h.product_id => problems.push((
                                *line,
                                format!("SKU {} belongs to another product of your store ({})", v.sku, h.handle),
                            )),
                            Some(_) => {}
                            None if problems.is_empty() => target = Some(h.product_id),
                            None => {}
                        }
                    }
                    if let Some(t) = target {
                        if let Some(other) = claimed.get(&t) {
                            problems.push((first, format!("this product is also in the file as {other}")));
                        }
                    }
                    if problems.is_empty() {
                        if let Some(t) = target {
                            claimed.insert(t, handle.clone());
                        }
                        targets.push(Ok(target));
                    } else {
                        targets.push(Err(problems));
                    }
                }

                // What the matched products hold besides the file's variants.
                let matched: Vec<i64> = targets.iter().filter_map(|t| t.as_ref().ok().copied().flatten()).collect();
                let mut siblings: Vec<Sibling> = Vec::new();
                let mut stored_options: HashMap<i64, Vec<String>> = HashMap::new();
                if !matched.is_empty() {
                    let mut qb = QueryBuilder::<$db>::new("SELECT id, option_names FROM products WHERE id IN (");
                    let mut list = qb.separated(", ");
                    for id in &matched {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                    for r in qb.build().fetch_all(&mut *tx).await.map_err(map_sqlx)? {
                        stored_options.insert(r.get("id"), parse_json_list(r.get::<&str, _>("option_names")));
                    }
                    let mut qb =
                        QueryBuilder::<$db>::new("SELECT product_id, sku, title FROM product_variants WHERE product_id IN (");
                    let mut list = qb.separated(", ");
                    for id in &matched {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                    for r in qb.build().fetch_all(&mut *tx).await.map_err(map_sqlx)? {
                        siblings.push(Sibling { product_id: r.get("product_id"), sku: r.get("sku"), title: r.get("title") });
                    }
                }

                let currency: Option<String> =
                    sqlx::query_scalar("SELECT currency FROM products WHERE merchant_id = $1 ORDER BY id LIMIT 1")
                        .bind(merchant_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                let currency = currency.unwrap_or_else(|| "USD".into());

                let mut created: Vec<&app::domain::product_form::ValidProduct> = Vec::new();
                let mut new_variants: Vec<(i64, usize, &app::domain::product_form::ValidVariant)> = Vec::new();
                for (p, target) in batch.products.iter().zip(targets) {
                    let product = &p.product;
                    let rows: Vec<(u64, String)> =
                        p.lines.iter().zip(&product.variants).map(|(l, v)| (*l, v.sku.clone())).collect();
                    let first = p.lines.first().copied().unwrap_or_default();
                    let target = match target {
                        Ok(t) => t,
                        Err(problems) => {
                            refused.extend(refuse_rows(&product.slug, &rows, &problems));
                            continue;
                        }
                    };
                    if let Some(t) = target {
                        let kept: Vec<&Sibling> = siblings
                            .iter()
                            .filter(|s| s.product_id == t && !product.variants.iter().any(|v| v.sku == s.sku))
                            .collect();
                        let mut problems: Vec<(u64, String)> = Vec::new();
                        for (v, line) in product.variants.iter().zip(&p.lines) {
                            let (Some(h), Some(seen)) = (held.get(&v.sku), v.stock_seen) else { continue };
                            if v.stock != seen && h.stock != seen {
                                problems.push((
                                    *line,
                                    format!(
                                        "stock of {} changed since the export: it is {} now, the file was exported \
                                         with {seen}; check it, put {} in exported_stock and import this product \
                                         again (nothing of it was imported)",
                                        v.sku, h.stock, h.stock
                                    ),
                                ));
                            }
                        }
                        let was = stored_options.get(&t).cloned().unwrap_or_default();
                        if !kept.is_empty() {
                            let skus = kept.iter().map(|s| s.sku.as_str()).collect::<Vec<_>>().join(", ");
                            if was != product.option_names {
                                problems.push((
                                    first,
                                    format!(
                                        "option_names changed from '{}' to '{}', but variant {skus} of this product \
                                         is not in the file; list every variant when you change the options",
                                        was.join(" / "),
                                        product.option_names.join(" / ")
                                    ),
                                ));
                            } else if kept.len() + product.variants.len() > MAX_VARIANTS {
                                problems.push((
                                    first,
                                    format!("a product can have at most {MAX_VARIANTS} variants (the store also has {skus})"),
                                ));
                            }
                            for (v, line) in product.variants.iter().zip(&p.lines) {
                                if let Some(s) =
                                    kept.iter().find(|s| !product.option_names.is_empty() && s.title.eq_ignore_ascii_case(&v.title))
                                {
                                    problems.push((
                                        *line,
                                        format!("option_values: variant {} of this product is already {}", s.sku, v.title),
                                    ));
                                }
                            }
                        }
                        if !problems.is_empty() {
                            refused.extend(refuse_rows(&product.slug, &rows, &problems));
                            continue;
                        }
                    }
                    ok += product.variants.len() as i64;
                    let Some(product_id) = target else {
                        created.push(product);
                        continue;
                    };
                    let status = if product.published { "published" } else { "draft" };
                    sqlx::query(
                        "UPDATE products SET category_id = $1, slug = $2, title = $3, description = $4,
                                option_names = $5, status = $6, updated_at = $7 WHERE id = $8 AND merchant_id = $9",
                    )
                    .bind(product.category_id)
                    .bind(&product.slug)
                    .bind(&product.title)
                    .bind(&product.description)
                    .bind(json_list(&product.option_names))
                    .bind(status)
                    .bind(now)
                    .bind(product_id)
                    .bind(merchant_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    for (pos, v) in product.variants.iter().enumerate() {
                        let Some(h) = held.get(&v.sku) else {
                            new_variants.push((product_id, pos, v));
                            continue;
                        };
                        // Left as exported: the stock is not written (sales since are kept).
                        let stock = match v.stock_seen {
                            Some(seen) if seen == v.stock => h.stock,
                            _ => v.stock,
                        };
                        if stock != h.stock {
                            sqlx::query(
                                "INSERT INTO stock_adjustments (variant_id, merchant_id, delta, reason, note,
                                        stock_after, created_at)
                                 VALUES ($1, $2, $3, 'correction', 'Changed by a CSV import', $4, $5)",
                            )
                            .bind(h.id)
                            .bind(merchant_id)
                            .bind(stock - h.stock)
                            .bind(stock)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                        }
                        sqlx::query(
                            "UPDATE product_variants SET title = $1, option_values = $2, price_minor = $3,
                                    compare_at_minor = $4, stock = $5, position = $6, updated_at = $7
                             WHERE id = $8 AND merchant_id = $9",
                        )
                        .bind(&v.title)
                        .bind(json_list(&v.options))
                        .bind(v.price_minor)
                        .bind(v.compare_at_minor)
                        .bind(stock)
                        .bind(pos as i64)
                        .bind(now)
                        .bind(h.id)
                        .bind(merchant_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                    }
                }

                // New products, many per statement; their ids come back with their (unique) handles.
                for chunk in created.chunks(INSERT_CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO products (merchant_id, category_id, slug, title, description, option_names,
                                               status, currency, created_at, updated_at) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        b.push_bind(merchant_id)
                            .push_bind(p.category_id)
                            .push_bind(p.slug.clone())
                            .push_bind(p.title.clone())
                            .push_bind(p.description.clone())
                            .push_bind(json_list(&p.option_names))
                            .push_bind(if p.published { "published" } else { "draft" })
                            .push_bind(currency.clone())
                            .push_bind(now)
                            .push_bind(now);
                    });
                    qb.push(" RETURNING id, slug");
                    let ids: HashMap<String, i64> = qb
                        .build()
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(map_sqlx)?
                        .iter()
                        .map(|r| (r.get("slug"), r.get("id")))
                        .collect();
                    for p in chunk {
                        let id = ids.get(&p.slug).copied().ok_or_else(|| {
                            StoreError::Other(format!("the insert of product {} returned no id", p.slug))
                        })?;
                        new_variants.extend(p.variants.iter().enumerate().map(|(pos, v)| (id, pos, v)));
                    }
                }
                for chunk in new_variants.chunks(INSERT_CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO product_variants (product_id, merchant_id, sku, title, option_values,
                                price_minor, compare_at_minor, stock, position, created_at, updated_at) ",
                    );
                    qb.push_values(chunk, |mut b, (product_id, pos, v)| {
                        b.push_bind(*product_id)
                            .push_bind(merchant_id)
                            .push_bind(v.sku.clone())
                            .push_bind(v.title.clone())
                            .push_bind(json_list(&v.options))
                            .push_bind(v.price_minor)
                            .push_bind(v.compare_at_minor)
                            .push_bind(v.stock)
                            .push_bind(*pos as i64)
                            .push_bind(now)
                            .push_bind(now);
                    });
                    qb.build().execute(&mut *tx).await.map_err(map_sqlx)?;
                }

                for chunk in refused.chunks(ERROR_CHUNK) {
                    let mut qb =
                        QueryBuilder::<$db>::new("INSERT INTO import_job_errors (job_id, line, handle, sku, message) ");
                    qb.push_values(chunk, |mut b, e| {
                        b.push_bind(job_id)
                            .push_bind(e.line as i64)
                            .push_bind(e.handle.clone())
                            .push_bind(e.sku.clone())
                            .push_bind(e.message.clone());
                    });
                    qb.build().execute(&mut *tx).await.map_err(map_sqlx)?;
                }
                let failed = refused.len() as i64;
                sqlx::query(
                    "UPDATE import_jobs SET rows_done = rows_done + $1, ok_rows = ok_rows + $2,
                            failed_rows = failed_rows + $3, updated_at = $4 WHERE id = $5 AND merchant_id = $6",
                )
                .bind(ok + failed)
                .bind(ok)
                .bind(failed)
                .bind(now)
                .bind(job_id)
                .bind(merchant_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(BatchOutcome { ok, failed })
            }

            async fn finish_job(&self, job_id: i64, status: &str, message: &str, now: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE import_jobs SET status = $1, message = $2, updated_at = $3 WHERE id = $4")
                    .bind(status)
                    .bind(message)
                    .bind(now)
                    .bind(job_id)
                    .execute(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(())
            }

            async fn export_page(
                &self,
                merchant_id: i64,
                after_product_id: i64,
                limit: i64,
            ) -> Result<Vec<ExportVariant>, StoreError> {
                let rows = sqlx::query(EXPORT)
                    .bind(merchant_id)
                    .bind(after_product_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
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

/// The SQLite adapter: a batch takes the write lock up front (`BEGIN IMMEDIATE`).
mod sqlite_impl {
    use crate::store::sqlite::SqliteStore;

    /// `BEGIN IMMEDIATE` already keeps every other writer out until the batch commits.
    const LOCK_HELD: &str = "";

    impl_sql_product_import!(SqliteStore, sqlx::Sqlite);
}

mod postgres_impl {
    use crate::store::postgres::PgStore;

    /// The held variants' stock is checked and then written: lock them so a sale waits.
    const LOCK_HELD: &str = " FOR UPDATE OF v";

    impl_sql_product_import!(PgStore, sqlx::Postgres);
}
