//! The gateway's answers applied to an order (paid, or failed with its stock and discount use
//! given back), a closed order's payment reversed, and reservations that ran out released.

macro_rules! orders_payments {
    ($store:ty, $db:ty) => {
        use app::services::order_store::{PaymentRecorded, PaymentRecording, PaymentReversal, PaymentUpdate};

        #[async_trait::async_trait]
        impl PaymentRecording for $store {
            async fn record_payment(&self, u: &PaymentUpdate) -> Result<PaymentRecorded, StoreError> {
                // SQLite: with the other writes waiting, in one commit (`store::group_commit`).
                let (status, u) = (u.payment_status, u.clone());
                let recorded =
                    self.grouped(move |tx| Box::pin(async move { record_payment_in(tx, &u).await }), |_| true).await;
                if let Ok(recorded) = &recorded {
                    crate::observability::payment_recorded(payment_outcome(status, recorded));
                }
                recorded
            }

            async fn record_reversal(&self, r: &PaymentReversal) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                insert_payment_events(&mut tx, r.payment_id, &r.events).await?;
                let payment = sqlx::query("UPDATE payments SET status = $1, refunded_minor = $2, updated_at = $3 WHERE id = $4");
                Self::run(&mut tx, payment.bind(r.payment_status.as_str()).bind(r.refunded_minor).bind(r.now).bind(r.payment_id))
                    .await?;
                record_claim(&mut tx, &r.claim, None, Some(&r.outcome)).await?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn release_expired(&self, now: i64) -> Result<u64, StoreError> {
                let due: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM orders WHERE status = 'awaiting_payment' AND reserved_until < $1 AND stock_released = 0
                     ORDER BY reserved_until LIMIT 200",
                )
                .bind(now)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let mut released = 0;
                for order_id in due {
                    let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                    // Claimed by a conditional update, so two instances never release twice.
                    let claim = sqlx::query(
                        "UPDATE orders SET status = 'expired', updated_at = $1
                         WHERE id = $2 AND status = 'awaiting_payment' AND stock_released = 0",
                    );
                    if Self::run(&mut tx, claim.bind(now).bind(order_id)).await? == 1 {
                        release_stock(&mut tx, order_id).await?;
                        release_discount(&mut tx, order_id).await?;
                        let parts = sqlx::query("UPDATE order_parts SET status = 'cancelled' WHERE order_id = $1");
                        Self::run(&mut tx, parts.bind(order_id)).await?;
                        let payment = sqlx::query(
                            "UPDATE payments SET status = 'failed', updated_at = $1 WHERE order_id = $2 AND status = 'pending'",
                        );
                        Self::run(&mut tx, payment.bind(now).bind(order_id)).await?;
                        released += 1;
                    }
                    tx.commit().await.map_err(map_sqlx)?;
                }
                Ok(released)
            }
        }

        /// The `outcome` label of a recorded answer: the payment's status, or `late` when the
        /// order had closed before it came.
        fn payment_outcome(status: app::domain::payment::PaymentStatus, recorded: &PaymentRecorded) -> &'static str {
            match recorded {
                PaymentRecorded::Applied => status.as_str(),
                PaymentRecorded::OrderClosed { .. } => "late",
            }
        }

        /// The gateway's answer in `tx` (committed by the caller).
        async fn record_payment_in(
            tx: &mut sqlx::Transaction<'static, $db>,
            u: &PaymentUpdate,
        ) -> Result<PaymentRecorded, StoreError> {
            // The order takes the answer only while it still waits for it: the sweeper may have
            // expired it (stock back on sale, discount use given back) while the gateway was
            // deciding. One conditional update in this transaction, so only one of them wins.
            // The order row is locked first, as `release_expired` does, so the two never
            // deadlock on PostgreSQL.
            let take =
                sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'awaiting_payment'");
            let taken = <$store>::run(tx, take.bind(u.order_status.as_str()).bind(u.now).bind(u.order_id)).await?;
            // What the gateway did is recorded either way: money it took on a closed order must
            // show on the payment until it is given back.
            insert_payment_events(tx, u.payment_id, &u.events).await?;
            let payment = sqlx::query(
                "UPDATE payments SET status = $1, captured_minor = $2, gateway_reference = $3, updated_at = $4
                 WHERE id = $5",
            )
            .bind(u.payment_status.as_str())
            .bind(u.captured_minor)
            .bind(u.gateway_reference.as_deref())
            .bind(u.now)
            .bind(u.payment_id);
            <$store>::run(tx, payment).await?;
            if taken == 0 {
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
                    .bind(u.order_id)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(map_sqlx)?;
                let status = status.as_deref().map(order_status).transpose()?;
                return Ok(PaymentRecorded::OrderClosed { status });
            }
            let parts = sqlx::query("UPDATE order_parts SET status = $1 WHERE order_id = $2");
            <$store>::run(tx, parts.bind(u.part_status.as_str()).bind(u.order_id)).await?;
            if u.release_stock {
                release_stock(tx, u.order_id).await?;
                release_discount(tx, u.order_id).await?;
            }
            record_claim(tx, &u.claim, None, Some(&u.outcome)).await?;
            Ok(PaymentRecorded::Applied)
        }

        /// Gives an order's reserved stock back, once: `stock_released` is flipped first.
        async fn release_stock(tx: &mut sqlx::Transaction<'static, $db>, order_id: i64) -> Result<(), StoreError> {
            let flip = sqlx::query("UPDATE orders SET stock_released = 1 WHERE id = $1 AND stock_released = 0");
            if <$store>::run(tx, flip.bind(order_id)).await? == 1 {
                // Parts cancelled one by one gave theirs back already (`stock_released`).
                let restock = sqlx::query(
                    "UPDATE product_variants SET stock = stock + (
                        SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_parts p ON p.id = l.part_id
                        WHERE p.order_id = $1 AND p.stock_released = 0 AND l.variant_id = product_variants.id)
                     WHERE id IN (SELECT l.variant_id FROM order_lines l JOIN order_parts p ON p.id = l.part_id
                        WHERE p.order_id = $1 AND p.stock_released = 0)",
                );
                <$store>::run(tx, restock.bind(order_id)).await?;
                let parts = sqlx::query("UPDATE order_parts SET stock_released = 1 WHERE order_id = $1");
                <$store>::run(tx, parts.bind(order_id)).await?;
            }
            Ok(())
        }

        async fn insert_payment_events(
            tx: &mut sqlx::Transaction<'static, $db>,
            payment_id: i64,
            events: &[app::domain::payment::PaymentEvent],
        ) -> Result<(), StoreError> {
            for e in events {
                let insert = sqlx::query(
                    "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                        idempotency_key, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(payment_id)
                .bind(e.kind.as_str())
                .bind(e.amount.minor)
                .bind(e.outcome.as_str())
                .bind(e.gateway_reference.as_deref())
                .bind(&e.idempotency_key)
                .bind(e.at);
                <$store>::run(tx, insert).await?;
            }
            Ok(())
        }

        /// Gives a declined or expired order's discount code use back, once: `discount_released`
        /// is flipped first, so two sweepers (or a sweeper and a late payment answer) return it
        /// once between them. Never below zero, whatever an operator did to the count meanwhile.
        async fn release_discount(tx: &mut sqlx::Transaction<'static, $db>, order_id: i64) -> Result<(), StoreError> {
            let flip = sqlx::query(
                "UPDATE orders SET discount_released = 1
                 WHERE id = $1 AND discount_released = 0 AND discount_code IS NOT NULL",
            );
            if <$store>::run(tx, flip.bind(order_id)).await? == 1 {
                let give_back = sqlx::query(
                    "UPDATE discount_codes SET times_used = times_used - 1
                     WHERE code = (SELECT discount_code FROM orders WHERE id = $1) AND times_used > 0",
                );
                <$store>::run(tx, give_back.bind(order_id)).await?;
            }
            Ok(())
        }
    };
}
