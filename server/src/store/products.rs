//! The merchant's product SQL (the `ProductAdminStore` port), shared by SQLite and PostgreSQL
//! through one macro like `catalog`.
//!
//! The search index follows the products table by itself: SQLite's FTS5 triggers and
//! PostgreSQL's tsvector trigger (migration 0003) fire on insert and on an update of the title,
//! description or category, exactly as for `create_products`. Reviews live in
//! `product_rating_stats`, which listings LEFT JOIN, so a new product needs no row there. The
//! category counts and category listing rows are cached for at most 30 seconds
//! (`CategoryCache`, `ListingCache`); search results and product pages read live data.
//! A stock change of an existing variant is also written to `stock_adjustments` (a correction,
//! "Changed on the product form") in the same transaction, so the inventory history adds up.
//!
//! Stock is compare-and-set against what the form showed (`ValidVariant::stock_seen`): a stock
//! left as shown is not written, so a sale made while the form was open is kept; a changed
//! stock is written with `WHERE stock = seen`, and if the stock moved meanwhile the whole save
//! is refused (the transaction rolls back) with the current stock under the field. An absolute
//! write here would put back stock that was sold in between (lost update, then oversell).

use super::keyset::Keyset;

/// A product's lowest price and total stock, as the table shows and sorts them.
const MIN_PRICE: &str = "(SELECT COALESCE(MIN(v.price_minor), 0) FROM product_variants v WHERE v.product_id = p.id)";
const TOTAL_STOCK: &str = "(SELECT COALESCE(SUM(v.stock), 0) FROM product_variants v WHERE v.product_id = p.id)";

/// The store's products table, one row per product with its variants' figures read per row, so a
/// page reads its own 25 products' variants and nothing else.
pub const ADMIN_ROWS: &str =
    "SELECT p.id, p.slug, p.title, p.status, p.currency, p.updated_at, c.name AS category,
        (SELECT COALESCE(MIN(v.price_minor), 0) FROM product_variants v WHERE v.product_id = p.id) AS min_price,
        (SELECT COALESCE(MAX(v.price_minor), 0) FROM product_variants v WHERE v.product_id = p.id) AS max_price,
        CAST((SELECT COALESCE(SUM(v.stock), 0) FROM product_variants v WHERE v.product_id = p.id) AS BIGINT) AS total_stock,
        CAST((SELECT COUNT(*) FROM product_variants v WHERE v.product_id = p.id) AS BIGINT) AS variant_count
     FROM products p JOIN categories c ON c.id = p.category_id WHERE p.merchant_id = ";

/// The table's orders, read by cursor (`store::keyset`). The default (last changed first) and the
/// title order walk an index (migration 0026); price and stock are per-product sums, so sorting
/// by them reads each of the store's products' variants (a store's catalogue, not its history).
pub fn admin_order(sort: &str) -> &'static Keyset {
    const UPDATED: Keyset = Keyset {
        keys: &["p.updated_at", "p.id"],
        descending: true,
        row_from: "products p",
        row_id: "p.id",
        indexed: 0,
    };
    const TITLE: Keyset = Keyset {
        keys: &["LOWER(p.title)", "p.id"],
        descending: false,
        row_from: "products p",
        row_id: "p.id",
        indexed: 0,
    };
    const PRICE: Keyset =
        Keyset { keys: &[MIN_PRICE, "p.id"], descending: false, row_from: "products p", row_id: "p.id", indexed: 0 };
    const STOCK: Keyset =
        Keyset { keys: &[TOTAL_STOCK, "p.id"], descending: false, row_from: "products p", row_id: "p.id", indexed: 0 };
    match sort {
        "title" => &TITLE,
        "price" => &PRICE,
        "stock" => &STOCK,
        _ => &UPDATED,
    }
}

/// The stock filter's condition on a product's total stock, and whether it needs the store's
/// low-stock threshold bound after it.
pub fn stock_condition(stock: &str) -> Option<(String, bool)> {
    match stock {
        "in" => Some((format!(" AND {TOTAL_STOCK} > 0"), false)),
        // The store's own low-stock threshold (set on /admin/inventory).
        "low" => Some((
            format!(" AND {TOTAL_STOCK} BETWEEN 1 AND (SELECT low_stock_threshold FROM merchants WHERE id = "),
            true,
        )),
        "out" => Some((format!(" AND {TOTAL_STOCK} = 0"), false)),
        _ => None,
    }
}

