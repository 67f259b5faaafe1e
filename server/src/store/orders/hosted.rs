//! Payments taken on a provider's hosted page: the session recorded while the shopper is on it,
//! its settlement applied once (claimed under the session's own idempotency key, in the same
//! transaction as `record_payment`'s writes), and the provider's webhook events remembered.

macro_rules! orders_hosted {
    ($store:ty, $db:ty) => {
        use app::services::order_store::{HostedPaymentRow, HostedPayments};

        /// The scope under which a hosted session's settlement is claimed (key: the session id).
        const SETTLEMENT_SCOPE: &str = "hosted-settlement";

        #[async_trait::async_trait]
        impl HostedPayments for $store {
            async fn record_next_action(
                &self,
                payment_id: i64,
                session: &str,
                claim: &IdempotencyClaim,
                outcome: &str,
                now: i64,
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let payment = sqlx::query(
                    "UPDATE payments SET gateway_reference = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
                );
                Self::run(&mut tx, payment.bind(session).bind(now).bind(payment_id)).await?;
                record_claim(&mut tx, claim, None, Some(outcome)).await?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn hosted_payment(&self, number: &str) -> Result<Option<HostedPaymentRow>, StoreError> {
                let row = sqlx::query(
                    "SELECT o.id AS order_id, p.id AS payment_id, o.status AS order_status, p.status AS payment_status,
                            p.amount_minor, p.currency, p.gateway_reference, o.email, o.user_id,
                            (SELECT k.key FROM idempotency_keys k WHERE k.scope = 'checkout' AND k.order_id = o.id
                             LIMIT 1) AS checkout_key
                     FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.number = $1",
                )
                .bind(number)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let Some(r) = row else { return Ok(None) };
                let payment_status: String = r.try_get("payment_status").map_err(map_sqlx)?;
                let order: String = r.try_get("order_status").map_err(map_sqlx)?;
                let code: String = r.try_get("currency").map_err(map_sqlx)?;
                Ok(Some(HostedPaymentRow {
                    order_id: r.try_get("order_id").map_err(map_sqlx)?,
                    payment_id: r.try_get("payment_id").map_err(map_sqlx)?,
                    order_status: order_status(&order)?,
                    payment_status: parsed(
                        "payment status",
                        &payment_status,
                        app::domain::payment::PaymentStatus::parse(&payment_status),
                    )?,
                    amount_minor: r.try_get("amount_minor").map_err(map_sqlx)?,
                    currency: currency(&code)?,
                    reference: r.try_get("gateway_reference").map_err(map_sqlx)?,
                    email: r.try_get("email").map_err(map_sqlx)?,
                    user_id: r.try_get("user_id").map_err(map_sqlx)?,
                    checkout_key: r.try_get("checkout_key").map_err(map_sqlx)?,
                }))
            }

            async fn settle_hosted(
                &self,
                session: &str,
                update: &PaymentUpdate,
            ) -> Result<Option<PaymentRecorded>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let claim = IdempotencyClaim {
                    scope: SETTLEMENT_SCOPE.into(),
                    key: session.into(),
                    fingerprint: "settled".into(),
                };
                // The second of two racing settlements waits on the first's claim row
                // (PostgreSQL) or the write lock (SQLite), then finds it taken.
                match claim_key(&mut tx, &claim, Some(update.order_id), update.now).await? {
                    Claimed::New => {}
                    Claimed::Repeat { .. } | Claimed::Conflict => return Ok(None),
                }
                let recorded = record_payment_in(&mut tx, update).await?;
                tx.commit().await.map_err(map_sqlx)?;
                crate::observability::payment_recorded(payment_outcome(update.payment_status, &recorded));
                Ok(Some(recorded))
            }

            async fn provider_event_seen(&self, provider: &str, event_id: &str) -> Result<bool, StoreError> {
                let seen: Option<i64> = sqlx::query_scalar(
                    "SELECT created_at FROM idempotency_keys WHERE scope = $1 AND key = $2",
                )
                .bind(format!("webhook:{provider}"))
                .bind(event_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(seen.is_some())
            }

            async fn remember_provider_event(&self, provider: &str, event_id: &str, now: i64) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let claim =
                    IdempotencyClaim { scope: format!("webhook:{provider}"), key: event_id.into(), fingerprint: "seen".into() };
                claim_key(&mut tx, &claim, None, now).await?;
                tx.commit().await.map_err(map_sqlx)
            }
        }
    };
}
