//! Refunds: reserved within every bound (the part's total, each line's paid share, the payment's
//! capture) before the gateway is asked, then booked with the gateway's answer.

macro_rules! fulfilment_refunds {
    ($store:ty, $db:ty) => {
        use app::domain::refund::{RefundKind, RefundStatus};
        use app::services::fulfilment_store::{
            NewRefund, RefundBalance, RefundBooking, RefundResult, RefundState, RefundStore,
        };

        /// Books a refund as pending within every bound; `None` when one would be passed.
        async fn reserve_refund_tx(tx: &mut Tx, r: &NewRefund, now: i64) -> Result<Option<i64>, StoreError> {
            let part = sqlx::query(
                "UPDATE order_parts SET refunded_minor = refunded_minor + $1 WHERE id = $2 AND refunded_minor + $1 <= total_minor",
            );
            let part = <$store>::run(tx, part.bind(r.amount_minor).bind(r.part_id)).await?;
            let payment = sqlx::query(
                "UPDATE payments SET refunded_minor = refunded_minor + $1, updated_at = $3
                 WHERE id = $2 AND refunded_minor + $1 <= captured_minor",
            );
            let payment = <$store>::run(tx, payment.bind(r.amount_minor).bind(r.payment_id).bind(now)).await?;
            if part != 1 || payment != 1 || r.amount_minor <= 0 {
                return Ok(None);
            }
            for (line_id, amount, paid) in &r.lines {
                let line = sqlx::query(
                    "UPDATE order_lines SET refunded_minor = refunded_minor + $1
                     WHERE id = $2 AND part_id = $3 AND refunded_minor + $1 <= $4",
                );
                if <$store>::run(tx, line.bind(*amount).bind(*line_id).bind(r.part_id).bind(*paid)).await? != 1 {
                    return Ok(None);
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO refunds (part_id, payment_id, return_id, kind, amount_minor, status, idempotency_key, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING id",
            )
            .bind(r.part_id)
            .bind(r.payment_id)
            .bind(r.return_id)
            .bind(r.kind.as_str())
            .bind(r.amount_minor)
            .bind(&r.key)
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map_err(map_sqlx)?;
            for (line_id, amount, _) in &r.lines {
                let line = sqlx::query("INSERT INTO refund_lines (refund_id, line_id, amount_minor) VALUES ($1, $2, $3)");
                <$store>::run(tx, line.bind(id).bind(*line_id).bind(*amount)).await?;
            }
            Ok(Some(id))
        }

        /// A refund's (`$1`) balance: its part's status and total, its payment's capture, and what
        /// the other refunds that went through returned of each.
        const REFUND_BALANCE: &str = "SELECT p.status, p.total_minor,
                CAST((SELECT COALESCE(SUM(f.amount_minor), 0) FROM refunds f
                      WHERE f.part_id = p.id AND f.status = 'succeeded' AND f.id <> r.id) AS BIGINT) AS part_refunded,
                y.captured_minor,
                CAST((SELECT COALESCE(SUM(f.amount_minor), 0) FROM refunds f
                      WHERE f.payment_id = y.id AND f.status = 'succeeded' AND f.id <> r.id) AS BIGINT) AS payment_refunded
            FROM refunds r JOIN order_parts p ON p.id = r.part_id JOIN payments y ON y.id = r.payment_id
            WHERE r.id = $1";

        fn balance_from(r: &<$db as sqlx::Database>::Row) -> Result<RefundBalance, StoreError> {
            Ok(RefundBalance {
                part_status: part_status(r.get::<&str, _>("status"))?,
                part_total_minor: r.get("total_minor"),
                part_refunded_minor: r.get("part_refunded"),
                captured_minor: r.get("captured_minor"),
                payment_refunded_minor: r.get("payment_refunded"),
            })
        }

        impl $store {
            async fn load_refund(&self, filter: &str, id: i64) -> Result<Option<RefundState>, StoreError> {
                let sql = format!(
                    "SELECT r.*, y.gateway_reference AS charge_reference, y.currency
                     FROM refunds r JOIN payments y ON y.id = r.payment_id WHERE {filter} = $1 ORDER BY r.id DESC LIMIT 1"
                );
                let Some(r) = self.find(sqlx::query(&sql).bind(id)).await? else { return Ok(None) };
                let (kind, currency, status): (&str, &str, &str) = (r.get("kind"), r.get("currency"), r.get("status"));
                Ok(Some(RefundState {
                    id: r.get("id"),
                    part_id: r.get("part_id"),
                    payment_id: r.get("payment_id"),
                    return_id: r.get("return_id"),
                    kind: parsed("refund kind", kind, RefundKind::parse(kind))?,
                    amount_minor: r.get("amount_minor"),
                    currency: stored_currency(currency)?,
                    status: parsed("refund status", status, RefundStatus::parse(status))?,
                    key: r.get("idempotency_key"),
                    charge_reference: r.get("charge_reference"),
                    gateway_reference: r.get("gateway_reference"),
                }))
            }
        }

        #[async_trait::async_trait]
        impl RefundStore for $store {
            async fn reserve_refund(
                &self,
                r: &NewRefund,
                expected_version: i64,
                claim: Option<&IdempotencyClaim>,
                now: i64,
            ) -> Result<Applied<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some(order_id) = order_of_part(&mut tx, r.part_id).await? else {
                    return Ok(Applied::Stale);
                };
                if let Some(answer) = claim_part_write(&mut tx, claim, order_id, now).await? {
                    return Ok(answer);
                }
                let earlier: Option<i64> = sqlx::query_scalar("SELECT id FROM refunds WHERE idempotency_key = $1")
                    .bind(&r.key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                if let Some(id) = earlier {
                    return give_up(tx, Applied::Repeat(id)).await;
                }
                if !bump_version(&mut tx, r.part_id, expected_version).await? {
                    return give_up(tx, Applied::Stale).await;
                }
                let Some(id) = reserve_refund_tx(&mut tx, r, now).await? else {
                    return give_up(tx, Applied::Stale).await;
                };
                set_outcome(&mut tx, claim, id).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(id))
            }

            async fn refund_balance(&self, refund_id: i64) -> Result<Option<RefundBalance>, StoreError> {
                self.find(sqlx::query(REFUND_BALANCE).bind(refund_id)).await?.as_ref().map(balance_from).transpose()
            }

            async fn complete_refund(&self, result: &RefundResult) -> Result<RefundBooking, StoreError> {
                if (result.status == RefundStatus::Succeeded) != result.settlement.is_some() {
                    return Err(StoreError::Invalid("a refund that went through is booked with its settlement".into()));
                }
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let book = sqlx::query(
                    "UPDATE refunds SET status = $1, gateway_reference = $2, completed_at = $3
                     WHERE id = $4 AND status = 'pending'",
                )
                .bind(result.status.as_str())
                .bind(result.gateway_reference.as_deref())
                .bind(result.now)
                .bind(result.refund_id);
                if Self::run(&mut tx, book).await? == 0 {
                    return give_up(tx, RefundBooking::NotPending).await;
                }
                // Rows are locked in one order everywhere (the part, then the payment, then its
                // lines) so concurrent refunds of one part queue instead of deadlocking.
                let part = sqlx::query("UPDATE order_parts SET version = version WHERE id = (SELECT part_id FROM refunds WHERE id = $1)");
                Self::run(&mut tx, part.bind(result.refund_id)).await?;
                let refund = sqlx::query("SELECT * FROM refunds WHERE id = $1").bind(result.refund_id);
                let r = refund.fetch_one(&mut *tx).await.map_err(map_sqlx)?;
                let (part_id, payment_id, amount): (i64, i64, i64) =
                    (r.get("part_id"), r.get("payment_id"), r.get("amount_minor"));
                let Some(settled) = &result.settlement else {
                    // Failed: what was reserved goes back, so the money can be asked for again.
                    let part = sqlx::query(
                        "UPDATE order_parts SET refunded_minor = refunded_minor - $1, version = version + 1 WHERE id = $2",
                    );
                    Self::run(&mut tx, part.bind(amount).bind(part_id)).await?;
                    let payment =
                        sqlx::query("UPDATE payments SET refunded_minor = refunded_minor - $1, updated_at = $3 WHERE id = $2");
                    Self::run(&mut tx, payment.bind(amount).bind(payment_id).bind(result.now)).await?;
                    let lines = sqlx::query(
                        "UPDATE order_lines SET refunded_minor = refunded_minor - (
                            SELECT rl.amount_minor FROM refund_lines rl WHERE rl.refund_id = $1 AND rl.line_id = order_lines.id)
                         WHERE id IN (SELECT rl.line_id FROM refund_lines rl WHERE rl.refund_id = $1)",
                    );
                    Self::run(&mut tx, lines.bind(result.refund_id)).await?;
                    tx.commit().await.map_err(map_sqlx)?;
                    return Ok(RefundBooking::Booked);
                };
                // The payment's row too, before the balance is read again: the statuses were
                // decided on it, and hold only while no other refund of the part or the payment
                // went through meanwhile.
                let payment = sqlx::query("UPDATE payments SET updated_at = $2 WHERE id = $1");
                Self::run(&mut tx, payment.bind(payment_id).bind(result.now)).await?;
                let balance = sqlx::query(REFUND_BALANCE).bind(result.refund_id).fetch_one(&mut *tx).await.map_err(map_sqlx)?;
                if balance_from(&balance)? != settled.balance {
                    return give_up(tx, RefundBooking::Stale).await;
                }
                let event = sqlx::query(
                    "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                        idempotency_key, at) VALUES ($1, 'refund', $2, 'succeeded', $3, $4, $5)",
                )
                .bind(payment_id)
                .bind(amount)
                .bind(result.gateway_reference.as_deref())
                .bind(r.get::<String, _>("idempotency_key"))
                .bind(result.now);
                Self::run(&mut tx, event).await?;
                let payment = sqlx::query("UPDATE payments SET status = $1 WHERE id = $2");
                Self::run(&mut tx, payment.bind(settled.payment_status.as_str()).bind(payment_id)).await?;
                if let Some(next) = settled.part_status {
                    let part = sqlx::query("UPDATE order_parts SET status = $1, version = version + 1 WHERE id = $2");
                    Self::run(&mut tx, part.bind(next.as_str()).bind(part_id)).await?;
                }
                if let Some(return_id) = r.get::<Option<i64>, _>("return_id") {
                    let settle_return = sqlx::query(
                        "UPDATE returns SET status = 'refunded', refunded_at = $1 WHERE id = $2 AND status = 'received'",
                    );
                    Self::run(&mut tx, settle_return.bind(result.now).bind(return_id)).await?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(RefundBooking::Booked)
            }

            async fn refund(&self, refund_id: i64) -> Result<Option<RefundState>, StoreError> {
                self.load_refund("r.id", refund_id).await
            }

            async fn refund_of_return(&self, return_id: i64) -> Result<Option<RefundState>, StoreError> {
                self.load_refund("r.return_id", return_id).await
            }
        }
    };
}