macro_rules! impl_sql_products {
    ($store:ty, $db:ty) => {
        use app::domain::errors::FieldErrors;
        use app::domain::product_form::{
            AdminProductRow, ProductFilter, ProductInput, StoredForm, ValidProduct, VariantInput, format_amount,
            stock_conflict, variant_field,
        };
        use app::services::StoreError;
        use app::services::product_admin_store::{ProductAdminStore, SaveError};
        use sqlx::{QueryBuilder, Row};
        use $crate::store::errors::{currency as stored_currency, map_sqlx};
        use $crate::store::catalog::rows::{VARIANTS_OF, json_list, parse_json_list};
        use $crate::store::keyset::contains_pattern;
        use $crate::store::products::{ADMIN_ROWS, admin_order, stock_condition};
        use $crate::store::statements::Statement;

        fn push_admin_filter(qb: &mut QueryBuilder<'_, $db>, merchant_id: i64, f: &ProductFilter) {
            qb.push_bind(merchant_id);
            if !f.status.is_empty() {
                qb.push(" AND p.status = ").push_bind(f.status.clone());
            }
            if let Some(c) = f.category_id {
                qb.push(" AND p.category_id = ").push_bind(c);
            }
            let pattern = contains_pattern(&f.q);
            if !pattern.is_empty() {
                qb.push(" AND (LOWER(p.title) LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
                qb.push(" OR EXISTS (SELECT 1 FROM product_variants sv WHERE sv.product_id = p.id AND LOWER(sv.sku) LIKE ")
                    .push_bind(pattern)
                    .push(" ESCAPE '\\'))");
            }
            if let Some((condition, threshold)) = stock_condition(&f.stock) {
                qb.push(condition);
                if threshold {
                    qb.push_bind(merchant_id).push(")");
                }
            }
        }

        /// The field errors a save would meet in the database: a taken slug or SKU, an unknown
        /// category, an ordered variant that the form removed.
        async fn conflicts(
            tx: &mut sqlx::Transaction<'static, $db>,
            merchant_id: i64,
            id: Option<i64>,
            p: &ValidProduct,
        ) -> Result<FieldErrors, StoreError> {
            let mut e = FieldErrors::default();
            let other = id.unwrap_or(0);
            let slug = sqlx::query("SELECT id FROM products WHERE slug = $1 AND id <> $2");
            if <$store>::exists(tx, slug.bind(&p.slug).bind(other)).await? {
                e.add("slug", "That slug is already used by another product.");
            }
            let category = sqlx::query("SELECT id FROM categories WHERE id = $1");
            if !<$store>::exists(tx, category.bind(p.category_id)).await? {
                e.add("category_id", "Choose a category.");
            }
            for (i, v) in p.variants.iter().enumerate() {
                let sku = sqlx::query("SELECT id FROM product_variants WHERE merchant_id = $1 AND sku = $2 AND product_id <> $3");
                if <$store>::exists(tx, sku.bind(merchant_id).bind(&v.sku).bind(other)).await? {
                    e.add(&variant_field(i, "sku"), format!("SKU {} is already used.", v.sku));
                }
            }
            if let Some(id) = id {
                let ordered: Vec<String> = sqlx::query_scalar(
                    "SELECT v.sku FROM product_variants v WHERE v.product_id = $1
                       AND EXISTS (SELECT 1 FROM order_lines l WHERE l.variant_id = v.id) ORDER BY v.position",
                )
                .bind(id)
                .fetch_all(&mut **tx)
                .await
                .map_err(map_sqlx)?;
                let gone: Vec<&String> = ordered.iter().filter(|s| !p.variants.iter().any(|v| &v.sku == *s)).collect();
                if !gone.is_empty() {
                    let list = gone.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                    e.add(
                        "variants",
                        format!("Variant {list} has been ordered and can't be removed; set its stock to 0 instead."),
                    );
                }
            }
            Ok(e)
        }

        /// A unique violation that slipped past `conflicts` (a save racing another) as a field error.
        /// The product's own columns, bound as the statement's next six arguments (category, slug,
        /// title, description, option names, status).
        fn bind_product<'q>(
            statement: Statement<'q, $db>,
            p: &'q ValidProduct,
            option_names: &'q str,
            status: &'q str,
        ) -> Statement<'q, $db> {
            statement.bind(p.category_id).bind(&p.slug).bind(&p.title).bind(&p.description).bind(option_names).bind(status)
        }

        fn conflict_fields(err: StoreError) -> SaveError {
            match err {
                StoreError::Conflict(text) if text.to_lowercase().contains("slug") => {
                    let mut e = FieldErrors::default();
                    e.add("slug", "That slug is already used by another product.");
                    SaveError::Invalid(e)
                }
                StoreError::Conflict(_) => {
                    let mut e = FieldErrors::default();
                    e.add("variants", "One of these SKUs is already used.");
                    SaveError::Invalid(e)
                }
                other => SaveError::Store(other),
            }
        }

        #[async_trait::async_trait]
        impl ProductAdminStore for $store {
            async fn admin_products(
                &self,
                merchant_id: i64,
                f: &ProductFilter,
                cursor: app::domain::paging::Cursor,
                limit: i64,
            ) -> Result<Vec<AdminProductRow>, StoreError> {
                let mut qb = QueryBuilder::<$db>::new(ADMIN_ROWS);
                push_admin_filter(&mut qb, merchant_id, f);
                admin_order(&f.sort).push(&mut qb, cursor, limit);
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                let rows = rows
                    .iter()
                    .map(|r| Ok(AdminProductRow {
                        id: r.get("id"),
                        slug: r.get("slug"),
                        title: r.get("title"),
                        published: r.get::<String, _>("status") == "published",
                        category: r.get("category"),
                        currency: stored_currency(r.get("currency"))?,
                        min_price_minor: r.get("min_price"),
                        max_price_minor: r.get("max_price"),
                        total_stock: r.get("total_stock"),
                        variant_count: r.get("variant_count"),
                        updated_at: r.get("updated_at"),
                    }))
                    .collect::<Result<_, StoreError>>()?;
                Ok(rows)
            }

            async fn product_form(&self, id: i64) -> Result<Option<StoredForm>, StoreError> {
                let Some(row) = sqlx::query(
                    "SELECT id, merchant_id, category_id, slug, title, description, option_names, status, currency
                     FROM products WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let variants = self
                    .rows(sqlx::query(VARIANTS_OF).bind(id))
                    .await?
                    .iter()
                    .map(|v| VariantInput {
                        sku: v.get("sku"),
                        option: parse_json_list(v.get::<&str, _>("option_values")).join(" / "),
                        price: format_amount(v.get("price_minor")),
                        compare_at: v.get::<Option<i64>, _>("compare_at_minor").map(format_amount).unwrap_or_default(),
                        stock: v.get::<i64, _>("stock").to_string(),
                        stock_seen: v.get::<i64, _>("stock").to_string(),
                    })
                    .collect();
                Ok(Some(StoredForm {
                    id: row.get("id"),
                    merchant_id: row.get("merchant_id"),
                    currency: stored_currency(row.get("currency"))?,
                    input: ProductInput {
                        title: row.get("title"),
                        slug: row.get("slug"),
                        description: row.get("description"),
                        category_id: row.get::<i64, _>("category_id").to_string(),
                        status: row.get("status"),
                        option_name: parse_json_list(row.get::<&str, _>("option_names")).join(" / "),
                        variants,
                    },
                }))
            }

            async fn category_names(&self) -> Result<Vec<(i64, String)>, StoreError> {
                sqlx::query_as("SELECT id, name FROM categories ORDER BY name, id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)
            }

            async fn save_product(&self, merchant_id: i64, id: Option<i64>, p: &ValidProduct) -> Result<i64, SaveError> {
                let now = app::services::clock::now();
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if let Some(id) = id {
                    let owner: Option<i64> = sqlx::query_scalar("SELECT merchant_id FROM products WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                    if owner != Some(merchant_id) {
                        return Err(SaveError::NotFound);
                    }
                }
                let problems = conflicts(&mut tx, merchant_id, id, p).await?;
                if !problems.is_empty() {
                    return Err(SaveError::Invalid(problems));
                }
                let status = if p.published { "published" } else { "draft" };
                let option_names = json_list(&p.option_names);
                let product_id = match id {
                    Some(id) => {
                        let update = sqlx::query(
                            "UPDATE products SET category_id = $1, slug = $2, title = $3, description = $4,
                                    option_names = $5, status = $6, updated_at = $7 WHERE id = $8",
                        );
                        let update = bind_product(update, p, &option_names, status).bind(now).bind(id);
                        Self::run(&mut tx, update).await.map_err(conflict_fields)?;
                        id
                    }
                    None => {
                        let currency = Self::store_currency_in(&mut tx, merchant_id).await?;
                        let insert = sqlx::query(
                            "INSERT INTO products (merchant_id, category_id, slug, title, description, option_names,
                                                   status, currency, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                        );
                        let insert = bind_product(insert.bind(merchant_id), p, &option_names, status);
                        let row = insert.bind(currency).bind(now).bind(now).fetch_one(&mut *tx).await;
                        row.map_err(|e| conflict_fields(map_sqlx(e)))?.get(0)
                    }
                };
                let existing: Vec<(i64, String, i64)> =
                    sqlx::query_as("SELECT id, sku, stock FROM product_variants WHERE product_id = $1")
                        .bind(product_id)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                // Stock changed since the form was read: refuse before writing any variant.
                let stale: Vec<(usize, String, i64, i64)> = p
                    .variants
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        let (_, _, now) = existing.iter().find(|(_, sku, _)| sku == &v.sku)?;
                        let seen = v.stock_seen?;
                        (v.stock != seen && *now != seen).then(|| (i, v.sku.clone(), *now, seen))
                    })
                    .collect();
                if !stale.is_empty() {
                    return Err(SaveError::Invalid(stock_conflict(&stale)));
                }
                for (vid, sku, _) in &existing {
                    if !p.variants.iter().any(|v| &v.sku == sku) {
                        sqlx::query("DELETE FROM product_variants WHERE id = $1")
                            .bind(*vid)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                    }
                }
                for (pos, v) in p.variants.iter().enumerate() {
                    let options = json_list(&v.options);
                    match existing.iter().find(|(_, sku, _)| sku == &v.sku) {
                        Some((vid, _, was)) => {
                            // Left as shown: the stock is not written (a sale since is kept).
                            let stock = match v.stock_seen {
                                Some(seen) if seen == v.stock => *was,
                                _ => v.stock,
                            };
                            // A stock change made here joins the variant's inventory history.
                            if stock != *was {
                                sqlx::query(
                                    "INSERT INTO stock_adjustments (variant_id, merchant_id, delta, reason, note, stock_after, created_at)
                                     VALUES ($1, $2, $3, 'correction', 'Changed on the product form', $4, $5)",
                                )
                                .bind(*vid)
                                .bind(merchant_id)
                                .bind(stock - *was)
                                .bind(stock)
                                .bind(now)
                                .execute(&mut *tx)
                                .await
                                .map_err(map_sqlx)?;
                            }
                            // `stock = stock + delta WHERE stock = was` (no condition when the stock
                            // is kept): PostgreSQL reads committed rows, so a sale committed since
                            // `existing` was read makes this match nothing, and the save is refused
                            // rather than undoing the sale.
                            let done = sqlx::query(
                                "UPDATE product_variants SET title = $1, option_values = $2, price_minor = $3,
                                        compare_at_minor = $4, stock = stock + $5, position = $6, updated_at = $7
                                 WHERE id = $8 AND (stock = $9 OR $5 = 0)",
                            )
                            .bind(&v.title)
                            .bind(&options)
                            .bind(v.price_minor)
                            .bind(v.compare_at_minor)
                            .bind(stock - *was)
                            .bind(pos as i64)
                            .bind(now)
                            .bind(*vid)
                            .bind(*was)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                            if done.rows_affected() == 0 {
                                let current: i64 =
                                    sqlx::query_scalar("SELECT stock FROM product_variants WHERE id = $1")
                                        .bind(*vid)
                                        .fetch_one(&mut *tx)
                                        .await
                                        .map_err(map_sqlx)?;
                                let seen = v.stock_seen.unwrap_or(*was);
                                return Err(SaveError::Invalid(stock_conflict(&[(pos, v.sku.clone(), current, seen)])));
                            }
                        }
                        None => {
                            sqlx::query(
                                "INSERT INTO product_variants (product_id, merchant_id, sku, title, option_values,
                                        price_minor, compare_at_minor, stock, position, created_at, updated_at)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                            )
                            .bind(product_id)
                            .bind(merchant_id)
                            .bind(&v.sku)
                            .bind(&v.title)
                            .bind(&options)
                            .bind(v.price_minor)
                            .bind(v.compare_at_minor)
                            .bind(v.stock)
                            .bind(pos as i64)
                            .bind(now)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| conflict_fields(map_sqlx(e)))?;
                        }
                    }
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(product_id)
            }
        }
    };
}
