//! The migration runner, written once for both engines (a macro like the subjects' SQL): it takes
//! the engine's migration lock, reads what `schema_migrations` records, lets `pending` decide what
//! to run, and applies each migration in its own transaction with its checksum. Each store type
//! provides `MIGRATIONS`, `lock_migrations()` and `unlock_migrations()`.

macro_rules! impl_migration_runner {
    ($store:ty, $engine:literal) => {
        use sqlx::Row;

        impl $store {
            /// Applies pending migrations in order, each in its own transaction.
            pub async fn migrate(&self) -> Result<usize, String> {
                use $crate::store::migrate::{CREATE_TABLE, checksum, pending};
                let fail = |e: sqlx::Error| format!("migrating the {} database failed: {e}", $engine);
                let mut lock = self.lock_migrations().await.map_err(fail)?;
                sqlx::query(CREATE_TABLE).execute(&mut *lock).await.map_err(fail)?;
                let applied: Vec<(i64, String)> =
                    sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
                        .fetch_all(&mut *lock)
                        .await
                        .map_err(fail)?
                        .iter()
                        .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
                        .collect();
                let todo = pending(Self::MIGRATIONS, &applied)?;
                for m in &todo {
                    let mut tx = sqlx::Connection::begin(&mut *lock).await.map_err(fail)?;
                    sqlx::raw_sql(m.sql)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| format!("migration {} ({}) failed on {}: {e}", m.version, m.name, $engine))?;
                    sqlx::query(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(m.version)
                    .bind(m.name)
                    .bind(checksum(m.sql))
                    .bind(app::services::clock::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(fail)?;
                    tx.commit().await.map_err(fail)?;
                    tracing::info!(version = m.version, name = m.name, engine = $engine, "applied migration");
                }
                self.unlock_migrations(lock).await.map_err(fail)?;
                Ok(todo.len())
            }
        }
    };
}
