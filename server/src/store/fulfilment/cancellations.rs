//! Cancelling a part: its status, its stock and the refund owed, in one transaction; and the
//! voided authorization when nothing was captured.

macro_rules! fulfilment_cancellations {
    ($store:ty, $db:ty) => {
        use app::services::fulfilment_store::{CancellationStore, PartCancellation};

        #[async_trait::async_trait]
        impl CancellationStore for $store {
            async fn cancel_part(&self, c: &PartCancellation) -> Result<Applied<Option<i64>>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some(order_id) = order_of_part(&mut tx, c.part_id).await? else {
                    return Ok(Applied::Stale);
                };
                if let Some(answer) = claim_part_write(&mut tx, c.claim.as_ref(), order_id, c.now).await? {
                    return Ok(answer);
                }
                let cancel = sqlx::query(
                    "UPDATE order_parts SET status = 'cancelled', version = version + 1, cancelled_at = $1,
                        cancel_reason = $2
                     WHERE id = $3 AND version = $4 AND status IN ('awaiting_payment', 'paid', 'processing')",
                );
                if Self::run(&mut tx, cancel.bind(c.now).bind(&c.reason).bind(c.part_id).bind(c.expected_version)).await? == 0 {
                    return give_up(tx, Applied::Stale).await;
                }
                // The part's stock goes back once, unless the whole order's already did.
                let release = sqlx::query(
                    "UPDATE order_parts SET stock_released = 1 WHERE id = $1 AND stock_released = 0
                       AND (SELECT o.stock_released FROM orders o WHERE o.id = order_parts.order_id) = 0",
                );
                if Self::run(&mut tx, release.bind(c.part_id)).await? == 1 {
                    let restock = sqlx::query(
                        "UPDATE product_variants SET stock = stock + (
                            SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l
                            WHERE l.part_id = $1 AND l.variant_id = product_variants.id), updated_at = $2
                         WHERE id IN (SELECT l.variant_id FROM order_lines l WHERE l.part_id = $1)",
                    );
                    Self::run(&mut tx, restock.bind(c.part_id).bind(c.now)).await?;
                }
                let order = sqlx::query(
                    "UPDATE orders SET status = 'cancelled', updated_at = $2 WHERE id = $1
                       AND NOT EXISTS (SELECT 1 FROM order_parts p WHERE p.order_id = $1 AND p.status <> 'cancelled')",
                );
                Self::run(&mut tx, order.bind(order_id).bind(c.now)).await?;
                let refund_id = match &c.refund {
                    Some(r) => match reserve_refund_tx(&mut tx, r, c.now).await? {
                        Some(id) => Some(id),
                        None => return give_up(tx, Applied::Stale).await,
                    },
                    None => None,
                };
                set_outcome(&mut tx, c.claim.as_ref(), refund_id.unwrap_or(0)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(refund_id))
            }

            async fn record_void(
                &self,
                payment_id: i64,
                amount_minor: i64,
                reference: Option<&str>,
                key: &str,
                now: i64,
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let void = sqlx::query(
                    "UPDATE payments SET status = 'voided', updated_at = $1 WHERE id = $2 AND status = 'authorized'",
                );
                if Self::run(&mut tx, void.bind(now).bind(payment_id)).await? == 1 {
                    let event = sqlx::query(
                        "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                            idempotency_key, at) VALUES ($1, 'void', $2, 'succeeded', $3, $4, $5)",
                    );
                    Self::run(&mut tx, event.bind(payment_id).bind(amount_minor).bind(reference).bind(key).bind(now)).await?;
                }
                tx.commit().await.map_err(map_sqlx)
            }
        }
    };
}
