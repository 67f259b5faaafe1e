//! The SQL behind the dashboard's Payments, Reviews, Settings and Users pages, shared by SQLite
//! and PostgreSQL (see `store/mod.rs` for why a macro). A store id of 0 means "every store" (the
//! platform admin's view); ids start at 1.

/// A payment's status as store `$1` sees it (the payment's own when 0). Before capture, and once
/// voided or failed, the whole payment's status is the part's too; after capture the refund state
/// is the part's own, so another store's refund does not show as "partially refunded" here. It is
/// worked out in the query because the status filter and the page count must use it.
macro_rules! payment_status {
    () => {
        "(CASE WHEN $1 = 0 OR p.status NOT IN ('captured', 'partially_refunded', 'refunded') THEN p.status
               WHEN s.refunded_minor = 0 THEN 'captured'
               WHEN s.refunded_minor >= s.total_minor THEN 'refunded'
               ELSE 'partially_refunded' END)"
    };
}

/// Payments of orders that have a part of store `$1` (all when 0), of status `$2` ('' for all).
/// `s` is the store's part (one per order and store; none in the marketplace view).
macro_rules! payment_filter {
    () => {
        concat!(
            " FROM payments p JOIN orders o ON o.id = p.order_id
              LEFT JOIN order_parts s ON s.order_id = o.id AND s.merchant_id = $1
              WHERE ($1 = 0 OR s.id IS NOT NULL)
                AND ($2 = '' OR ",
            payment_status!(),
            " = $2)"
        )
    };
}

/// The row of `PaymentRow`. A store (`$1` > 0) sees only its part of a shared order: its part's
/// total as the amount, what of it was captured (the capture takes the whole order, so the part
/// is captured in full; never more than the part) and refunded (its own refunds, in-flight ones
/// included like the payment's). The marketplace view (0) shows the whole payment.
macro_rules! payment_columns {
    () => {
        concat!(
            "SELECT p.id, o.number, o.created_at, ",
            payment_status!(),
            " AS status, p.currency,
                CASE WHEN $1 = 0 THEN p.amount_minor ELSE s.total_minor END AS amount,
                CASE WHEN $1 = 0 THEN p.captured_minor
                     WHEN p.captured_minor < s.total_minor THEN p.captured_minor
                     ELSE s.total_minor END AS captured,
                CASE WHEN $1 = 0 THEN p.refunded_minor ELSE s.refunded_minor END AS refunded,
                CASE WHEN $1 = 0
                     THEN CAST(COALESCE((SELECT SUM(x.total_minor) FROM order_parts x WHERE x.order_id = o.id), 0) AS BIGINT)
                     ELSE s.total_minor END AS share,
                (SELECT COUNT(*) FROM order_parts c WHERE c.order_id = o.id) AS stores,
                p.card_brand, p.card_last4, p.gateway_reference,
                CAST(COALESCE((SELECT SUM(x.total_minor) FROM order_parts x WHERE x.order_id = o.id
                    AND x.status = 'cancelled' AND ($1 = 0 OR x.merchant_id = $1)), 0) AS BIGINT) AS cancelled"
        )
    };
}

/// A store's payments (`$1` > 0), read from its parts by order id (index `order_parts_merchant`),
/// so a page costs the same however many payments the marketplace or the store has; of status
/// `$2` ('' for all). The caller appends the search, cursor, order and limit (`payments_sql`).
pub const STORE_PAYMENTS: &str = concat!(
    payment_columns!(),
    ", p.order_id AS cursor_key FROM order_parts s JOIN payments p ON p.order_id = s.order_id
      JOIN orders o ON o.id = s.order_id WHERE s.merchant_id = $1 AND ($2 = '' OR ",
    payment_status!(),
    " = $2)"
);
/// Every payment (`$1` = 0), read by order id (payments' unique index on it).
pub const ALL_PAYMENTS: &str = concat!(payment_columns!(), ", p.order_id AS cursor_key", payment_filter!());

/// The payments query for a store or the marketplace, with a search and a cursor; its extra
/// parameters are numbered from `$3` in the order `bind_payments` binds them.
pub fn payments_sql(store: bool, search: bool, cursor: app::domain::paging::Cursor) -> String {
    use app::domain::paging::Cursor;
    let mut sql = String::from(if store { STORE_PAYMENTS } else { ALL_PAYMENTS });
    let key = if store { "s.order_id" } else { "p.order_id" };
    let mut n = 2;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if search {
        let (number, from, to) = (next(), next(), next());
        sql.push_str(&format!(
            " AND {key} IN (SELECT id FROM orders WHERE number = {number}
               UNION SELECT id FROM orders WHERE email >= {from} AND email < {to})"
        ));
    }
    // Both sides of the join are bounded by the cursor (see `store/orders/reading.rs`).
    match cursor {
        Cursor::Newest => sql.push_str(&format!(" ORDER BY {key} DESC")),
        Cursor::Before(_) => {
            let k = next();
            sql.push_str(&format!(" AND {key} < {k} AND o.id < {k} ORDER BY {key} DESC"))
        }
        Cursor::After(_) => {
            let k = next();
            sql.push_str(&format!(" AND {key} > {k} AND o.id > {k} ORDER BY {key} ASC"))
        }
    }
    sql.push_str(&format!(" LIMIT {}", next()));
    sql
}
pub const PAYMENT_BY_NUMBER: &str = concat!(payment_columns!(), payment_filter!(), " AND o.number = $3");

/// A store's reviews, newest first, walked on `product_reviews (merchant_id, id)` (migration 0026;
/// the partial index when only unanswered ones are wanted).
pub const REVIEWS: &str = "SELECT r.id, pr.title, pr.slug, CAST(r.rating AS BIGINT) AS rating, r.body,
        u.display_name, r.created_at, r.merchant_reply
    FROM product_reviews r JOIN products pr ON pr.id = r.product_id JOIN users u ON u.id = r.user_id
    WHERE r.merchant_id = ";
pub const REVIEWS_ORDER: super::keyset::Keyset = super::keyset::Keyset {
    keys: &["r.id"],
    descending: true,
    row_from: "product_reviews r",
    row_id: "r.id",
    indexed: 0,
};
/// The store's totals, kept by migration 0027's triggers (one row; none before its first review).
pub const STORE_RATING: &str = "SELECT CAST(COALESCE(SUM(review_count), 0) AS BIGINT),
        CAST(SUM(rating_sum) AS DOUBLE PRECISION) / NULLIF(SUM(review_count), 0)
    FROM merchant_rating_stats WHERE merchant_id = $1";

pub const TODO: &str = "SELECT
    (SELECT COUNT(*) FROM order_parts WHERE merchant_id = $1 AND status IN ('paid', 'processing', 'partially_shipped')),
    (SELECT COUNT(*) FROM product_variants WHERE merchant_id = $1 AND stock <= $2),
    (SELECT COUNT(*) FROM product_reviews r JOIN products p ON p.id = r.product_id
      WHERE p.merchant_id = $1 AND r.merchant_reply IS NULL),
    (SELECT COUNT(*) FROM payments pay JOIN order_parts op ON op.order_id = pay.order_id
      WHERE op.merchant_id = $1 AND pay.status = 'authorized')";

macro_rules! user_filter {
    () => {
        " FROM users u LEFT JOIN merchant_members mm ON mm.user_id = u.id LEFT JOIN merchants m ON m.id = mm.merchant_id
          WHERE ($1 = '' OR LOWER(u.email) LIKE $1 ESCAPE '\\' OR LOWER(u.display_name) LIKE $1 ESCAPE '\\')"
    };
}

pub const USERS: &str = concat!(
    "SELECT u.id, u.email, u.display_name, u.is_admin, m.name AS store_name, mm.role, u.created_at,
            (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS orders",
    user_filter!(),
    " ORDER BY u.created_at DESC, u.id DESC LIMIT $2 OFFSET $3"
);
pub const USERS_COUNT: &str = concat!("SELECT COUNT(*)", user_filter!());

macro_rules! impl_sql_admin {
    ($store:ty, $db:ty) => {
        use app::domain::account::{MerchantStatus, StoreRole};
        use app::domain::admin_pages::{CaptureMode, PaymentRow, StoreReviewRow, StoreSettings, StoreTodo, UserRow};
        use app::domain::payment::{PaymentEvent, PaymentStatus};
        use app::services::admin_store::{AdminStore, CaptureOutcome};
        use app::services::catalog_store::StoreError;
        use sqlx::Row;
        use $crate::store::admin::{PAYMENT_BY_NUMBER, REVIEWS, REVIEWS_ORDER, STORE_RATING, TODO, USERS, USERS_COUNT, payments_sql};
        use $crate::store::errors::{currency, map_sqlx, unknown};
        use $crate::store::keyset::contains_pattern;

        fn payment_row(r: &<$db as sqlx::Database>::Row) -> Result<PaymentRow, StoreError> {
            let status: &str = r.get(3);
            Ok(PaymentRow {
                payment_id: r.get(0),
                // Only the list's queries select the cursor; one payment by number has no use for it.
                order_id: r.try_get("cursor_key").unwrap_or_default(),
                order_number: r.get(1),
                placed_at: r.get(2),
                status: PaymentStatus::parse(status).ok_or_else(|| unknown("payment status", status))?,
                currency: currency(r.get(4))?,
                amount_minor: r.get(5),
                captured_minor: r.get(6),
                refunded_minor: r.get(7),
                share_minor: r.get(8),
                store_count: r.get(9),
                card_brand: r.get(10),
                card_last4: r.get(11),
                gateway_reference: r.get(12),
                cancelled_minor: r.get(13),
            })
        }

        #[async_trait::async_trait]
        impl AdminStore for $store {
            async fn capture_mode(&self) -> Result<CaptureMode, StoreError> {
                let value: Option<String> =
                    sqlx::query_scalar("SELECT value FROM marketplace_settings WHERE key = 'capture_mode'")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                Ok(value.as_deref().and_then(CaptureMode::parse).unwrap_or(CaptureMode::Automatic))
            }

            async fn set_capture_mode(&self, mode: CaptureMode, now: i64) -> Result<(), StoreError> {
                let upsert = sqlx::query(
                    "INSERT INTO marketplace_settings (key, value, updated_at) VALUES ('capture_mode', $1, $2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                );
                self.execute(upsert.bind(mode.as_str()).bind(now)).await.map(drop)
            }

            async fn payments(
                &self,
                merchant_id: Option<i64>,
                status: Option<PaymentStatus>,
                search: Option<&app::domain::order_search::OrderQuery>,
                cursor: app::domain::paging::Cursor,
                limit: i64,
            ) -> Result<Vec<PaymentRow>, StoreError> {
                use app::domain::paging::Cursor;
                let store = merchant_id.unwrap_or(0);
                let status = status.map(|s| s.as_str()).unwrap_or("");
                let sql = payments_sql(store > 0, search.is_some(), cursor);
                let mut query = sqlx::query(&sql).bind(store).bind(status);
                if let Some(q) = search {
                    query = query
                        .bind(q.number.clone().unwrap_or_default())
                        .bind(q.prefix.clone())
                        .bind(q.prefix_end.clone());
                }
                if let Cursor::Before(k) | Cursor::After(k) = cursor {
                    query = query.bind(k);
                }
                let rows = query.bind(limit.max(0)).fetch_all(&self.pool).await.map_err(map_sqlx)?;
                rows.iter().map(payment_row).collect()
            }

            async fn payment(
                &self,
                merchant_id: Option<i64>,
                order_number: &str,
            ) -> Result<Option<PaymentRow>, StoreError> {
                let row = sqlx::query(PAYMENT_BY_NUMBER)
                    .bind(merchant_id.unwrap_or(0))
                    .bind("")
                    .bind(order_number)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                row.as_ref().map(payment_row).transpose()
            }

            async fn record_capture(
                &self,
                payment_id: i64,
                event: &PaymentEvent,
                now: i64,
            ) -> Result<CaptureOutcome, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // A retry is found by the key the capture recorded on its own event row (as a
                // stock adjustment or a refund is), so the event is the replay.
                let done: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM payment_events WHERE payment_id = $1 AND kind = 'capture' AND idempotency_key = $2",
                )
                .bind(payment_id)
                .bind(&event.idempotency_key)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if done.is_some() {
                    return Ok(CaptureOutcome::Captured);
                }
                // Conditional on the status, so a capture racing another capture or a void loses.
                let updated = sqlx::query(
                    "UPDATE payments SET status = 'captured', captured_minor = $1, updated_at = $2
                     WHERE id = $3 AND status = 'authorized'",
                )
                .bind(event.amount.minor)
                .bind(now)
                .bind(payment_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if updated == 0 {
                    return Ok(CaptureOutcome::NotAuthorized);
                }
                sqlx::query(
                    "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                        idempotency_key, at) VALUES ($1, 'capture', $2, 'succeeded', $3, $4, $5)",
                )
                .bind(payment_id)
                .bind(event.amount.minor)
                .bind(&event.gateway_reference)
                .bind(&event.idempotency_key)
                .bind(event.at)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(CaptureOutcome::Captured)
            }

            async fn store_settings(&self, merchant_id: i64) -> Result<Option<StoreSettings>, StoreError> {
                let settings = sqlx::query(
                    "SELECT id, slug, status, name, description, support_email FROM merchants WHERE id = $1",
                );
                let Some(r) = self.find(settings.bind(merchant_id)).await? else { return Ok(None) };
                let status: &str = r.get(2);
                Ok(Some(StoreSettings {
                    merchant_id: r.get(0),
                    slug: r.get(1),
                    status: MerchantStatus::parse(status).ok_or_else(|| unknown("store status", status))?,
                    name: r.get(3),
                    description: r.get(4),
                    support_email: r.get(5),
                    low_stock_threshold: 0,
                }))
            }

            async fn save_store_settings(
                &self,
                merchant_id: i64,
                name: &str,
                description: &str,
                support_email: &str,
                _now: i64,
            ) -> Result<(), StoreError> {
                let update =
                    sqlx::query("UPDATE merchants SET name = $1, description = $2, support_email = $3 WHERE id = $4");
                self.execute(update.bind(name).bind(description).bind(support_email).bind(merchant_id)).await.map(drop)
            }

            async fn store_reviews(
                &self,
                merchant_id: i64,
                unanswered: bool,
                search: &str,
                cursor: app::domain::paging::Cursor,
                limit: i64,
            ) -> Result<Vec<StoreReviewRow>, StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(REVIEWS);
                qb.push_bind(merchant_id);
                if unanswered {
                    qb.push(" AND r.merchant_reply IS NULL");
                }
                let pattern = contains_pattern(search);
                if !pattern.is_empty() {
                    qb.push(" AND r.product_id IN (SELECT p.id FROM products p WHERE p.merchant_id = ")
                        .push_bind(merchant_id)
                        .push(" AND (LOWER(p.title) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND LOWER(v.sku) LIKE ")
                        .push_bind(pattern)
                        .push(" ESCAPE '\\')))");
                }
                REVIEWS_ORDER.push(&mut qb, cursor, limit);
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                Ok(rows
                    .iter()
                    .map(|r| StoreReviewRow {
                        id: r.get(0),
                        product_title: r.get(1),
                        product_slug: r.get(2),
                        rating: r.get::<i64, _>(3).clamp(1, 5) as u8,
                        body: r.get(4),
                        author: r.get(5),
                        created_at: r.get(6),
                        reply: r.get(7),
                    })
                    .collect())
            }

            async fn store_rating(&self, merchant_id: i64) -> Result<(i64, Option<f64>), StoreError> {
                sqlx::query_as(STORE_RATING).bind(merchant_id).fetch_one(&self.pool).await.map_err(map_sqlx)
            }

            async fn store_todo(&self, merchant_id: i64, threshold: i64) -> Result<StoreTodo, StoreError> {
                let (to_fulfil, low_stock, unanswered_reviews, to_capture): (i64, i64, i64, i64) = sqlx::query_as(TODO)
                    .bind(merchant_id)
                    .bind(threshold)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(StoreTodo { to_fulfil, low_stock, unanswered_reviews, to_capture })
            }

            async fn find_users(&self, q: &str, limit: i64, offset: i64) -> Result<(Vec<UserRow>, i64), StoreError> {
                let pattern = contains_pattern(q);
                let rows = sqlx::query(USERS)
                    .bind(&pattern)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                let total: i64 =
                    sqlx::query_scalar(USERS_COUNT).bind(&pattern).fetch_one(&self.pool).await.map_err(map_sqlx)?;
                let rows = rows
                    .iter()
                    .map(|r| {
                        let role: Option<&str> = r.get(5);
                        let store_role =
                            role.map(|s| StoreRole::parse(s).ok_or_else(|| unknown("store role", s))).transpose()?;
                        Ok(UserRow {
                            id: r.get(0),
                            email: r.get(1),
                            display_name: r.get(2),
                            is_admin: r.get::<i64, _>(3) == 1,
                            store_name: r.get(4),
                            store_role,
                            created_at: r.get(6),
                            order_count: r.get(7),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                Ok((rows, total))
            }
        }
    };
}
