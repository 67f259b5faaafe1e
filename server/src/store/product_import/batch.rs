//! The SQL steps of one import batch, in the order `import_batch` runs them inside its write
//! transaction: read the existing rows for the batch's handles and SKUs (and, for the products it
//! updates, their other variants and options), write the updates, insert the new products and
//! variants many per statement, then record the refused rows and the job's progress.

/// Defines the steps for one engine; `$lock_held` locks the held variants on engines whose write
/// transaction does not already exclude other writers.
macro_rules! import_batch_steps {
    ($store:ty, $db:ty, $lock_held:literal) => {
        use $crate::store::product_import::plan::{Existing, Held, Matched, Sibling, status, stock_to_write};

        type Tx = sqlx::Transaction<'static, $db>;

        /// The products holding the batch's handles (any store) and the store's variants holding
        /// its SKUs, each in one query for the whole batch.
        async fn read_existing(tx: &mut Tx, merchant_id: i64, batch: &ImportBatch) -> Result<Existing, StoreError> {
            let mut existing = Existing::default();
            if batch.products.is_empty() {
                return Ok(existing);
            }
            let mut qb = QueryBuilder::<$db>::new("SELECT id, merchant_id, slug FROM products WHERE slug IN (");
            let mut list = qb.separated(", ");
            for p in &batch.products {
                list.push_bind(p.product.slug.clone());
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut **tx).await.map_err(map_sqlx)? {
                existing.by_handle.insert(r.get("slug"), (r.get("id"), r.get("merchant_id")));
            }
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
            qb.push($lock_held);
            for r in qb.build().fetch_all(&mut **tx).await.map_err(map_sqlx)? {
                existing.held.insert(
                    r.get("sku"),
                    Held {
                        id: r.get("id"),
                        product_id: r.get("product_id"),
                        stock: r.get("stock"),
                        handle: r.get("slug"),
                    },
                );
            }
            Ok(existing)
        }

        /// The option names and variants of the products the batch updates.
        async fn read_matched(tx: &mut Tx, ids: &[i64]) -> Result<Matched, StoreError> {
            let mut matched = Matched::default();
            if ids.is_empty() {
                return Ok(matched);
            }
            let mut qb = QueryBuilder::<$db>::new("SELECT id, option_names FROM products WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut **tx).await.map_err(map_sqlx)? {
                matched.option_names.insert(r.get("id"), parse_json_list(r.get::<&str, _>("option_names")));
            }
            let mut qb =
                QueryBuilder::<$db>::new("SELECT product_id, sku, title FROM product_variants WHERE product_id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut **tx).await.map_err(map_sqlx)? {
                matched.siblings.push(Sibling {
                    product_id: r.get("product_id"),
                    sku: r.get("sku"),
                    title: r.get("title"),
                });
            }
            Ok(matched)
        }

        /// Updates stored product `product_id` and its held variants (a stock change joins the
        /// inventory history); returns the file's variants it does not hold yet, to insert.
        async fn update_product<'a>(
            tx: &mut Tx,
            merchant_id: i64,
            product_id: i64,
            product: &'a ValidProduct,
            held: &HashMap<String, Held>,
            now: i64,
        ) -> Result<Vec<(i64, usize, &'a ValidVariant)>, StoreError> {
            sqlx::query(
                "UPDATE products SET category_id = $1, slug = $2, title = $3, description = $4,
                        option_names = $5, status = $6, updated_at = $7 WHERE id = $8 AND merchant_id = $9",
            )
            .bind(product.category_id)
            .bind(&product.slug)
            .bind(&product.title)
            .bind(&product.description)
            .bind(json_list(&product.option_names))
            .bind(status(product))
            .bind(now)
            .bind(product_id)
            .bind(merchant_id)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?;
            let mut new_variants = Vec::new();
            for (pos, v) in product.variants.iter().enumerate() {
                let Some(h) = held.get(&v.sku) else {
                    new_variants.push((product_id, pos, v));
                    continue;
                };
                let stock = stock_to_write(v, h);
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
                    .execute(&mut **tx)
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
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?;
            }
            Ok(new_variants)
        }

        /// Inserts new products, many per statement; their ids come back with their (unique)
        /// handles. Returns their variants, to insert.
        async fn insert_products<'a>(
            tx: &mut Tx,
            merchant_id: i64,
            created: &[&'a ValidProduct],
            currency: &str,
            now: i64,
        ) -> Result<Vec<(i64, usize, &'a ValidVariant)>, StoreError> {
            let mut new_variants = Vec::new();
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
                        .push_bind(status(p))
                        .push_bind(currency.to_string())
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(" RETURNING id, slug");
                let ids: HashMap<String, i64> = qb
                    .build()
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(map_sqlx)?
                    .iter()
                    .map(|r| (r.get("slug"), r.get("id")))
                    .collect();
                for p in chunk {
                    let id = ids
                        .get(&p.slug)
                        .copied()
                        .ok_or_else(|| StoreError::Other(format!("the insert of product {} returned no id", p.slug)))?;
                    new_variants.extend(p.variants.iter().enumerate().map(|(pos, v)| (id, pos, v)));
                }
            }
            Ok(new_variants)
        }

        /// Inserts variants (product id, position, variant), many per statement.
        async fn insert_variants(
            tx: &mut Tx,
            merchant_id: i64,
            new_variants: &[(i64, usize, &ValidVariant)],
            now: i64,
        ) -> Result<(), StoreError> {
            for chunk in new_variants.chunks(INSERT_CHUNK) {
                let rows: Vec<_> =
                    chunk.iter().map(|(product_id, pos, v)| (*product_id, merchant_id, *pos, *v)).collect();
                <$store>::insert_variant_rows(tx, &rows, now).await?;
            }
            Ok(())
        }

        /// Records the refused rows and moves the job's progress on by the batch's rows.
        async fn record_outcome(
            tx: &mut Tx,
            merchant_id: i64,
            job_id: i64,
            refused: &[RowError],
            ok: i64,
            now: i64,
        ) -> Result<(), StoreError> {
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
                qb.build().execute(&mut **tx).await.map_err(map_sqlx)?;
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
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?;
            Ok(())
        }
    };
}
