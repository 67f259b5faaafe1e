//! The outbox SQL shared by SQLite and PostgreSQL, written once (see `store/mod.rs` for why a
//! macro). A claim is one statement that picks due messages and leases them: on PostgreSQL the
//! picked rows are locked with `FOR UPDATE SKIP LOCKED`, so concurrent claimers take disjoint
//! sets without waiting; on SQLite the statement runs under `BEGIN IMMEDIATE`, the database's
//! single write lock. Either way a message is leased to one sender at a time.

/// Every column, in the order `message_from_row` reads them by name.
pub const OUTBOX_COLUMNS: &str = "id, kind, recipient, subject, text_body, html_body, dedupe_key, status, attempts,
    next_attempt_at, locked_until, last_error, created_at, sent_at";

/// `$1` now, `$2` lease end, `$3` limit; `{lock}` is the engine's row-locking clause.
pub fn claim_sql(lock: &str) -> String {
    format!(
        "UPDATE outbox SET status = 'sending', locked_until = $2, attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM outbox
             WHERE status IN ('queued', 'sending') AND next_attempt_at <= $1
               AND (locked_until IS NULL OR locked_until <= $1)
             ORDER BY next_attempt_at, id LIMIT $3 {lock})
         RETURNING {OUTBOX_COLUMNS}"
    )
}

macro_rules! impl_sql_notifications {
    ($store:ty, $db:ty, $lock:literal) => {
        use app::domain::notification::{MessageKind, OutboxStatus};
        use app::services::catalog_store::StoreError;
        use app::services::notification_store::{NewMessage, NotificationStore, OutboxMessage};
        use sqlx::Row;
        use $crate::store::errors::{map_sqlx, unknown};
        use $crate::store::notifications::{OUTBOX_COLUMNS, claim_sql};

        fn message_from_row(r: &<$db as sqlx::Database>::Row) -> Result<OutboxMessage, StoreError> {
            let kind: &str = r.get("kind");
            let status: &str = r.get("status");
            Ok(OutboxMessage {
                id: r.get("id"),
                kind: MessageKind::parse(kind).ok_or_else(|| unknown("message kind", kind))?,
                recipient: r.get("recipient"),
                subject: r.get("subject"),
                text_body: r.get("text_body"),
                html_body: r.get("html_body"),
                dedupe_key: r.get("dedupe_key"),
                status: OutboxStatus::parse(status).ok_or_else(|| unknown("outbox status", status))?,
                attempts: r.get("attempts"),
                next_attempt_at: r.get("next_attempt_at"),
                locked_until: r.get("locked_until"),
                last_error: r.get("last_error"),
                created_at: r.get("created_at"),
                sent_at: r.get("sent_at"),
            })
        }

        #[async_trait::async_trait]
        impl NotificationStore for $store {
            async fn enqueue(&self, m: &NewMessage) -> Result<bool, StoreError> {
                // SQLite: with the checkout's other writes, in one commit (`store::group_commit`).
                let m = m.clone();
                let inserted = self
                    .grouped(
                        move |tx| {
                            Box::pin(async move {
                                let insert = sqlx::query(
                                    "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, dedupe_key, status,
                                        attempts, next_attempt_at, created_at)
                                     VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7)
                                     ON CONFLICT (dedupe_key) DO NOTHING",
                                )
                                .bind(m.kind.as_str())
                                .bind(m.recipient)
                                .bind(m.rendered.subject)
                                .bind(m.rendered.text)
                                .bind(m.rendered.html)
                                .bind(m.dedupe_key)
                                .bind(m.now);
                                <$store>::run(tx, insert).await
                            })
                        },
                        |_| true,
                    )
                    .await?;
                if inserted == 1 {
                    // A sender in this process goes at once instead of at its next poll.
                    $crate::notify::wake();
                }
                Ok(inserted == 1)
            }

            async fn claim_due(&self, now: i64, lease_secs: i64, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let rows = sqlx::query(&claim_sql($lock))
                    .bind(now)
                    .bind(now + lease_secs.max(1))
                    .bind(limit.max(0))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                let mut claimed: Vec<OutboxMessage> = rows.iter().map(message_from_row).collect::<Result<_, _>>()?;
                claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
                Ok(claimed)
            }

            async fn mark_sent(&self, id: i64, now: i64) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                sqlx::query(
                    "UPDATE outbox SET status = 'sent', sent_at = $2, locked_until = NULL, last_error = NULL
                     WHERE id = $1 AND status <> 'sent'",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn mark_retry(&self, id: i64, next_attempt_at: i64, error: &str) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                sqlx::query(
                    "UPDATE outbox SET status = 'queued', next_attempt_at = $2, locked_until = NULL, last_error = $3
                     WHERE id = $1 AND status = 'sending'",
                )
                .bind(id)
                .bind(next_attempt_at)
                .bind(error)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                sqlx::query(
                    "UPDATE outbox SET status = 'failed', locked_until = NULL, last_error = $2
                     WHERE id = $1 AND status = 'sending'",
                )
                .bind(id)
                .bind(error)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn list(&self, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
                let rows = sqlx::query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"))
                    .bind(limit.max(0))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                rows.iter().map(message_from_row).collect()
            }
        }
    };
}
