//! The one idempotency claim against `idempotency_keys`, for every retried write (checkout,
//! payment outcomes, shipping, cancelling, refunding).
//!
//! A write claims its key inside its own transaction, before it changes anything: the insert
//! either takes the key (`New`: do the work and record its outcome, in the same transaction or, for
//! a checkout waiting on the payment gateway, a later one of the same request) or finds it taken. Taken with the same fingerprint is a retry (`Repeat`: answer with what the
//! first request recorded, write nothing); with another fingerprint the key is being reused for a
//! different request (`Conflict`). Because the claim and the work commit together, a request that
//! failed half-way leaves no claim behind, and two concurrent requests with one key cannot both
//! see `New`: the second waits on the first's row (PostgreSQL) or on the write lock (SQLite's
//! `BEGIN IMMEDIATE`).
//!
//! `impl_idempotency_keys!($db)` writes the functions below into the adapter module that needs
//! them (as the other adapters are written once for both engines).

/// What the key's row said when a write tried to claim it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claimed {
    /// The key is this request's now.
    New,
    /// The same request again: the order the first one wrote (if it got that far) and the
    /// outcome it recorded (once known).
    Repeat { order_id: Option<i64>, outcome: Option<String> },
    /// The key was used for a different request.
    Conflict,
}

/// The id a write recorded as its outcome, for replaying it to a retry.
pub(crate) fn outcome_id(outcome: Option<String>) -> Result<i64, app::services::catalog_store::StoreError> {
    use app::services::catalog_store::StoreError;
    match outcome {
        Some(outcome) => {
            outcome.parse().map_err(|_| StoreError::Other(format!("idempotency outcome {outcome:?} is not an id")))
        }
        None => Err(StoreError::Other("an idempotency key was claimed without an outcome".into())),
    }
}

macro_rules! impl_idempotency_keys {
    ($db:ty) => {
        use $crate::store::idempotency::Claimed;

        /// Claims `claim`'s key in the write's transaction `tx` (see the module comment);
        /// `order_id` ties it to the order it concerns when that is known already.
        async fn claim_key(
            tx: &mut sqlx::Transaction<'static, $db>,
            claim: &app::domain::idempotency::IdempotencyClaim,
            order_id: Option<i64>,
            now: i64,
        ) -> Result<Claimed, app::services::catalog_store::StoreError> {
            use app::services::catalog_store::StoreError;
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, order_id, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (scope, key) DO NOTHING",
            )
            .bind(&claim.scope)
            .bind(&claim.key)
            .bind(&claim.fingerprint)
            .bind(order_id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err($crate::store::errors::map_sqlx)?
            .rows_affected();
            if claimed == 1 {
                return Ok(Claimed::New);
            }
            let seen: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
                "SELECT fingerprint, order_id, outcome FROM idempotency_keys WHERE scope = $1 AND key = $2",
            )
            .bind(&claim.scope)
            .bind(&claim.key)
            .fetch_optional(&mut **tx)
            .await
            .map_err($crate::store::errors::map_sqlx)?;
            match seen {
                Some((fingerprint, order_id, outcome)) if fingerprint == claim.fingerprint => {
                    Ok(Claimed::Repeat { order_id, outcome })
                }
                Some(_) => Ok(Claimed::Conflict),
                None => Err(StoreError::Other("an idempotency key vanished while it was checked".into())),
            }
        }

        /// Records, under a claimed key, the order its write created and the outcome a retry
        /// with the same key will be answered with (either may come first; `None` keeps what is
        /// there).
        async fn record_claim(
            tx: &mut sqlx::Transaction<'static, $db>,
            claim: &app::domain::idempotency::IdempotencyClaim,
            order_id: Option<i64>,
            outcome: Option<&str>,
        ) -> Result<(), app::services::catalog_store::StoreError> {
            sqlx::query(
                "UPDATE idempotency_keys SET order_id = COALESCE($1, order_id), outcome = COALESCE($2, outcome)
                 WHERE scope = $3 AND key = $4",
            )
            .bind(order_id)
            .bind(outcome)
            .bind(&claim.scope)
            .bind(&claim.key)
            .execute(&mut **tx)
            .await
            .map_err($crate::store::errors::map_sqlx)?;
            Ok(())
        }
    };
}

#[cfg(test)]
mod tests {
    use super::outcome_id;

    #[test]
    fn an_outcome_replays_as_the_id_it_recorded() {
        assert_eq!(outcome_id(Some("42".into())).unwrap(), 42);
        assert!(outcome_id(Some("{\"order\":1}".into())).is_err());
        assert!(outcome_id(None).is_err());
    }
}
