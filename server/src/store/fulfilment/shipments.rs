//! Shipments: recorded with their lines as the part moves on, and read back with their events.

macro_rules! fulfilment_shipments {
    ($store:ty, $db:ty) => {
        use app::services::fulfilment_store::{NewShipment, ShipmentRecord, ShipmentRef, ShipmentStore};

        impl $store {
            /// The shipments of these parts, as (part id, shipment), oldest first.
            pub(crate) async fn shipments_of_parts(
                &self,
                part_ids: &[i64],
            ) -> Result<Vec<(i64, ShipmentRecord)>, StoreError> {
                let mut out = Vec::new();
                for part_id in part_ids {
                    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM shipments WHERE part_id = $1 ORDER BY id")
                        .bind(*part_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                    for id in ids {
                        if let Some(shipment) = self.load_shipment(id).await? {
                            out.push((*part_id, shipment));
                        }
                    }
                }
                Ok(out)
            }

            async fn load_shipment(&self, id: i64) -> Result<Option<ShipmentRecord>, StoreError> {
                let Some(s) = self.find(sqlx::query("SELECT * FROM shipments WHERE id = $1").bind(id)).await? else {
                    return Ok(None);
                };
                let lines: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT l.title, sl.quantity FROM shipment_lines sl JOIN order_lines l ON l.id = sl.line_id
                     WHERE sl.shipment_id = $1 ORDER BY l.id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(Some(ShipmentRecord {
                    id,
                    carrier: s.get("carrier"),
                    tracking_number: s.get("tracking_number"),
                    status: shipment_status(s.get::<&str, _>("status"))?,
                    token: s.get("token"),
                    lines,
                    events: self.events_of(id).await?,
                    version: s.get("version"),
                }))
            }
        }

        #[async_trait::async_trait]
        impl ShipmentStore for $store {
            async fn shipment_by_tracking(
                &self,
                carrier: &str,
                tracking_number: &str,
            ) -> Result<Option<i64>, StoreError> {
                sqlx::query_scalar("SELECT id FROM shipments WHERE carrier = $1 AND tracking_number = $2")
                    .bind(carrier)
                    .bind(tracking_number)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)
            }

            async fn open_shipments(&self, limit: i64) -> Result<Vec<ShipmentRef>, StoreError> {
                let open = sqlx::query(
                    "SELECT id, carrier, tracking_number, status, token FROM shipments WHERE status <> 'delivered'
                     ORDER BY created_at, id LIMIT $1",
                );
                self.rows(open.bind(limit))
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(ShipmentRef {
                            id: r.get("id"),
                            carrier: r.get("carrier"),
                            tracking_number: r.get("tracking_number"),
                            status: shipment_status(r.get::<&str, _>("status"))?,
                            token: r.get("token"),
                        })
                    })
                    .collect()
            }

            async fn ship(&self, s: &NewShipment) -> Result<Applied<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some(order_id) = order_of_part(&mut tx, s.part_id).await? else {
                    return Ok(Applied::Stale);
                };
                if let Some(answer) = claim_part_write(&mut tx, s.claim.as_ref(), order_id, s.now).await? {
                    return Ok(answer);
                }
                let part = sqlx::query(
                    "UPDATE order_parts SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
                );
                if Self::run(&mut tx, part.bind(s.part_status.as_str()).bind(s.part_id).bind(s.expected_version))
                    .await?
                    == 0
                {
                    return give_up(tx, Applied::Stale).await;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO shipments (part_id, carrier, tracking_number, status, token, created_at)
                     VALUES ($1, $2, $3, 'label_created', $4, $5) RETURNING id",
                )
                .bind(s.part_id)
                .bind(&s.carrier)
                .bind(&s.tracking_number)
                .bind(&s.token)
                .bind(s.now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                insert_lines(&mut tx, "shipment_lines", "shipment_id", id, &s.lines).await?;
                set_outcome(&mut tx, s.claim.as_ref(), id).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(id))
            }

            async fn shipment(&self, shipment_id: i64) -> Result<Option<ShipmentRecord>, StoreError> {
                self.load_shipment(shipment_id).await
            }

            async fn shipment_by_token(&self, token: &str) -> Result<Option<ShipmentRecord>, StoreError> {
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM shipments WHERE token = $1")
                    .bind(token)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                match id {
                    Some(id) => self.load_shipment(id).await,
                    None => Ok(None),
                }
            }

            async fn order_of_shipment(&self, shipment_id: i64) -> Result<Option<String>, StoreError> {
                sqlx::query_scalar(
                    "SELECT o.number FROM shipments s JOIN order_parts p ON p.id = s.part_id
                     JOIN orders o ON o.id = p.order_id WHERE s.id = $1",
                )
                .bind(shipment_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)
            }
        }
    };
}
