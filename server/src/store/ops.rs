//! What the operator's endpoints read (`/readyz`, `/metrics`): a round trip, whether a migration
//! is recorded, the outbox's backlog and the pool's use. Loads only; `health` and
//! `observability` decide what the numbers mean.
use super::Database;

/// The connection pool's use at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open now (busy or idle).
    pub open: u32,
    pub idle: u32,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub max: u32,
}

impl PoolUse {
    pub fn in_use(&self) -> u32 {
        self.open.saturating_sub(self.idle)
    }
}

impl Database {
    /// `SELECT 1`: the database answers.
    pub async fn ping(&self) -> Result<(), String> {
        let result = match self {
            Database::Sqlite(s) => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&s.pool).await.map(drop),
            Database::Postgres(s) => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&s.pool).await.map(drop),
        };
        result.map_err(|e| e.to_string())
    }

    /// The newest migration this build has for the database's engine.
    pub fn latest_known_migration(&self) -> i64 {
        let list = match self {
            Database::Sqlite(_) => super::migrate::SQLITE,
            Database::Postgres(_) => super::migrate::POSTGRES,
        };
        list.last().map_or(0, |m| m.version)
    }

    /// Whether `schema_migrations` records `version` (an error when the table is missing).
    pub async fn migration_applied(&self, version: i64) -> Result<bool, String> {
        const SQL: &str = "SELECT COUNT(*) FROM schema_migrations WHERE version = $1";
        let result = match self {
            Database::Sqlite(s) => sqlx::query_scalar::<_, i64>(SQL).bind(version).fetch_one(&s.pool).await,
            Database::Postgres(s) => sqlx::query_scalar::<_, i64>(SQL).bind(version).fetch_one(&s.pool).await,
        };
        result.map(|n| n > 0).map_err(|e| e.to_string())
    }

    /// Messages waiting to be sent (queued, or claimed by a sender and not yet done). The
    /// condition is the `outbox_due` partial index's, so the count reads that index only, never
    /// the sent history.
    pub async fn outbox_backlog(&self) -> Result<i64, String> {
        const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')";
        let result = match self {
            Database::Sqlite(s) => sqlx::query_scalar::<_, i64>(SQL).fetch_one(&s.pool).await,
            Database::Postgres(s) => sqlx::query_scalar::<_, i64>(SQL).fetch_one(&s.pool).await,
        };
        result.map_err(|e| e.to_string())
    }

    /// The request pool's use (SQLite's one-connection write pool is not counted: its queue is
    /// the group-commit writer's).
    pub fn pool_use(&self) -> PoolUse {
        fn of<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolUse {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            PoolUse { open: pool.size(), idle, max: pool.options().get_max_connections() }
        }
        match self {
            Database::Sqlite(s) => of(&s.pool),
            Database::Postgres(s) => of(&s.pool),
        }
    }
}
