//! The inventory SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why a
//! macro). An adjustment is one write transaction (`begin_write`: `BEGIN IMMEDIATE` on SQLite, row
//! locks on PostgreSQL): a conditional update that only matches the store's own variant and only
//! when the stock stays at or above zero, then the history row with the stock it left. Concurrent
//! removals therefore never oversell: PostgreSQL re-checks the condition on the locked row.
//! A retried adjustment is found by the key it recorded on its own history row (unique per store),
//! so the replay is that row; `store::idempotency` is for writes without such a row of their own.

/// The variants of store `$1` matching `$2` (a LIKE pattern, `''` for all); `$3 = 1` keeps only
/// those at or below the threshold `$4`.
macro_rules! stock_filter {
    () => {
        " FROM product_variants v JOIN products p ON p.id = v.product_id
          WHERE v.merchant_id = $1
            AND ($2 = '' OR LOWER(p.title) LIKE $2 ESCAPE '\\' OR LOWER(v.title) LIKE $2 ESCAPE '\\'
                 OR LOWER(v.sku) LIKE $2 ESCAPE '\\')
            AND ($3 = 0 OR v.stock <= $4)"
    };
}

pub const ROWS: &str = concat!(
    "SELECT v.id, v.product_id, p.title AS product_title, v.title AS variant_title, v.sku, v.stock",
    stock_filter!(),
    " ORDER BY LOWER(p.title), p.id, v.position, v.id LIMIT $5 OFFSET $6"
);

pub const COUNT: &str = concat!("SELECT COUNT(*)", stock_filter!());

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

/// `%text%` for LIKE, lowercased, with the wildcards in `text` taken literally.
pub fn like_pattern(q: &str) -> String {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return String::new();
    }
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

macro_rules! impl_sql_inventory {
    ($store:ty, $db:ty) => {
        use app::domain::inventory::{Adjustment, HistoryEntry, Reason, StockRow, VariantHistory, is_low};
        use app::services::catalog_store::StoreError;
        use app::services::inventory_store::{AdjustOutcome, InventoryStore};
        use sqlx::Row;
        use $crate::store::errors::{map_sqlx, unknown};
        use $crate::store::inventory::{APPLY, COUNT, HISTORY, RECORD, ROWS, like_pattern};

        #[async_trait::async_trait]
        impl InventoryStore for $store {
            async fn stock_rows(
                &self,
                merchant_id: i64,
                q: &str,
                low_only: bool,
                threshold: i64,
                limit: i64,
                offset: i64,
            ) -> Result<(Vec<StockRow>, i64), StoreError> {
                let pattern = like_pattern(q);
                let low = if low_only { 1_i64 } else { 0 };
                let rows = sqlx::query(ROWS)
                    .bind(merchant_id)
                    .bind(&pattern)
                    .bind(low)
                    .bind(threshold)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?
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
                    .collect();
                let total: i64 = sqlx::query_scalar(COUNT)
                    .bind(merchant_id)
                    .bind(&pattern)
                    .bind(low)
                    .bind(threshold)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok((rows, total))
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
