//! Fulfilment SQL shared by SQLite and PostgreSQL, written once (see `sql_catalog`), by subject:
//! the part itself (`parts`), shipments, carrier tracking events, cancellations, refunds and
//! returns. `impl_sql_fulfilment!` writes every subject into one adapter module, so the helpers
//! below are shared by all of them.
//!
//! Concurrency: every change to a part after payment is a conditional update on the version the
//! service read (`… WHERE id = $1 AND version = $2`, rows affected checked), so two staff
//! shipping, cancelling or refunding the same part at once cannot both apply: the second is
//! told `Stale` and decides again on fresh data. Refunds are also bounded in SQL by the part's
//! total, each line's paid share and the payment's capture, whatever the caller computed.
//! PostgreSQL waits on the row lock and re-checks the condition; SQLite serialises writers with
//! `BEGIN IMMEDIATE` (`store::statements`). Statuses and currencies are parsed into the domain's types
//! here, once; a value the domain does not know is reported as bad data.
#[macro_use]
mod cancellations;
#[macro_use]
mod parts;
#[macro_use]
mod refunds;
#[macro_use]
mod returns;
#[macro_use]
mod shipments;
#[macro_use]
mod tracking;

macro_rules! impl_sql_fulfilment {
    ($store:ty, $db:ty) => {
        use app::domain::idempotency::IdempotencyClaim;
        use app::domain::order::PartStatus;
        use app::domain::shipment::{ShipmentStatus, TrackingKind};
        use app::domain::tracking::TrackingEvent;
        use app::services::catalog_store::StoreError;
        use app::services::fulfilment_store::Applied;
        use sqlx::Row;
        use $crate::store::errors::{currency as stored_currency, map_sqlx, parsed};

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
                Claimed::Repeat { outcome, .. } => {
                    Some(Applied::Repeat($crate::store::idempotency::outcome_id(outcome)?))
                }
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

        /// Ends a write whose condition no longer held (the part moved on, the event was seen):
        /// nothing it did stays, and the caller answers with `answer`.
        async fn give_up<T>(tx: Tx, answer: T) -> Result<T, StoreError> {
            tx.rollback().await.map_err(map_sqlx)?;
            Ok(answer)
        }

        /// Writes which order lines, and how many of each, a shipment or a return (`owner`, its
        /// id column in `table`) holds.
        async fn insert_lines(
            tx: &mut Tx,
            table: &str,
            owner: &str,
            id: i64,
            lines: &[(i64, i64)],
        ) -> Result<(), StoreError> {
            let sql = format!("INSERT INTO {table} ({owner}, line_id, quantity) VALUES ($1, $2, $3)");
            for (line_id, quantity) in lines {
                <$store>::run(tx, sqlx::query(&sql).bind(id).bind(*line_id).bind(*quantity)).await?;
            }
            Ok(())
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
            let bump = sqlx::query("UPDATE order_parts SET version = version + 1 WHERE id = $1 AND version = $2");
            Ok(<$store>::run(tx, bump.bind(part_id).bind(version)).await? == 1)
        }

        fn event_from_row(r: &<$db as sqlx::Database>::Row) -> Result<TrackingEvent, StoreError> {
            let kind: &str = r.get("kind");
            Ok(TrackingEvent {
                id: r.get("event_id"),
                kind: parsed("tracking event kind", kind, TrackingKind::parse(kind))?,
                at: r.get("at"),
                location: r.get("location"),
                description: r.get("description"),
            })
        }

        fn part_status(raw: &str) -> Result<PartStatus, StoreError> {
            parsed("order part status", raw, PartStatus::parse(raw))
        }

        fn shipment_status(raw: &str) -> Result<ShipmentStatus, StoreError> {
            parsed("shipment status", raw, ShipmentStatus::parse(raw))
        }

        impl $store {
            /// A shipment's carrier events, as received.
            async fn events_of(&self, shipment_id: i64) -> Result<Vec<TrackingEvent>, StoreError> {
                let events = sqlx::query(
                    "SELECT event_id, kind, at, location, description FROM tracking_events WHERE shipment_id = $1",
                );
                self.rows(events.bind(shipment_id)).await?.iter().map(event_from_row).collect()
            }
        }

        fulfilment_parts!($store, $db);
        fulfilment_shipments!($store, $db);
        fulfilment_tracking!($store, $db);
        fulfilment_cancellations!($store, $db);
        fulfilment_refunds!($store, $db);
        fulfilment_returns!($store, $db);
    };
}
