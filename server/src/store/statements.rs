//! How every adapter runs a statement: write transactions opened one way for both engines, one
//! statement in a write of its own or inside a larger one, and the reads of one row or all rows.
//!
//! SQLite: `BEGIN IMMEDIATE` takes the write lock up front; a deferred transaction that reads and
//! then writes fails with SQLITE_BUSY when another writer commits in between, so every write
//! starts this way and writers are serialised. PostgreSQL: a plain `BEGIN`; writes that read
//! then write lock their rows (`UPDATE … WHERE …` conditions, `FOR UPDATE`) instead.
use super::errors::map_sqlx;
use app::services::StoreError;
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

/// A statement with its arguments bound, as `sqlx::query(…).bind(…)` builds it.
pub(crate) type Statement<'q, DB> = sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>;

/// `store.begin_write()`, as every adapter macro calls it, and the three ways a write runs one
/// statement: `store.write_one(statement)` in a write transaction of its own, `Self::run(&mut tx,
/// statement)` inside a larger one, `store.execute(statement)` with no transaction. Each answers
/// with the rows it changed, which is how a conditional update (`… WHERE version = $n`) says
/// whether it applied. And the reads: `store.find` (one row, if any), `store.rows`, and
/// `Self::exists(&mut tx, statement)` inside a write.
macro_rules! statement_methods {
    ($store:ty, $db:ty) => {
        impl $store {
            pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, $db>, sqlx::Error> {
                begin_write(&self.write_pool).await
            }

            pub(crate) async fn write_one(&self, statement: Statement<'_, $db>) -> Result<u64, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let changed = Self::run(&mut tx, statement).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(changed)
            }

            /// One statement on its own, committed as it runs (no write transaction around it: for
            /// writes that neither read first nor need the SQLite write lock up front).
            pub(crate) async fn execute(&self, statement: Statement<'_, $db>) -> Result<u64, StoreError> {
                Ok(statement.execute(&self.pool).await.map_err(map_sqlx)?.rows_affected())
            }

            /// The row a read by key finds, if any.
            pub(crate) async fn find(
                &self,
                statement: Statement<'_, $db>,
            ) -> Result<Option<<$db as sqlx::Database>::Row>, StoreError> {
                statement.fetch_optional(&self.pool).await.map_err(map_sqlx)
            }

            /// Every row a read finds.
            pub(crate) async fn rows(
                &self,
                statement: Statement<'_, $db>,
            ) -> Result<Vec<<$db as sqlx::Database>::Row>, StoreError> {
                statement.fetch_all(&self.pool).await.map_err(map_sqlx)
            }

            /// Whether a read inside `tx` finds any row (a name already taken, a row that exists).
            pub(crate) async fn exists(
                tx: &mut Transaction<'static, $db>,
                statement: Statement<'_, $db>,
            ) -> Result<bool, StoreError> {
                Ok(statement.fetch_optional(&mut **tx).await.map_err(map_sqlx)?.is_some())
            }

            pub(crate) async fn run(
                tx: &mut Transaction<'static, $db>,
                statement: Statement<'_, $db>,
            ) -> Result<u64, StoreError> {
                Ok(statement.execute(&mut **tx).await.map_err(map_sqlx)?.rows_affected())
            }
        }
    };
}

statement_methods!(super::sqlite::SqliteStore, Sqlite);
statement_methods!(super::postgres::PgStore, Postgres);
