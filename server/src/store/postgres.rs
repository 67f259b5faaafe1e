//! PostgreSQL: for shops that run several stateless instances behind a load balancer.
use super::migrate::{self, Migration};
use app::services::catalog_store::SearchHits;
use sqlx::Postgres;
use sqlx::pool::PoolConnection;
use std::time::Duration;

/// Any constant shared by every instance; it names the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x5109_7ab1e;

pub type PgStore = super::Store<Postgres>;

/// The URL parameters (sqlx's spellings included) that name a certificate or key file.
const CERT_FILE_PARAMS: &[&str] =
    &["sslrootcert", "ssl-root-cert", "ssl-ca", "sslcert", "ssl-cert", "sslkey", "ssl-key"];

/// What to fix when connecting failed: a TLS failure names the URL parameter that changes it.
/// (rustls' verdict on a certificate reaches sqlx as an I/O error, so the text is what tells.)
fn connect_hint(e: &sqlx::Error) -> &'static str {
    let text = e.to_string();
    if text.contains("does not support TLS") {
        "the server does not offer TLS: turn ssl on in its postgresql.conf, or remove sslmode=require \
         (or verify-ca/verify-full) from DATABASE_URL"
    } else if text.contains("not valid for name") || text.contains("NotValidForName") {
        // Not verify-ca: sqlx 0.8.6 checks the name there too with rustls >= 0.23.24 (sqlx issue
        // #3793, fixed after 0.8.6).
        "the server's certificate does not name the host in DATABASE_URL: connect by a name the certificate \
         lists (in the URL's host), or use sslmode=require to encrypt without checking the certificate"
    } else if text.contains("certificate") || matches!(e, sqlx::Error::Tls(_)) {
        "the server's TLS certificate is not trusted: name its CA's certificate (PEM) with \
         sslrootcert=/path/to/ca.pem in DATABASE_URL, or use sslmode=require to encrypt without checking \
         the certificate"
    } else {
        "check DATABASE_URL and that the server is running"
    }
}

impl PgStore {
    const MIGRATIONS: &'static [Migration] = migrate::POSTGRES;

    /// `sslmode`, `sslrootcert`, `sslcert` and `sslkey` in the URL are sqlx's, as libpq's: `require`
    /// encrypts without checking the certificate, `verify-ca` checks it against `sslrootcert` (or
    /// Mozilla's roots), `verify-full` also checks it names the host. On a Unix socket TLS is never
    /// used (PostgreSQL does not offer it there).
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStore, String> {
        // sqlx logs an unknown URL parameter with its value; libpq's `sslpassword` would be a
        // secret in the log, and sqlx cannot use it anyway.
        let params: Vec<(&str, &str)> = url
            .split_once('?')
            .map(|(_, q)| q.split('&').map(|p| p.split_once('=').unwrap_or((p, ""))).collect())
            .unwrap_or_default();
        if params.iter().any(|(k, _)| k.eq_ignore_ascii_case("sslpassword")) {
            return Err("DATABASE_URL has sslpassword=, which is not supported: give sslkey= a key file \
                        that is not encrypted (readable by this process only) and remove sslpassword"
                .to_string());
        }
        // sqlx reads these files only when it connects, and then says only "No such file".
        for (key, path) in &params {
            let names_file = CERT_FILE_PARAMS.contains(key) && !path.starts_with("-----BEGIN") && !path.contains('%');
            if names_file && std::fs::metadata(path).is_err() {
                return Err(format!(
                    "DATABASE_URL's {key}={path} names a file that does not exist or that this process cannot \
                     read; give the PEM file's full path"
                ));
            }
        }
        let pool = super::pool_options(max_connections, Duration::from_secs(5)).connect(url).await.map_err(|e| {
            format!("cannot connect to PostgreSQL at {}: {e}; {}", super::redact(url), connect_hint(&e))
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
