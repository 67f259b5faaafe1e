//! Write transactions, one way for every adapter.
//!
//! SQLite: `BEGIN IMMEDIATE` takes the write lock up front; a deferred transaction that reads and
//! then writes fails with SQLITE_BUSY when another writer commits in between, so every write
//! starts this way and writers are serialised. PostgreSQL: a plain `BEGIN`; writes that read
//! then write lock their rows (`UPDATE … WHERE …` conditions, `FOR UPDATE`) instead.
use sqlx::{Pool, Postgres, Sqlite, Transaction};

/// How an engine opens a transaction that will write.
pub(crate) trait WriteEngine: sqlx::Database {
    /// The statement that opens it, or `None` for the engine's plain `BEGIN`.
    const BEGIN_WRITE: Option<&'static str>;
}

impl WriteEngine for Sqlite {
    const BEGIN_WRITE: Option<&'static str> = Some("BEGIN IMMEDIATE");
}

impl WriteEngine for Postgres {
    const BEGIN_WRITE: Option<&'static str> = None;
}

/// Opens a write transaction on `pool` (see the module comment for what each engine does).
pub(crate) async fn begin_write<DB: WriteEngine>(pool: &Pool<DB>) -> Result<Transaction<'static, DB>, sqlx::Error> {
    match DB::BEGIN_WRITE {
        Some(statement) => pool.begin_with(statement).await,
        None => pool.begin().await,
    }
}

/// `store.begin_write()`, as every adapter macro calls it.
macro_rules! write_transactions {
    ($store:ty, $db:ty) => {
        impl $store {
            pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, $db>, sqlx::Error> {
                begin_write(&self.pool).await
            }
        }
    };
}

write_transactions!(super::sqlite::SqliteStore, Sqlite);
write_transactions!(super::postgres::PgStore, Postgres);
