//! The SQL behind marketplace money (`app::services::payout_store`), shared by SQLite and
//! PostgreSQL (see `store/mod.rs` for why a macro). A store id of 0 means "every store".

/// Parts a ledger counts: of store `$1` (every store when 0), whose payment has a capture that
/// succeeded, of orders that became paid (an order whose payment arrived after it closed —
/// expired, failed — never sold anything: its money went back whole), and not cancelled before
/// the capture. A part cancelled while the payment was only authorized is left out of the capture
/// (`domain::admin_pages::capture_amount`) and has no refund (nothing was taken); one cancelled
/// after the capture has its refund, so it counts as a sale and a refund. (Times are seconds, too
/// coarse to order a cancellation and a capture of the same second; the refund is not.)
/// `captured_at` is the capture's time: the sale's date.
pub const LEDGER_PARTS: &str = "SELECT op.id, op.merchant_id, o.number, o.currency, op.total_minor, op.commission_bps,
        c.at AS captured_at, op.tax_minor
     FROM order_parts op
     JOIN orders o ON o.id = op.order_id
     JOIN payments p ON p.order_id = o.id
     JOIN (SELECT payment_id, MIN(at) AS at FROM payment_events
           WHERE kind = 'capture' AND outcome = 'succeeded' GROUP BY payment_id) c ON c.payment_id = p.id
     WHERE ($1 = 0 OR op.merchant_id = $1)
       AND o.status IN ('paid', 'cancelled')
       AND (op.status <> 'cancelled' OR EXISTS (SELECT 1 FROM refunds r WHERE r.part_id = op.id))
     ORDER BY c.at, op.id";

/// Refunds that went through, of store `$1`'s parts (every store's when 0). Refunds of parts the
/// ledger does not count are dropped by `domain::payouts::ledger`.
pub const LEDGER_REFUNDS: &str = "SELECT r.id, r.part_id, r.amount_minor, COALESCE(r.completed_at, r.created_at)
     FROM refunds r JOIN order_parts op ON op.id = r.part_id
     WHERE r.status = 'succeeded' AND ($1 = 0 OR op.merchant_id = $1)
     ORDER BY r.id";

pub const PAYOUT_COLUMNS: &str = "SELECT id, merchant_id, currency, amount_minor, reference, created_at FROM payouts";

