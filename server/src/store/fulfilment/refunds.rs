//! Refunds: reserved within every bound (the part's total, each line's paid share, the payment's
//! capture) before the gateway is asked, then booked with the gateway's answer.

macro_rules! fulfilment_refunds {
    ($store:ty, $db:ty) => {
        use app::domain::order::PartEvent;
        use app::domain::refund::{RefundKind, RefundStatus};
        use app::services::fulfilment_store::{NewRefund, RefundResult, RefundState, RefundStore};

        /// Books a refund as pending within every bound; `None` when one would be passed.
        async fn reserve_refund_tx(tx: &mut Tx, r: &NewRefund, now: i64) -> Result<Option<i64>, StoreError> {
            let part = sqlx::query(
                "UPDATE order_parts SET refunded_minor = refunded_minor + $1 WHERE id = $2 AND refunded_minor + $1 <= total_minor",
            )
            .bind(r.amount_minor)
            .bind(r.part_id)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?
            .rows_affected();
            let payment = sqlx::query(
                "UPDATE payments SET refunded_minor = refunded_minor + $1, updated_at = $3
                 WHERE id = $2 AND refunded_minor + $1 <= captured_minor",
            )
            .bind(r.amount_minor)
            .bind(r.payment_id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?
            .rows_affected();
            if part != 1 || payment != 1 || r.amount_minor <= 0 {
                return Ok(None);
            }
            for (line_id, amount, paid) in &r.lines {
                let n = sqlx::query(
                    "UPDATE order_lines SET refunded_minor = refunded_minor + $1
                     WHERE id = $2 AND part_id = $3 AND refunded_minor + $1 <= $4",
                )
                .bind(*amount)
                .bind(*line_id)
                .bind(r.part_id)
                .bind(*paid)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if n != 1 {
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
                sqlx::query("INSERT INTO refund_lines (refund_id, line_id, amount_minor) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(*line_id)
                    .bind(*amount)
                    .execute(&mut **tx)
                    .await
                    .map_err(map_sqlx)?;
            }
            Ok(Some(id))
        }

        impl $store {
            async fn load_refund(&self, filter: &str, id: i64) -> Result<Option<RefundState>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT r.*, y.gateway_reference AS charge_reference, y.currency
                     FROM refunds r JOIN payments y ON y.id = r.payment_id WHERE {filter} = $1 ORDER BY r.id DESC LIMIT 1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let Some(r) = row else { return Ok(None) };
                let (kind, currency, status): (&str, &str, &str) = (r.get("kind"), r.get("currency"), r.get("status"));
                Ok(Some(RefundState {
                    id: r.get("id"),
                    part_id: r.get("part_id"),
                    payment_id: r.get("payment_id"),
                    return_id: r.get("return_id"),
                    kind: parsed("refund kind", kind, RefundKind::parse(kind))?,
                    amount_minor: r.get("amount_minor"),
                    currency: parsed("currency", currency, Currency::parse(currency).ok())?,
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
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(Applied::Repeat(id));
                }
                if !bump_version(&mut tx, r.part_id, expected_version).await? {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(Applied::Stale);
                }
                let Some(id) = reserve_refund_tx(&mut tx, r, now).await? else {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(Applied::Stale);
                };
                set_outcome(&mut tx, claim, id).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(id))
            }

            async fn complete_refund(&self, result: &RefundResult) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let outcome = if result.approved { RefundStatus::Succeeded } else { RefundStatus::Failed };
                let done = sqlx::query(
                    "UPDATE refunds SET status = $1, gateway_reference = $2, completed_at = $3
                     WHERE id = $4 AND status = 'pending'",
                )
                .bind(outcome.as_str())
                .bind(result.gateway_reference.as_deref())
                .bind(result.now)
                .bind(result.refund_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if done == 0 {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(false);
                }
                // Rows are locked in one order everywhere (the part, then the payment, then its
                // lines) so concurrent refunds of one part queue instead of deadlocking.
                sqlx::query(
                    "UPDATE order_parts SET version = version WHERE id = (SELECT part_id FROM refunds WHERE id = $1)",
                )
                .bind(result.refund_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let r = sqlx::query("SELECT * FROM refunds WHERE id = $1")
                    .bind(result.refund_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                let (part_id, payment_id, amount): (i64, i64, i64) =
                    (r.get("part_id"), r.get("payment_id"), r.get("amount_minor"));
                let return_id: Option<i64> = r.get("return_id");
                let key: String = r.get("idempotency_key");
                if result.approved {
                    sqlx::query(
                        "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                            idempotency_key, at) VALUES ($1, 'refund', $2, 'succeeded', $3, $4, $5)",
                    )
                    .bind(payment_id)
                    .bind(amount)
                    .bind(result.gateway_reference.as_deref())
                    .bind(&key)
                    .bind(result.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    // The payment's status follows the refunds that went through (those in flight
                    // may still fail), as the payment state machine does for each refund event.
                    sqlx::query(
                        "UPDATE payments SET updated_at = $2, status = CASE
                            WHEN (SELECT COALESCE(SUM(f.amount_minor), 0) FROM refunds f
                                  WHERE f.payment_id = $1 AND f.status = 'succeeded') >= captured_minor
                            THEN 'refunded' ELSE 'partially_refunded' END
                         WHERE id = $1",
                    )
                    .bind(payment_id)
                    .bind(result.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    let (status, total, refunded): (String, i64, i64) = sqlx::query_as(
                        "SELECT status, total_minor, CAST((SELECT COALESCE(SUM(f.amount_minor), 0) FROM refunds f
                            WHERE f.part_id = order_parts.id AND f.status = 'succeeded') AS BIGINT)
                         FROM order_parts WHERE id = $1",
                    )
                    .bind(part_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    let settled = Some(part_status(&status)?)
                        .filter(|_| refunded >= total)
                        .and_then(|s| s.apply(PartEvent::Refund).ok());
                    if let Some(next) = settled {
                        sqlx::query("UPDATE order_parts SET status = $1, version = version + 1 WHERE id = $2")
                            .bind(next.as_str())
                            .bind(part_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                    }
                    if let Some(return_id) = return_id {
                        sqlx::query(
                            "UPDATE returns SET status = 'refunded', refunded_at = $1 WHERE id = $2 AND status = 'received'",
                        )
                        .bind(result.now)
                        .bind(return_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                    }
                } else {
                    // Declined: what was reserved goes back, so the money can be asked for again.
                    sqlx::query(
                        "UPDATE order_parts SET refunded_minor = refunded_minor - $1, version = version + 1 WHERE id = $2",
                    )
                    .bind(amount)
                    .bind(part_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    sqlx::query("UPDATE payments SET refunded_minor = refunded_minor - $1, updated_at = $3 WHERE id = $2")
                        .bind(amount)
                        .bind(payment_id)
                        .bind(result.now)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                    sqlx::query(
                        "UPDATE order_lines SET refunded_minor = refunded_minor - (
                            SELECT rl.amount_minor FROM refund_lines rl WHERE rl.refund_id = $1 AND rl.line_id = order_lines.id)
                         WHERE id IN (SELECT rl.line_id FROM refund_lines rl WHERE rl.refund_id = $1)",
                    )
                    .bind(result.refund_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(true)
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
