//! Fulfilment SQL shared by SQLite and PostgreSQL, written once (see `sql_catalog`): shipments,
//! carrier tracking events, cancellations, refunds and returns.
//!
//! Concurrency: every change to a part after payment is a conditional update on the version the
//! service read (`… WHERE id = $1 AND version = $2`, rows affected checked), so two staff
//! shipping, cancelling or refunding the same part at once cannot both apply: the second is
//! told `Stale` and decides again on fresh data. Refunds are also bounded in SQL by the part's
//! total, each line's paid share and the payment's capture, whatever the caller computed.
//! PostgreSQL waits on the row lock and re-checks the condition; SQLite serialises writers with
//! `BEGIN IMMEDIATE`.

macro_rules! impl_sql_fulfilment {
    ($store:ty, $db:ty) => {
        use app::domain::carriers::Carrier;
        use app::domain::order::{PartEvent, PartStatus};
        use app::domain::shipment::{PartLine, ShipmentStatus, TrackingKind, advance_part};
        use app::domain::shipment_view::{PublicTracking, ShipmentView, TrackingEventView};
        use app::domain::tracking::{TrackingEvent, derive, timeline};
        use app::services::catalog_store::StoreError;
        use app::services::fulfilment_store::{
            Applied, FulfilmentStore, IdempotencyClaim, LineState, NewRefund, NewReturn, NewShipment,
            PartCancellation, PartState, PaymentState, RefundResult, RefundState, ReturnDecision, ReturnState,
            ShipmentRef, TrackingRecorded,
        };
        use sqlx::Row;
        use $crate::store::errors::map_sqlx;

        type Tx = sqlx::Transaction<'static, $db>;

        impl_idempotency_keys!($db);

        /// Claims the key of a write to `order_id`'s part, or says how to answer instead.
        async fn claim_part_write<T>(
            tx: &mut Tx,
            claim: Option<&IdempotencyClaim>,
            order_id: i64,
            now: i64,
        ) -> Result<Option<Applied<T>>, StoreError> {
            let Some(claim) = claim else { return Ok(None) };
            Ok(match claim_key(tx, claim, Some(order_id), now).await? {
                Claimed::New => None,
                Claimed::Repeat { outcome, .. } => Some(Applied::Repeat($crate::store::idempotency::outcome_id(outcome)?)),
                Claimed::Conflict => Some(Applied::Conflict),
            })
        }

        /// Records the id a write produced, for a retry with the same key.
        async fn set_outcome(tx: &mut Tx, claim: Option<&IdempotencyClaim>, id: i64) -> Result<(), StoreError> {
            match claim {
                Some(c) => record_claim(tx, c, None, Some(&id.to_string())).await,
                None => Ok(()),
            }
        }

        async fn order_of_part(tx: &mut Tx, part_id: i64) -> Result<Option<i64>, StoreError> {
            sqlx::query_scalar("SELECT order_id FROM order_parts WHERE id = $1")
                .bind(part_id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_sqlx)
        }

        /// Takes the part at `version` (bumping it), or says it moved on.
        async fn bump_version(tx: &mut Tx, part_id: i64, version: i64) -> Result<bool, StoreError> {
            let n = sqlx::query("UPDATE order_parts SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(part_id)
                .bind(version)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
            Ok(n == 1)
        }

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
            .bind(&r.kind)
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

        fn event_from_row(r: &<$db as sqlx::Database>::Row) -> Option<TrackingEvent> {
            Some(TrackingEvent {
                id: r.get("event_id"),
                kind: TrackingKind::parse(r.get::<&str, _>("kind"))?,
                at: r.get("at"),
                location: r.get("location"),
                description: r.get("description"),
            })
        }

        fn event_views(events: &[TrackingEvent]) -> Vec<TrackingEventView> {
            timeline(events)
                .into_iter()
                .map(|e| TrackingEventView {
                    kind: e.kind.as_str().to_string(),
                    label: e.kind.label().to_string(),
                    at: e.at,
                    location: e.location,
                    description: e.description,
                })
                .collect()
        }

        fn status_label(status: &str) -> String {
            ShipmentStatus::parse(status).map(|s| s.label().to_string()).unwrap_or_else(|| status.to_string())
        }

        fn carrier_link(code: &str, number: &str) -> (String, Option<String>) {
            match Carrier::parse(code) {
                Some(c) => (
                    c.name().to_string(),
                    c.validate_tracking_number(number).ok().and_then(|n| c.tracking_url(&n)),
                ),
                None => (code.to_string(), None),
            }
        }

        impl $store {
            /// The shipments of these parts, as (part id, view), oldest first.
            pub(crate) async fn shipments_of_parts(
                &self,
                part_ids: &[i64],
            ) -> Result<Vec<(i64, ShipmentView)>, StoreError> {
                let mut out = Vec::new();
                for part_id in part_ids {
                    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM shipments WHERE part_id = $1 ORDER BY id")
                        .bind(*part_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                    for id in ids {
                        if let Some(view) = self.load_shipment_view(id).await? {
                            out.push((*part_id, view));
                        }
                    }
                }
                Ok(out)
            }

            /// The returns of these parts, as (part id, view), oldest first.
            pub(crate) async fn returns_of_parts(
                &self,
                part_ids: &[i64],
            ) -> Result<Vec<(i64, app::domain::order_view::ReturnView)>, StoreError> {
                use app::domain::returns::ReturnStatus;
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
                        let status: String = r.get("status");
                        out.push((
                            *part_id,
                            app::domain::order_view::ReturnView {
                                id,
                                status_label: ReturnStatus::parse(&status)
                                    .map(|s| s.label().to_string())
                                    .unwrap_or_else(|| status.clone()),
                                status,
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

            async fn load_shipment_view(&self, id: i64) -> Result<Option<ShipmentView>, StoreError> {
                let Some(s) = sqlx::query("SELECT * FROM shipments WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                else {
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
                let events: Vec<TrackingEvent> = sqlx::query(
                    "SELECT event_id, kind, at, location, description FROM tracking_events WHERE shipment_id = $1",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?
                .iter()
                .filter_map(event_from_row)
                .collect();
                let carrier: String = s.get("carrier");
                let number: String = s.get("tracking_number");
                let status: String = s.get("status");
                let (carrier_name, tracking_url) = carrier_link(&carrier, &number);
                Ok(Some(ShipmentView {
                    id,
                    carrier,
                    carrier_name,
                    tracking_number: number,
                    tracking_url,
                    status_label: status_label(&status),
                    status,
                    token: s.get("token"),
                    lines,
                    events: event_views(&events),
                }))
            }

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
                let other_parts: Vec<String> =
                    sqlx::query_scalar("SELECT status FROM order_parts WHERE order_id = $1 AND id <> $2 ORDER BY id")
                        .bind(order_id)
                        .bind(part_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                let payment = sqlx::query(
                    "SELECT id, status, currency, amount_minor, captured_minor, refunded_minor, gateway_reference
                     FROM payments WHERE order_id = $1",
                )
                .bind(order_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?
                .map(|y| PaymentState {
                    id: y.get("id"),
                    status: y.get("status"),
                    currency: y.get("currency"),
                    amount_minor: y.get("amount_minor"),
                    captured_minor: y.get("captured_minor"),
                    refunded_minor: y.get("refunded_minor"),
                    gateway_reference: y.get("gateway_reference"),
                });
                Ok(Some(PartState {
                    part_id,
                    order_id,
                    order_number: p.get("number"),
                    merchant_id: p.get("merchant_id"),
                    user_id: p.get("user_id"),
                    status: p.get("status"),
                    version: p.get("version"),
                    currency: p.get("currency"),
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

            async fn load_refund(&self, filter: &str, id: i64) -> Result<Option<RefundState>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT r.*, y.gateway_reference AS charge_reference, y.currency
                     FROM refunds r JOIN payments y ON y.id = r.payment_id WHERE {filter} = $1 ORDER BY r.id DESC LIMIT 1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(row.map(|r| RefundState {
                    id: r.get("id"),
                    part_id: r.get("part_id"),
                    payment_id: r.get("payment_id"),
                    return_id: r.get("return_id"),
                    kind: r.get("kind"),
                    amount_minor: r.get("amount_minor"),
                    currency: r.get("currency"),
                    status: r.get("status"),
                    key: r.get("idempotency_key"),
                    charge_reference: r.get("charge_reference"),
                    gateway_reference: r.get("gateway_reference"),
                }))
            }
        }

        #[async_trait::async_trait]
        impl FulfilmentStore for $store {
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

            async fn record_tracking_event(
                &self,
                shipment_id: i64,
                carrier: &str,
                event: &TrackingEvent,
                now: i64,
            ) -> Result<TrackingRecorded, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // Locks the shipment (PostgreSQL) so its events fold one at a time.
                let part_id: Option<i64> = sqlx::query_scalar(
                    "UPDATE shipments SET version = version + 1 WHERE id = $1 AND carrier = $2 RETURNING part_id",
                )
                .bind(shipment_id)
                .bind(carrier)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let Some(part_id) = part_id else {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Err(StoreError::Invalid(format!("there is no {carrier} shipment #{shipment_id}")));
                };
                let inserted = sqlx::query(
                    "INSERT INTO tracking_events (shipment_id, carrier, event_id, kind, at, location, description, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (carrier, event_id) DO NOTHING",
                )
                .bind(shipment_id)
                .bind(carrier)
                .bind(&event.id)
                .bind(event.kind.as_str())
                .bind(event.at)
                .bind(event.location.as_deref())
                .bind(&event.description)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if inserted == 0 {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(TrackingRecorded::Duplicate);
                }
                let events: Vec<TrackingEvent> = sqlx::query(
                    "SELECT event_id, kind, at, location, description FROM tracking_events WHERE shipment_id = $1",
                )
                .bind(shipment_id)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .iter()
                .filter_map(event_from_row)
                .collect();
                let state = derive(&events);
                sqlx::query("UPDATE shipments SET status = $1, delivered_at = $2 WHERE id = $3")
                    .bind(state.status.as_str())
                    .bind(state.delivered_at)
                    .bind(shipment_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;

                // The part: locked, then advanced when every line left and every parcel arrived.
                let status: String = sqlx::query_scalar(
                    "UPDATE order_parts SET version = version WHERE id = $1 RETURNING status",
                )
                .bind(part_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let lines: Vec<PartLine> = sqlx::query(
                    "SELECT l.id, l.title, l.quantity,
                        CAST((SELECT COALESCE(SUM(sl.quantity), 0) FROM shipment_lines sl WHERE sl.line_id = l.id)
                            AS BIGINT) AS shipped
                     FROM order_lines l WHERE l.part_id = $1 ORDER BY l.id",
                )
                .bind(part_id)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .iter()
                .map(|l| PartLine {
                    line_id: l.get("id"),
                    title: l.get("title"),
                    quantity: l.get("quantity"),
                    done: l.get("shipped"),
                })
                .collect();
                let parcels: Vec<(String, Option<i64>)> =
                    sqlx::query_as("SELECT status, delivered_at FROM shipments WHERE part_id = $1")
                        .bind(part_id)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                let statuses: Vec<ShipmentStatus> =
                    parcels.iter().filter_map(|(s, _)| ShipmentStatus::parse(s)).collect();
                if let Some(current) = PartStatus::parse(&status) {
                    let next = advance_part(current, &lines, &statuses).unwrap_or(current);
                    if next != current {
                        let delivered_at = (next == PartStatus::Delivered)
                            .then(|| parcels.iter().filter_map(|(_, d)| *d).max())
                            .flatten();
                        sqlx::query(
                            "UPDATE order_parts SET status = $1, version = version + 1,
                                delivered_at = COALESCE($2, delivered_at) WHERE id = $3",
                        )
                        .bind(next.as_str())
                        .bind(delivered_at)
                        .bind(part_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                    }
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(TrackingRecorded::Applied { shipment_status: state.status.as_str().to_string() })
            }

            async fn public_tracking(&self, token: &str) -> Result<Option<PublicTracking>, StoreError> {
                let Some(s) = sqlx::query("SELECT id, carrier, tracking_number, status, version FROM shipments WHERE token = $1")
                    .bind(token)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let events: Vec<TrackingEvent> = sqlx::query(
                    "SELECT event_id, kind, at, location, description FROM tracking_events WHERE shipment_id = $1",
                )
                .bind(s.get::<i64, _>("id"))
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?
                .iter()
                .filter_map(event_from_row)
                .collect();
                let carrier: String = s.get("carrier");
                let number: String = s.get("tracking_number");
                let status: String = s.get("status");
                let (carrier_name, tracking_url) = carrier_link(&carrier, &number);
                Ok(Some(PublicTracking {
                    carrier_name,
                    tracking_number: number,
                    tracking_url,
                    status_label: status_label(&status),
                    status,
                    events: event_views(&events),
                    version: s.get("version"),
                }))
            }

            async fn open_shipments(&self, limit: i64) -> Result<Vec<ShipmentRef>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, carrier, tracking_number, status, token FROM shipments WHERE status <> 'delivered'
                     ORDER BY created_at, id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(rows
                    .iter()
                    .map(|r| ShipmentRef {
                        id: r.get("id"),
                        carrier: r.get("carrier"),
                        tracking_number: r.get("tracking_number"),
                        status: r.get("status"),
                        token: r.get("token"),
                    })
                    .collect())
            }

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

            async fn ship(&self, s: &NewShipment) -> Result<Applied<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some(order_id) = order_of_part(&mut tx, s.part_id).await? else {
                    return Ok(Applied::Stale);
                };
                if let Some(answer) = claim_part_write(&mut tx, s.claim.as_ref(), order_id, s.now).await? {
                    return Ok(answer);
                }
                let moved = sqlx::query(
                    "UPDATE order_parts SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
                )
                .bind(&s.part_status)
                .bind(s.part_id)
                .bind(s.expected_version)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if moved == 0 {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(Applied::Stale);
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
                for (line_id, quantity) in &s.lines {
                    sqlx::query("INSERT INTO shipment_lines (shipment_id, line_id, quantity) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(*line_id)
                        .bind(*quantity)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                }
                set_outcome(&mut tx, s.claim.as_ref(), id).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(id))
            }

            async fn set_part_status(
                &self,
                part_id: i64,
                expected_version: i64,
                from: &str,
                to: &str,
            ) -> Result<Applied<()>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let n = sqlx::query(
                    "UPDATE order_parts SET status = $1, version = version + 1
                     WHERE id = $2 AND version = $3 AND status = $4",
                )
                .bind(to)
                .bind(part_id)
                .bind(expected_version)
                .bind(from)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                tx.commit().await.map_err(map_sqlx)?;
                Ok(if n == 1 { Applied::Done(()) } else { Applied::Stale })
            }

            async fn cancel_part(&self, c: &PartCancellation) -> Result<Applied<Option<i64>>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some(order_id) = order_of_part(&mut tx, c.part_id).await? else {
                    return Ok(Applied::Stale);
                };
                if let Some(answer) = claim_part_write(&mut tx, c.claim.as_ref(), order_id, c.now).await? {
                    return Ok(answer);
                }
                let moved = sqlx::query(
                    "UPDATE order_parts SET status = 'cancelled', version = version + 1, cancelled_at = $1,
                        cancel_reason = $2
                     WHERE id = $3 AND version = $4 AND status IN ('awaiting_payment', 'paid', 'processing')",
                )
                .bind(c.now)
                .bind(&c.reason)
                .bind(c.part_id)
                .bind(c.expected_version)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if moved == 0 {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(Applied::Stale);
                }
                // The part's stock goes back once, unless the whole order's already did.
                let release = sqlx::query(
                    "UPDATE order_parts SET stock_released = 1 WHERE id = $1 AND stock_released = 0
                       AND (SELECT o.stock_released FROM orders o WHERE o.id = order_parts.order_id) = 0",
                )
                .bind(c.part_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if release == 1 {
                    sqlx::query(
                        "UPDATE product_variants SET stock = stock + (
                            SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l
                            WHERE l.part_id = $1 AND l.variant_id = product_variants.id), updated_at = $2
                         WHERE id IN (SELECT l.variant_id FROM order_lines l WHERE l.part_id = $1)",
                    )
                    .bind(c.part_id)
                    .bind(c.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                }
                sqlx::query(
                    "UPDATE orders SET status = 'cancelled', updated_at = $2 WHERE id = $1
                       AND NOT EXISTS (SELECT 1 FROM order_parts p WHERE p.order_id = $1 AND p.status <> 'cancelled')",
                )
                .bind(order_id)
                .bind(c.now)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let refund_id = match &c.refund {
                    Some(r) => match reserve_refund_tx(&mut tx, r, c.now).await? {
                        Some(id) => Some(id),
                        None => {
                            tx.rollback().await.map_err(map_sqlx)?;
                            return Ok(Applied::Stale);
                        }
                    },
                    None => None,
                };
                set_outcome(&mut tx, c.claim.as_ref(), refund_id.unwrap_or(0)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(refund_id))
            }

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
                let status = if result.approved { "succeeded" } else { "failed" };
                let done = sqlx::query(
                    "UPDATE refunds SET status = $1, gateway_reference = $2, completed_at = $3
                     WHERE id = $4 AND status = 'pending'",
                )
                .bind(status)
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
                    let (part_status, total, refunded): (String, i64, i64) = sqlx::query_as(
                        "SELECT status, total_minor, CAST((SELECT COALESCE(SUM(f.amount_minor), 0) FROM refunds f
                            WHERE f.part_id = order_parts.id AND f.status = 'succeeded') AS BIGINT)
                         FROM order_parts WHERE id = $1",
                    )
                    .bind(part_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    let settled = PartStatus::parse(&part_status)
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

            async fn record_void(
                &self,
                payment_id: i64,
                amount_minor: i64,
                reference: Option<&str>,
                key: &str,
                now: i64,
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let n = sqlx::query(
                    "UPDATE payments SET status = 'voided', updated_at = $1 WHERE id = $2 AND status = 'authorized'",
                )
                .bind(now)
                .bind(payment_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if n == 1 {
                    sqlx::query(
                        "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                            idempotency_key, at) VALUES ($1, 'void', $2, 'succeeded', $3, $4, $5)",
                    )
                    .bind(payment_id)
                    .bind(amount_minor)
                    .bind(reference)
                    .bind(key)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)
            }

            async fn request_return(&self, r: &NewReturn) -> Result<Applied<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if !bump_version(&mut tx, r.part_id, r.expected_version).await? {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(Applied::Stale);
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
                for (line_id, quantity) in &r.lines {
                    sqlx::query("INSERT INTO return_lines (return_id, line_id, quantity) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(*line_id)
                        .bind(*quantity)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Applied::Done(id))
            }

            async fn return_state(&self, return_id: i64) -> Result<Option<ReturnState>, StoreError> {
                let Some(r) = sqlx::query(
                    "SELECT r.*, p.merchant_id, o.number FROM returns r JOIN order_parts p ON p.id = r.part_id
                     JOIN orders o ON o.id = p.order_id WHERE r.id = $1",
                )
                .bind(return_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?
                else {
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
                    status: r.get("status"),
                    reason: r.get("reason"),
                    rejection_reason: r.get("rejection_reason"),
                    lines,
                    requested_at: r.get("requested_at"),
                }))
            }

            async fn decide_return(&self, d: &ReturnDecision) -> Result<bool, StoreError> {
                let decided = matches!(d.to.as_str(), "approved" | "rejected").then_some(d.now);
                let received = (d.to == "received").then_some(d.now);
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // The part first, as every other write locks it (no lock-order cycles); its version
                // moves because what is left to return changes (a rejection frees the items).
                sqlx::query(
                    "UPDATE order_parts SET version = version + 1 WHERE id = (SELECT part_id FROM returns WHERE id = $1)",
                )
                .bind(d.return_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let n = sqlx::query(
                    "UPDATE returns SET status = $1, rejection_reason = COALESCE($2, rejection_reason),
                        decided_at = COALESCE($3, decided_at), received_at = COALESCE($4, received_at)
                     WHERE id = $5 AND status = $6",
                )
                .bind(&d.to)
                .bind(d.rejection_reason.as_deref())
                .bind(decided)
                .bind(received)
                .bind(d.return_id)
                .bind(&d.from)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if n == 0 {
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(false);
                }
                if d.restock {
                    sqlx::query(
                        "UPDATE product_variants SET stock = stock + (
                            SELECT COALESCE(SUM(rl.quantity), 0) FROM return_lines rl JOIN order_lines l ON l.id = rl.line_id
                            WHERE rl.return_id = $1 AND l.variant_id = product_variants.id), updated_at = $2
                         WHERE id IN (SELECT l.variant_id FROM return_lines rl JOIN order_lines l ON l.id = rl.line_id
                            WHERE rl.return_id = $1)",
                    )
                    .bind(d.return_id)
                    .bind(d.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(true)
            }

            async fn shipment_view(&self, shipment_id: i64) -> Result<Option<ShipmentView>, StoreError> {
                self.load_shipment_view(shipment_id).await
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
