//! Returns: asked for by the shopper, decided and received by the store (restocking the items).

macro_rules! fulfilment_returns {
    ($store:ty, $db:ty) => {
        use app::domain::returns::ReturnStatus;
        use app::services::fulfilment_store::{NewReturn, ReturnDecision, ReturnRecord, ReturnState, ReturnStore};

        fn return_status(raw: &str) -> Result<ReturnStatus, StoreError> {
            parsed("return status", raw, ReturnStatus::parse(raw))
        }

        impl $store {
            /// The returns of these parts, as (part id, return), oldest first.
            pub(crate) async fn returns_of_parts(
                &self,
                part_ids: &[i64],
            ) -> Result<Vec<(i64, ReturnRecord)>, StoreError> {
                let mut out = Vec::new();
                for part_id in part_ids {
                    let rows = sqlx::query("SELECT * FROM returns WHERE part_id = $1 ORDER BY id")
                        .bind(*part_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                    for r in rows {
                        let id: i64 = r.get("id");
                        let lines: Vec<(String, i64)> = sqlx::query_as(
                            "SELECT l.title, rl.quantity FROM return_lines rl JOIN order_lines l ON l.id = rl.line_id
                             WHERE rl.return_id = $1 ORDER BY l.id",
                        )
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                        out.push((
                            *part_id,
                            ReturnRecord {
                                id,
                                status: return_status(r.get::<&str, _>("status"))?,
                                reason: r.get("reason"),
                                rejection_reason: r.get("rejection_reason"),
                                lines,
                                requested_at: r.get("requested_at"),
                            },
                        ));
                    }
                }
                Ok(out)
            }
        }

        #[async_trait::async_trait]
        impl ReturnStore for $store {
            async fn request_return(&self, r: &NewReturn) -> Result<Applied<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if !bump_version(&mut tx, r.part_id, r.expected_version).await? {
                    return give_up(tx, Applied::Stale).await;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO returns (part_id, status, reason, requested_at) VALUES ($1, 'requested', $2, $3) RETURNING id",
                )
                .bind(r.part_id)
                .bind(&r.reason)
                .bind(r.now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                insert_lines(&mut tx, "return_lines", "return_id", id, &r.lines).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(id))
            }

            async fn return_state(&self, return_id: i64) -> Result<Option<ReturnState>, StoreError> {
                let state = sqlx::query(
                    "SELECT r.*, p.merchant_id, o.number FROM returns r JOIN order_parts p ON p.id = r.part_id
                     JOIN orders o ON o.id = p.order_id WHERE r.id = $1",
                );
                let Some(r) = self.find(state.bind(return_id)).await? else {
                    return Ok(None);
                };
                let lines: Vec<(i64, i64)> =
                    sqlx::query_as("SELECT line_id, quantity FROM return_lines WHERE return_id = $1 ORDER BY line_id")
                        .bind(return_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                Ok(Some(ReturnState {
                    id: return_id,
                    part_id: r.get("part_id"),
                    merchant_id: r.get("merchant_id"),
                    order_number: r.get("number"),
                    status: return_status(r.get::<&str, _>("status"))?,
                    reason: r.get("reason"),
                    rejection_reason: r.get("rejection_reason"),
                    lines,
                    requested_at: r.get("requested_at"),
                }))
            }

            async fn decide_return(&self, d: &ReturnDecision) -> Result<bool, StoreError> {
                let decided = matches!(d.to, ReturnStatus::Approved | ReturnStatus::Rejected).then_some(d.now);
                let received = (d.to == ReturnStatus::Received).then_some(d.now);
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // The part first, as every other write locks it (no lock-order cycles); its version
                // moves because what is left to return changes (a rejection frees the items).
                let part =
                    sqlx::query("UPDATE order_parts SET version = version + 1 WHERE id = (SELECT part_id FROM returns WHERE id = $1)");
                Self::run(&mut tx, part.bind(d.return_id)).await?;
                let decide = sqlx::query(
                    "UPDATE returns SET status = $1, rejection_reason = COALESCE($2, rejection_reason),
                        decided_at = COALESCE($3, decided_at), received_at = COALESCE($4, received_at)
                     WHERE id = $5 AND status = $6",
                )
                .bind(d.to.as_str())
                .bind(d.rejection_reason.as_deref())
                .bind(decided)
                .bind(received)
                .bind(d.return_id)
                .bind(d.from.as_str());
                if Self::run(&mut tx, decide).await? == 0 {
                    return give_up(tx, false).await;
                }
                if d.restock {
                    let restock = sqlx::query(
                        "UPDATE product_variants SET stock = stock + (
                            SELECT COALESCE(SUM(rl.quantity), 0) FROM return_lines rl JOIN order_lines l ON l.id = rl.line_id
                            WHERE rl.return_id = $1 AND l.variant_id = product_variants.id), updated_at = $2
                         WHERE id IN (SELECT l.variant_id FROM return_lines rl JOIN order_lines l ON l.id = rl.line_id
                            WHERE rl.return_id = $1)",
                    );
                    Self::run(&mut tx, restock.bind(d.return_id).bind(d.now)).await?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(true)
            }
        }
    };
}