macro_rules! impl_sql_payouts {
    ($store:ty, $db:ty) => {
        use app::domain::payouts::{CommissionRate, LedgerPart, LedgerRefund, PayoutRecord};
        use app::services::catalog_store::StoreError;
        use app::services::payout_store::{LedgerSource, NewPayout, PayoutRecorded, PayoutStore, StoreRate};
        use sqlx::Row;
        use $crate::store::errors::{currency, map_sqlx, parsed};
        use $crate::store::payouts::{LEDGER_PARTS, LEDGER_REFUNDS, PAYOUT_COLUMNS};

        fn rate(bps: i64) -> Result<CommissionRate, StoreError> {
            parsed("commission rate", &bps.to_string(), CommissionRate::from_bps(bps))
        }

        fn payout(r: &<$db as sqlx::Database>::Row) -> Result<PayoutRecord, StoreError> {
            Ok(PayoutRecord {
                id: r.get(0),
                merchant_id: r.get(1),
                currency: currency(r.get(2))?,
                amount_minor: r.get(3),
                reference: r.get(4),
                created_at: r.get(5),
            })
        }

        #[async_trait::async_trait]
        impl PayoutStore for $store {
            async fn ledger_source(&self, merchant_id: Option<i64>) -> Result<LedgerSource, StoreError> {
                let store = merchant_id.unwrap_or(0);
                let parts = sqlx::query(LEDGER_PARTS).bind(store).fetch_all(&self.pool).await.map_err(map_sqlx)?;
                let refunds = sqlx::query(LEDGER_REFUNDS).bind(store).fetch_all(&self.pool).await.map_err(map_sqlx)?;
                let payouts = sqlx::query(&format!("{PAYOUT_COLUMNS} WHERE ($1 = 0 OR merchant_id = $1) ORDER BY id"))
                    .bind(store)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(LedgerSource {
                    parts: parts
                        .iter()
                        .map(|r| {
                            Ok(LedgerPart {
                                part_id: r.get(0),
                                merchant_id: r.get(1),
                                order_number: r.get(2),
                                currency: currency(r.get(3))?,
                                total_minor: r.get(4),
                                commission: rate(r.get(5))?,
                                captured_at: r.get(6),
                                tax_minor: r.get(7),
                            })
                        })
                        .collect::<Result<_, StoreError>>()?,
                    refunds: refunds
                        .iter()
                        .map(|r| LedgerRefund {
                            refund_id: r.get(0),
                            part_id: r.get(1),
                            amount_minor: r.get(2),
                            at: r.get(3),
                        })
                        .collect(),
                    payouts: payouts.iter().map(payout).collect::<Result<_, _>>()?,
                })
            }

            async fn payout_by_key(&self, idempotency_key: &str) -> Result<Option<PayoutRecord>, StoreError> {
                let row = sqlx::query(&format!("{PAYOUT_COLUMNS} WHERE idempotency_key = $1"))
                    .bind(idempotency_key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                row.as_ref().map(payout).transpose()
            }

            async fn record_payout(&self, p: &NewPayout) -> Result<PayoutRecorded, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // Takes the store's row lock on PostgreSQL, so two payouts for one store are
                // checked one after the other (SQLite's write transaction is exclusive already).
                let store = sqlx::query("UPDATE merchants SET commission_bps = commission_bps WHERE id = $1")
                    .bind(p.merchant_id);
                if Self::run(&mut tx, store).await? == 0 {
                    return Ok(PayoutRecorded::NoSuchStore);
                }
                let found = sqlx::query(&format!("{PAYOUT_COLUMNS} WHERE idempotency_key = $1"))
                    .bind(&p.idempotency_key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                if let Some(row) = found {
                    return Ok(PayoutRecorded::KeyExists(payout(&row)?));
                }
                let paid: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM payouts WHERE merchant_id = $1 AND currency = $2",
                )
                .bind(p.merchant_id)
                .bind(p.currency.code())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if paid != p.expected_paid_minor {
                    return Ok(PayoutRecorded::Stale);
                }
                let row = sqlx::query(
                    "INSERT INTO payouts (merchant_id, currency, amount_minor, reference, created_by, idempotency_key, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     RETURNING id, merchant_id, currency, amount_minor, reference, created_at",
                )
                .bind(p.merchant_id)
                .bind(p.currency.code())
                .bind(p.amount_minor)
                .bind(&p.reference)
                .bind(p.created_by)
                .bind(&p.idempotency_key)
                .bind(p.now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let recorded = payout(&row)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(PayoutRecorded::Recorded(recorded))
            }

            async fn default_commission(&self) -> Result<CommissionRate, StoreError> {
                let value: Option<String> =
                    sqlx::query_scalar("SELECT value FROM marketplace_settings WHERE key = 'commission_bps'")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                match value {
                    None => Ok(CommissionRate::ZERO),
                    Some(v) => parsed("commission rate", &v, v.parse().ok().and_then(CommissionRate::from_bps)),
                }
            }

            async fn set_default_commission(&self, rate: CommissionRate, now: i64) -> Result<(), StoreError> {
                let upsert = sqlx::query(
                    "INSERT INTO marketplace_settings (key, value, updated_at) VALUES ('commission_bps', $1, $2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                );
                self.write_one(upsert.bind(rate.bps().to_string()).bind(now)).await.map(drop)
            }

            async fn store_rates(&self) -> Result<Vec<StoreRate>, StoreError> {
                let rows = sqlx::query("SELECT id, name, commission_bps FROM merchants ORDER BY name, id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                rows.iter()
                    .map(|r| {
                        let own: Option<i64> = r.get(2);
                        Ok(StoreRate { merchant_id: r.get(0), name: r.get(1), own_rate: own.map(rate).transpose()? })
                    })
                    .collect()
            }

            async fn set_store_commission(
                &self,
                merchant_id: i64,
                rate: Option<CommissionRate>,
            ) -> Result<bool, StoreError> {
                let update = sqlx::query("UPDATE merchants SET commission_bps = $1 WHERE id = $2")
                    .bind(rate.map(CommissionRate::bps))
                    .bind(merchant_id);
                Ok(self.write_one(update).await? == 1)
            }
        }
    };
}
