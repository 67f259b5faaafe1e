//! SQLite: one file, WAL, the embedded default.
use super::migrate::{self, Migration};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    const MIGRATIONS: &'static [Migration] = migrate::SQLITE;

    pub async fn connect(url: &str, max_connections: u32) -> Result<SqliteStore, String> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("DATABASE_URL {url:?} is not a valid SQLite URL: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed order survives a power cut, not only a crash of the process.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let path = options.get_filename().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                format!(
                    "cannot create the folder {} for the SQLite database: {e}; set DATABASE_URL to a writable path",
                    parent.display()
                )
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| {
                format!("cannot open the SQLite database {}: {e}; set DATABASE_URL to a writable path", path.display())
            })?;
        Ok(SqliteStore { pool })
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front; a deferred transaction that reads and
    /// then writes fails with SQLITE_BUSY when another writer commits in between.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// SQLite serialises writers itself; each migration runs in its own transaction.
    async fn lock_migrations(&self) -> Result<PoolConnection<Sqlite>, sqlx::Error> {
        self.pool.acquire().await
    }

    async fn unlock_migrations(&self, _conn: PoolConnection<Sqlite>) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

mod catalog_sql {
    impl_sql_catalog!(super::SqliteStore, sqlx::Sqlite, "sqlite");
}

mod accounts_sql {
    impl_sql_accounts!(super::SqliteStore, sqlx::Sqlite);
}
