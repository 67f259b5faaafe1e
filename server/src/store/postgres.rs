//! PostgreSQL: for shops that run several stateless instances behind a load balancer.
use super::migrate::{self, Migration};
use app::services::catalog_store::SearchHits;
use sqlx::Postgres;
use sqlx::pool::PoolConnection;
use std::time::Duration;

/// Any constant shared by every instance; it names the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x5109_7ab1e;

pub type PgStore = super::Store<Postgres>;

impl PgStore {
    const MIGRATIONS: &'static [Migration] = migrate::POSTGRES;

    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStore, String> {
        let pool = super::pool_options(max_connections, Duration::from_secs(5)).connect(url).await.map_err(|e| {
            format!(
                "cannot connect to PostgreSQL at {}: {e}; check DATABASE_URL and that the server is running",
                super::redact(url)
            )
        })?;
        Ok(PgStore { write_pool: pool.clone(), pool, writer: Default::default() })
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

    /// Only published products of active stores carry a vector (migration 0018's trigger), so
    /// the match itself leaves out what a shopper cannot buy, before the `limit` cut-off.
    /// The weighted tsvector (A title, B category and store, C description) ranked by
    /// `ts_rank_cd`. Counting a word found in most products would read every matching row (the
    /// tsvector is rechecked on the heap), so the planner's estimate decides first: past
    /// `common`, the newest matches are taken walking the primary key backwards, and the
    /// estimate is the count. Otherwise every match is ranked, counted in the same pass.
    async fn search_engine(&self, words: &[String], limit: i64, common: i64) -> Result<SearchHits, sqlx::Error> {
        let query = Self::tsquery(words);
        let row =
            sqlx::query("EXPLAIN (FORMAT JSON) SELECT 1 FROM products WHERE search_vector @@ to_tsquery('simple', $1)")
                .bind(&query)
                .fetch_one(&self.pool)
                .await?;
        // The column is `json`, whose wire format is its text; sqlx has no json decoder enabled.
        let plan: String = sqlx::Row::try_get_unchecked(&row, 0)?;
        let estimate = serde_json::from_str::<serde_json::Value>(&plan)
            .ok()
            .and_then(|v| v[0]["Plan"]["Plan Rows"].as_f64())
            .unwrap_or(0.0) as i64;
        if estimate > common {
            let rows: Vec<(i64, f32)> = sqlx::query_as(
                "SELECT p.id, ts_rank_cd(p.search_vector, q) FROM products p, to_tsquery('simple', $1) q
                 WHERE p.search_vector @@ q ORDER BY p.id DESC LIMIT $2",
            )
            .bind(&query)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            let found = rows.into_iter().map(|(id, r)| (id, r as f64)).collect();
            return Ok(SearchHits { hits: found, matches: estimate.min(common + 1) });
        }
        let rows: Vec<(i64, f32, i64)> = sqlx::query_as(
            "SELECT p.id, ts_rank_cd(p.search_vector, q) AS relevance, COUNT(*) OVER () AS matches
             FROM products p, to_tsquery('simple', $1) q
             WHERE p.search_vector @@ q ORDER BY relevance DESC, p.id LIMIT $2",
        )
        .bind(&query)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let matches = rows.first().map(|r| r.2).unwrap_or(0);
        Ok(SearchHits { hits: rows.into_iter().map(|(id, r, _)| (id, r as f64)).collect(), matches })
    }

    /// Only sellable products have a vector (migration 0018), so drafts and the products of
    /// pending or suspended stores plant no completions.
    async fn vocabulary_engine(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT word, ndoc::BIGINT
             FROM ts_stat('SELECT search_vector FROM products WHERE search_vector IS NOT NULL')
             WHERE length(word) >= 3",
        )
        .fetch_all(&self.pool)
        .await
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

// The subjects' SQL for this engine: its name (migrations, search) and its row-locking clauses
// (the notification outbox's lease, the import's variant lock).
impl_store_subjects!(
    PgStore,
    sqlx::Postgres,
    "postgres",
    notifications_lock = "FOR UPDATE SKIP LOCKED",
    import_lock = " FOR UPDATE OF v"
);
