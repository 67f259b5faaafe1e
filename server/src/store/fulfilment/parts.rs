//! The part of an order a store fulfils, read whole for the service to decide on.

macro_rules! fulfilment_parts {
    ($store:ty, $db:ty) => {
        use app::domain::payment::PaymentStatus;
        use app::services::fulfilment_store::{LineState, PartState, PartStore, PaymentState};

        impl $store {
            async fn load_part(&self, part_id: i64) -> Result<Option<PartState>, StoreError> {
                let Some(p) = sqlx::query(
                    "SELECT p.*, o.number, o.user_id, o.currency,
                        COALESCE(p.delivered_at, (SELECT MAX(s.delivered_at) FROM shipments s WHERE s.part_id = p.id))
                            AS last_delivery
                     FROM order_parts p JOIN orders o ON o.id = p.order_id WHERE p.id = $1",
                )
                .bind(part_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let order_id: i64 = p.get("order_id");
                let lines = sqlx::query(
                    "SELECT l.id, l.variant_id, l.title, l.quantity, l.line_total_minor, l.refunded_minor,
                        CAST((SELECT COALESCE(SUM(sl.quantity), 0) FROM shipment_lines sl WHERE sl.line_id = l.id)
                            AS BIGINT) AS shipped,
                        CAST((SELECT COALESCE(SUM(sl.quantity), 0) FROM shipment_lines sl
                              JOIN shipments s ON s.id = sl.shipment_id WHERE sl.line_id = l.id AND s.status = 'delivered')
                            AS BIGINT) AS delivered,
                        CAST((SELECT COALESCE(SUM(rl.quantity), 0) FROM return_lines rl
                              JOIN returns r ON r.id = rl.return_id WHERE rl.line_id = l.id AND r.status <> 'rejected')
                            AS BIGINT) AS returned
                     FROM order_lines l WHERE l.part_id = $1 ORDER BY l.id",
                )
                .bind(part_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?
                .iter()
                .map(|l| LineState {
                    line_id: l.get("id"),
                    variant_id: l.get("variant_id"),
                    title: l.get("title"),
                    quantity: l.get("quantity"),
                    line_total_minor: l.get("line_total_minor"),
                    refunded_minor: l.get("refunded_minor"),
                    shipped: l.get("shipped"),
                    delivered: l.get("delivered"),
                    returned: l.get("returned"),
                })
                .collect();
                let shipments: Vec<String> =
                    sqlx::query_scalar("SELECT status FROM shipments WHERE part_id = $1 ORDER BY id")
                        .bind(part_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                let shipments = shipments.iter().map(|s| shipment_status(s)).collect::<Result<_, _>>()?;
                let other_parts: Vec<String> =
                    sqlx::query_scalar("SELECT status FROM order_parts WHERE order_id = $1 AND id <> $2 ORDER BY id")
                        .bind(order_id)
                        .bind(part_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                let other_parts = other_parts.iter().map(|s| part_status(s)).collect::<Result<_, _>>()?;
                let payment = sqlx::query(
                    "SELECT id, status, currency, amount_minor, captured_minor, refunded_minor, gateway_reference
                     FROM payments WHERE order_id = $1",
                )
                .bind(order_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?
                .map(|y| -> Result<PaymentState, StoreError> {
                    let status: &str = y.get("status");
                    let currency: &str = y.get("currency");
                    Ok(PaymentState {
                        id: y.get("id"),
                        status: parsed("payment status", status, PaymentStatus::parse(status))?,
                        currency: stored_currency(currency)?,
                        amount_minor: y.get("amount_minor"),
                        captured_minor: y.get("captured_minor"),
                        refunded_minor: y.get("refunded_minor"),
                        gateway_reference: y.get("gateway_reference"),
                    })
                })
                .transpose()?;
                let currency: &str = p.get("currency");
                Ok(Some(PartState {
                    part_id,
                    order_id,
                    order_number: p.get("number"),
                    merchant_id: p.get("merchant_id"),
                    user_id: p.get("user_id"),
                    status: part_status(p.get::<&str, _>("status"))?,
                    version: p.get("version"),
                    currency: stored_currency(currency)?,
                    shipping_minor: p.get("shipping_minor"),
                    total_minor: p.get("total_minor"),
                    refunded_minor: p.get("refunded_minor"),
                    delivered_at: p.get("last_delivery"),
                    lines,
                    shipments,
                    other_parts,
                    payment,
                }))
            }
        }

        #[async_trait::async_trait]
        impl PartStore for $store {
            async fn part(&self, number: &str, merchant_id: i64) -> Result<Option<PartState>, StoreError> {
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT p.id FROM order_parts p JOIN orders o ON o.id = p.order_id
                     WHERE o.number = $1 AND p.merchant_id = $2",
                )
                .bind(number)
                .bind(merchant_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                match id {
                    Some(id) => self.load_part(id).await,
                    None => Ok(None),
                }
            }

            async fn part_by_id(&self, part_id: i64) -> Result<Option<PartState>, StoreError> {
                self.load_part(part_id).await
            }

            async fn set_part_status(
                &self,
                part_id: i64,
                expected_version: i64,
                from: PartStatus,
                to: PartStatus,
            ) -> Result<Applied<()>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let n = sqlx::query(
                    "UPDATE order_parts SET status = $1, version = version + 1
                     WHERE id = $2 AND version = $3 AND status = $4",
                )
                .bind(to.as_str())
                .bind(part_id)
                .bind(expected_version)
                .bind(from.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                tx.commit().await.map_err(map_sqlx)?;
                Ok(if n == 1 { Applied::Done(()) } else { Applied::Stale })
            }
        }
    };
}
