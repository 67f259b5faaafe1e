//! The analytics SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why a
//! macro). The definitions (what a paid order, revenue and refunds are) live in
//! `app::domain::analytics`; these queries follow them. `$1` is the store, `$2`..`$3` the period
//! in unix seconds (start inclusive, end exclusive); days are UTC (`created_at / 86400`). Sums are
//! cast to BIGINT: PostgreSQL's SUM of a BIGINT is a NUMERIC.

/// A part that was paid: moved past payment, or cancelled by the store after payment (an unpaid
/// order that expired or was declined is cancelled without `cancelled_at`).
macro_rules! paid_part {
    () => {
        "(p.status IN ('paid', 'processing', 'partially_shipped', 'shipped', 'delivered', 'refunded')
          OR (p.status = 'cancelled' AND p.cancelled_at IS NOT NULL))"
    };
}

/// Per day: gross sales, refunds (all of a cancelled part), paid orders.
pub const DAYS: &str = concat!(
    "SELECT o.created_at / 86400 AS day, CAST(SUM(p.total_minor) AS BIGINT) AS gross,
        CAST(SUM(CASE WHEN p.status = 'cancelled' THEN p.total_minor ELSE p.refunded_minor END) AS BIGINT) AS refunds,
        COUNT(*) AS orders
     FROM order_parts p JOIN orders o ON o.id = p.order_id
     WHERE p.merchant_id = $1 AND o.created_at >= $2 AND o.created_at < $3 AND ",
    paid_part!(),
    " GROUP BY o.created_at / 86400"
);

/// Every part placed in the period, paid or not, by status.
pub const BY_STATUS: &str = "SELECT p.status, COUNT(*) AS n
    FROM order_parts p JOIN orders o ON o.id = p.order_id
    WHERE p.merchant_id = $1 AND o.created_at >= $2 AND o.created_at < $3
    GROUP BY p.status";

/// Lines of paid parts the store did not cancel: units and revenue (line total − refunded).
pub const TOP: &str = "SELECT l.product_id, pr.title, CAST(SUM(l.quantity) AS BIGINT) AS units,
        CAST(SUM(l.line_total_minor - l.refunded_minor) AS BIGINT) AS revenue
    FROM order_lines l
    JOIN order_parts p ON p.id = l.part_id
    JOIN orders o ON o.id = p.order_id
    JOIN products pr ON pr.id = l.product_id
    WHERE p.merchant_id = $1 AND o.created_at >= $2 AND o.created_at < $3
      AND p.status IN ('paid', 'processing', 'partially_shipped', 'shipped', 'delivered', 'refunded')
    GROUP BY l.product_id, pr.title
    ORDER BY revenue DESC, units DESC, l.product_id
    LIMIT $4";

/// Shopper–product pairs whose latest view of one of the store's products falls in the period.
pub const VIEWS: &str = "SELECT COUNT(*) FROM product_views v JOIN products pr ON pr.id = v.product_id
    WHERE pr.merchant_id = $1 AND v.last_viewed_at >= $2 AND v.last_viewed_at < $3";

/// Successful adds to a cart of the store's products.
pub const ADDS: &str = "SELECT COUNT(*) FROM cart_adds WHERE merchant_id = $1 AND at >= $2 AND at < $3";

macro_rules! impl_sql_analytics {
    ($store:ty, $db:ty) => {
        use app::domain::analytics::{DaySales, Period, RawFigures, StatusCount, TopProduct};
        use app::domain::money::Currency;
        use app::domain::order::PartStatus;
        use app::services::analytics_store::AnalyticsStore;
        use app::services::catalog_store::StoreError;
        use sqlx::Row;
        use $crate::store::analytics::{ADDS, BY_STATUS, DAYS, TOP, VIEWS};
        use $crate::store::errors::{currency, map_sqlx, parsed};

        #[async_trait::async_trait]
        impl AnalyticsStore for $store {
            async fn figures(&self, merchant_id: i64, period: Period, top: i64) -> Result<RawFigures, StoreError> {
                let (start, end) = (period.start(), period.end());
                // Every query here reads the store ($1) over the period ($2..$3).
                let scoped = |sql: &'static str| sqlx::query(sql).bind(merchant_id).bind(start).bind(end);
                let days = self
                    .rows(scoped(DAYS))
                    .await?
                    .iter()
                    .map(|r| DaySales {
                        day: r.get("day"),
                        gross_minor: r.get("gross"),
                        refunds_minor: r.get("refunds"),
                        orders: r.get("orders"),
                    })
                    .collect();
                let by_status = self
                    .rows(scoped(BY_STATUS))
                    .await?
                    .iter()
                    .map(|r| {
                        let status: &str = r.get("status");
                        Ok(StatusCount {
                            status: parsed("order part status", status, PartStatus::parse(status))?,
                            count: r.get("n"),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                let top = self
                    .rows(scoped(TOP).bind(top))
                    .await?
                    .iter()
                    .map(|r| TopProduct {
                        product_id: r.get("product_id"),
                        title: r.get("title"),
                        units: r.get("units"),
                        revenue_minor: r.get("revenue"),
                    })
                    .collect();
                let count = |sql: &'static str| {
                    sqlx::query_scalar::<_, i64>(sql).bind(merchant_id).bind(start).bind(end).fetch_one(&self.pool)
                };
                let views = count(VIEWS).await.map_err(map_sqlx)?;
                let adds = count(ADDS).await.map_err(map_sqlx)?;
                Ok(RawFigures { days, by_status, top, views, adds })
            }

            async fn store_currency(&self, merchant_id: i64) -> Result<Option<Currency>, StoreError> {
                let code: Option<String> =
                    sqlx::query_scalar("SELECT currency FROM products WHERE merchant_id = $1 ORDER BY id DESC LIMIT 1")
                        .bind(merchant_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                code.as_deref().map(currency).transpose()
            }
        }
    };
}
