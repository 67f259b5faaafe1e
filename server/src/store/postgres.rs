//! PostgreSQL: for shops that run several stateless instances behind a load balancer.
use super::migrate::{self, Migration};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use std::time::Duration;

/// Any constant shared by every instance; it names the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x5109_7ab1e;

#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    const MIGRATIONS: &'static [Migration] = migrate::POSTGRES;

    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStore, String> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| {
                format!(
                    "cannot connect to PostgreSQL at {}: {e}; check DATABASE_URL and that the server is running",
                    super::redact(url)
                )
            })?;
        Ok(PgStore { pool })
    }

    /// Words are [a-z0-9]+ (see domain::search::tokenize), safe inside a tsquery; the last word
    /// matches as a prefix.
    fn tsquery(words: &[String]) -> String {
        let mut terms: Vec<String> = words.to_vec();
        if let Some(last) = terms.last_mut() {
            last.push_str(":*");
        }
        terms.join(" & ")
    }

    async fn count_matches(&self, words: &[String], cap: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM products WHERE search_vector @@ to_tsquery('simple', $1) LIMIT $2) t",
        )
        .bind(Self::tsquery(words))
        .bind(cap)
        .fetch_one(&self.pool)
        .await
    }

    /// The weighted tsvector (A title, B category and store, C description) ranked by
    /// `ts_rank_cd`. `newest` takes the newest matches instead of ranking every one.
    async fn search_engine(&self, words: &[String], limit: i64, newest: bool) -> Result<Vec<(i64, f64)>, sqlx::Error> {
        let order = if newest { "p.id DESC" } else { "relevance DESC, p.id" };
        let rows: Vec<(i64, f32)> = sqlx::query_as(&format!(
            "SELECT p.id, ts_rank_cd(p.search_vector, q) AS relevance
             FROM products p, to_tsquery('simple', $1) q
             WHERE p.search_vector @@ q ORDER BY {order} LIMIT $2"
        ))
        .bind(Self::tsquery(words))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, r)| (id, r as f64)).collect())
    }

    async fn vocabulary_engine(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT word, ndoc::BIGINT FROM ts_stat('SELECT search_vector FROM products') WHERE length(word) >= 3",
        )
        .fetch_all(&self.pool)
        .await
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Several instances may start at once; the advisory lock lets one migrate while the
    /// others wait, then find nothing left to do.
    async fn lock_migrations(&self) -> Result<PoolConnection<Postgres>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await?;
        Ok(conn)
    }

    async fn unlock_migrations(&self, mut conn: PoolConnection<Postgres>) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await?;
        Ok(())
    }
}

mod catalog_sql {
    impl_sql_catalog!(super::PgStore, sqlx::Postgres, "postgres");
}

mod accounts_sql {
    impl_sql_accounts!(super::PgStore, sqlx::Postgres);
}

mod reviews_sql {
    impl_sql_reviews!(super::PgStore, sqlx::Postgres);
}
