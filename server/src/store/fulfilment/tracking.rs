//! Carrier tracking events: what the service decides on, and its decision written only if neither
//! the shipment nor its part moved meanwhile.

macro_rules! fulfilment_tracking {
    ($store:ty, $db:ty) => {
        use app::domain::shipment::PartLine;
        use app::domain::tracking::Parcel;
        use app::services::fulfilment_store::{EventWrite, TrackingSnapshot, TrackingStore, TrackingWrite};

        #[async_trait::async_trait]
        impl TrackingStore for $store {
            async fn tracking_snapshot(
                &self,
                shipment_id: i64,
                carrier: &str,
            ) -> Result<Option<TrackingSnapshot>, StoreError> {
                // Versions first: whatever is read after them and changes meanwhile moves them,
                // and the write checks them.
                let Some((part_id, shipment_version)): Option<(i64, i64)> =
                    sqlx::query_as("SELECT part_id, version FROM shipments WHERE id = $1 AND carrier = $2")
                        .bind(shipment_id)
                        .bind(carrier)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let events = self.events_of(shipment_id).await?;
                let Some(part) = self.load_part(part_id).await? else {
                    return Ok(None);
                };
                let lines: Vec<PartLine> = part
                    .lines
                    .into_iter()
                    .map(|l| PartLine { line_id: l.line_id, title: l.title, quantity: l.quantity, done: l.shipped })
                    .collect();
                let parcels = sqlx::query("SELECT id, status, delivered_at FROM shipments WHERE part_id = $1 ORDER BY id");
                let parcels = self
                    .rows(parcels.bind(part_id))
                    .await?
                    .iter()
                    .map(|p| {
                        Ok(Parcel {
                            shipment_id: p.get("id"),
                            status: shipment_status(p.get::<&str, _>("status"))?,
                            delivered_at: p.get("delivered_at"),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                Ok(Some(TrackingSnapshot {
                    shipment_version,
                    events,
                    part_id,
                    part_version: part.version,
                    part_status: part.status,
                    lines,
                    parcels,
                }))
            }

            async fn record_tracking_event(&self, w: &TrackingWrite<'_>) -> Result<EventWrite, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // The shipment, then its part: the order in which every write here locks them.
                let shipment = sqlx::query(
                    "UPDATE shipments SET version = version + 1, status = $1, delivered_at = $2
                     WHERE id = $3 AND carrier = $4 AND version = $5",
                )
                .bind(w.status.as_str())
                .bind(w.delivered_at)
                .bind(w.shipment_id)
                .bind(w.carrier)
                .bind(w.shipment_version);
                if Self::run(&mut tx, shipment).await? == 0 {
                    return give_up(tx, EventWrite::Stale).await;
                }
                let event = w.event;
                let insert = sqlx::query(
                    "INSERT INTO tracking_events (shipment_id, carrier, event_id, kind, at, location, description, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (carrier, event_id) DO NOTHING",
                )
                .bind(w.shipment_id)
                .bind(w.carrier)
                .bind(&event.id)
                .bind(event.kind.as_str())
                .bind(event.at)
                .bind(event.location.as_deref())
                .bind(&event.description)
                .bind(w.now);
                if Self::run(&mut tx, insert).await? == 0 {
                    return give_up(tx, EventWrite::Duplicate).await;
                }
                // The part's version moves with every event, so the events of two parcels of one
                // part are decided one after the other (each sees the other's parcel arrive).
                let part = sqlx::query(
                    "UPDATE order_parts SET version = version + 1, status = COALESCE($1, status),
                        delivered_at = COALESCE($2, delivered_at)
                     WHERE id = $3 AND version = $4",
                )
                .bind(w.part.map(|p| p.status.as_str()))
                .bind(w.part.and_then(|p| p.delivered_at))
                .bind(w.part_id)
                .bind(w.part_version);
                if Self::run(&mut tx, part).await? == 0 {
                    return give_up(tx, EventWrite::Stale).await;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(EventWrite::Recorded)
            }
        }
    };
}
