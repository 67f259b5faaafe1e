//! SQLite: one file, WAL, the embedded default.
use super::migrate::{self, Migration};
use app::services::catalog_store::SearchHits;
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub type SqliteStore = super::Store<Sqlite>;

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
            // Reads come from memory-mapped pages instead of a read() per page, and each
            // connection keeps 16 MB of hot pages: a 100 000-product catalog is ~200 MB.
            .pragma("mmap_size", "268435456")
            .pragma("cache_size", "-16000")
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
        let cannot_open =
            |e| format!("cannot open the SQLite database {}: {e}; set DATABASE_URL to a writable path", path.display());
        let pool = super::pool_options(max_connections, Duration::from_secs(10))
            .connect_with(options.clone())
            .await
            .map_err(cannot_open)?;
        // One writer at a time is all SQLite allows; waiting for it here is a fair queue.
        let write_pool =
            super::pool_options(1, Duration::from_secs(10)).connect_with(options).await.map_err(cannot_open)?;
        Ok(SqliteStore { pool, write_pool, writer: Default::default() })
    }

    /// Words are [a-z0-9]+ (see domain::search::tokenize), so quoting cannot be escaped; the last
    /// word matches as a prefix.
    fn match_expr(words: &[String]) -> String {
        let mut expr: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
        if let Some(last) = expr.last_mut() {
            last.push('*');
        }
        expr.join(" ")
    }

    /// `product_search` holds only published products of active stores (migration 0018's
    /// triggers), so the match itself leaves out what a shopper cannot buy, before the `limit`
    /// cut-off, and the vocabulary (`product_search_terms`) has only their words.
    /// FTS5 with per-column weights: title ≫ category, store ≫ description. `bm25` is lower
    /// for better matches, so it is negated into a relevance. Counting stops at `common + 1`
    /// (a cheap walk of the index); past `common`, the newest matches are taken in rowid order
    /// instead of scoring every match. Returns the hits and the (capped) number of matches.
    async fn search_engine(&self, words: &[String], limit: i64, common: i64) -> Result<SearchHits, sqlx::Error> {
        let matches: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT rowid FROM product_search WHERE product_search MATCH $1 LIMIT $2)",
        )
        .bind(Self::match_expr(words))
        .bind(common + 1)
        .fetch_one(&self.pool)
        .await?;
        if matches == 0 {
            return Ok(SearchHits::default());
        }
        let order = if matches > common { "rowid DESC" } else { "relevance DESC" };
        let rows: Vec<(i64, f64)> = sqlx::query_as(&format!(
            "SELECT rowid, -bm25(product_search, 10.0, 3.0, 3.0, 1.0) AS relevance
             FROM product_search WHERE product_search MATCH $1 ORDER BY {order} LIMIT $2"
        ))
        .bind(Self::match_expr(words))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(SearchHits { hits: rows, matches })
    }

    async fn vocabulary_engine(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as("SELECT term, doc FROM product_search_terms WHERE length(term) >= 3").fetch_all(&self.pool).await
    }

    /// SQLite serialises writers itself; each migration runs in its own transaction.
    async fn lock_migrations(&self) -> Result<PoolConnection<Sqlite>, sqlx::Error> {
        self.pool.acquire().await
    }

    async fn unlock_migrations(&self, _conn: PoolConnection<Sqlite>) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

// The subjects' SQL for this engine: its name (migrations, search) and its row-locking clauses
// (the notification outbox's lease, the import's variant lock).
impl_store_subjects!(SqliteStore, sqlx::Sqlite, "sqlite", notifications_lock = "", import_lock = "");
