//! The inventory SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why a
//! macro). An adjustment is one write transaction (`begin_write`: `BEGIN IMMEDIATE` on SQLite, row
//! locks on PostgreSQL): a conditional update that only matches the store's own variant and only
//! when the stock stays at or above zero, then the history row with the stock it left. Concurrent
//! removals therefore never oversell: PostgreSQL re-checks the condition on the locked row.
//! A retried adjustment is found by the key it recorded on its own history row (unique per store),
//! so the replay is that row; `store::idempotency` is for writes without such a row of their own.

/// A store's variants, by product title then the product's own variant order, read by cursor:
/// the walk follows `products (merchant_id, LOWER(title), id)` (migration 0026) and each
/// product's variants, so a page costs the same wherever it is in the list.
pub const ROWS: &str = "SELECT v.id, v.product_id, p.title AS product_title, v.title AS variant_title, v.sku, v.stock
    FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.merchant_id = ";
pub const ROWS_ORDER: super::keyset::Keyset = super::keyset::Keyset {
    keys: &["LOWER(p.title)", "p.id", "v.position", "v.id"],
    descending: false,
    row_from: "product_variants v JOIN products p ON p.id = v.product_id",
    row_id: "v.id",
    indexed: 2,
};

/// Takes stock only if the variant is the store's and the result is not negative.
pub const APPLY: &str = "UPDATE product_variants SET stock = stock + $1, updated_at = $2
    WHERE id = $3 AND merchant_id = $4 AND stock + $1 >= 0
    RETURNING stock";

pub const RECORD: &str = "INSERT INTO stock_adjustments
    (variant_id, merchant_id, delta, reason, note, stock_after, user_id, idempotency_key, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

pub const HISTORY: &str = "SELECT a.id, a.delta, a.reason, a.note, a.stock_after, u.display_name, a.created_at
    FROM stock_adjustments a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.variant_id = $1 AND a.merchant_id = $2
    ORDER BY a.id DESC LIMIT $3";

macro_rules! impl_sql_inventory {
    ($store:ty, $db:ty) => {
        use app::domain::inventory::{Adjustment, HistoryEntry, Reason, StockRow, VariantHistory, is_low};
        use app::services::catalog_store::StoreError;
        use app::services::inventory_store::{AdjustOutcome, InventoryStore};
        use sqlx::Row;
        use $crate::store::errors::{map_sqlx, unknown};
        use $crate::store::inventory::{APPLY, HISTORY, RECORD, ROWS, ROWS_ORDER};
        use $crate::store::keyset::contains_pattern;

        #[async_trait::async_trait]
        impl InventoryStore for $store {
            async fn stock_rows(
                &self,
                merchant_id: i64,
                q: &str,
                low_only: bool,
                threshold: i64,
                cursor: app::domain::paging::Cursor,
                limit: i64,
            ) -> Result<Vec<StockRow>, StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(ROWS);
                qb.push_bind(merchant_id).push(" AND v.merchant_id = ").push_bind(merchant_id);
                let pattern = contains_pattern(q);
                if !pattern.is_empty() {
                    qb.push(" AND (LOWER(p.title) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR LOWER(v.title) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR LOWER(v.sku) LIKE ")
                        .push_bind(pattern)
                        .push(" ESCAPE '\\')");
                }
                if low_only {
                    qb.push(" AND v.stock <= ").push_bind(threshold);
                }
                ROWS_ORDER.push(&mut qb, cursor, limit);
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                Ok(rows
                    .iter()
                    .map(|r| {
                        let stock: i64 = r.get("stock");
                        StockRow {
                            variant_id: r.get("id"),
                            product_id: r.get("product_id"),
                            product_title: r.get("product_title"),
                            variant_title: r.get("variant_title"),
                            sku: r.get("sku"),
                            stock,
                            low: is_low(stock, threshold),
                        }
                    })
                    .collect())
            }

            async fn adjust(
                &self,
                merchant_id: i64,
                user_id: Option<i64>,
                a: &Adjustment,
                idempotency_key: Option<&str>,
                now: i64,
            ) -> Result<AdjustOutcome, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if let Some(key) = idempotency_key {
                    let done: Option<(i64, i64)> = sqlx::query_as(
                        "SELECT id, stock_after FROM stock_adjustments WHERE merchant_id = $1 AND idempotency_key = $2",
                    )
                    .bind(merchant_id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    if let Some((adjustment_id, stock_after)) = done {
                        return Ok(AdjustOutcome::Applied { adjustment_id, stock_after });
                    }
                }
                let applied: Option<i64> = sqlx::query_scalar(APPLY)
                    .bind(a.delta)
                    .bind(now)
                    .bind(a.variant_id)
                    .bind(merchant_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                let Some(stock_after) = applied else {
                    // Nothing changed: say why (and write nothing).
                    let stock: Option<i64> =
                        sqlx::query_scalar("SELECT stock FROM product_variants WHERE id = $1 AND merchant_id = $2")
                            .bind(a.variant_id)
                            .bind(merchant_id)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                    return Ok(match stock {
                        Some(stock) => AdjustOutcome::Insufficient { stock },
                        None => AdjustOutcome::NotFound,
                    });
                };
                let adjustment_id: i64 = sqlx::query_scalar(RECORD)
                    .bind(a.variant_id)
                    .bind(merchant_id)
                    .bind(a.delta)
                    .bind(a.reason.as_str())
                    .bind(&a.note)
                    .bind(stock_after)
                    .bind(user_id)
                    .bind(idempotency_key)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(AdjustOutcome::Applied { adjustment_id, stock_after })
            }

            async fn history(
                &self,
                merchant_id: i64,
                variant_id: i64,
                limit: i64,
            ) -> Result<Option<VariantHistory>, StoreError> {
                let head = sqlx::query(
                    "SELECT p.title AS product_title, v.title AS variant_title, v.sku, v.stock
                     FROM product_variants v JOIN products p ON p.id = v.product_id
                     WHERE v.id = $1 AND v.merchant_id = $2",
                )
                .bind(variant_id)
                .bind(merchant_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let Some(head) = head else { return Ok(None) };
                let entries = sqlx::query(HISTORY)
                    .bind(variant_id)
                    .bind(merchant_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                    .iter()
                    .map(|r| {
                        let reason: &str = r.get("reason");
                        Ok(HistoryEntry {
                            id: r.get("id"),
                            delta: r.get("delta"),
                            reason: Reason::parse(reason).ok_or_else(|| unknown("stock adjustment reason", reason))?,
                            note: r.get("note"),
                            stock_after: r.get("stock_after"),
                            by: r.get("display_name"),
                            created_at: r.get("created_at"),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                Ok(Some(VariantHistory {
                    variant_id,
                    product_title: head.get("product_title"),
                    variant_title: head.get("variant_title"),
                    sku: head.get("sku"),
                    stock: head.get("stock"),
                    entries,
                }))
            }

            async fn low_stock_threshold(&self, merchant_id: i64) -> Result<i64, StoreError> {
                let t: Option<i64> = sqlx::query_scalar("SELECT low_stock_threshold FROM merchants WHERE id = $1")
                    .bind(merchant_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(t.unwrap_or(app::domain::inventory::DEFAULT_THRESHOLD))
            }

            async fn set_low_stock_threshold(&self, merchant_id: i64, threshold: i64) -> Result<(), StoreError> {
                let update = sqlx::query("UPDATE merchants SET low_stock_threshold = $1 WHERE id = $2");
                self.execute(update.bind(threshold).bind(merchant_id)).await.map(drop)
            }
        }
    };
}
