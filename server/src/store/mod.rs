//! Storage adapters: SQLite (the embedded default) and PostgreSQL, behind the app's store traits.
//!
//! One module per subject holds its SQL and row mapping, written once for both engines: both
//! accept `$N` placeholders and `RETURNING`, and the schema keeps every number a 64-bit integer,
//! so the statements are identical. A macro per subject (rather than generics over
//! `sqlx::Database`) instantiates them for each concrete store: the trait bounds a generic version
//! needs would hide the SQL behind a wall of where-clauses. Each store type provides `pool`;
//! engine-specific parts (connection setup, search, migration locking) live in `sqlite` and
//! `postgres`, which instantiate the subjects' macros. Write transactions are opened in `tx`
//! (`begin_write()`), the idempotency claim every retried write makes is in `idempotency`, the
//! migrations and their runner in `migrate`.
mod errors;
#[macro_use]
mod idempotency;
#[macro_use]
mod fulfilment;
#[macro_use]
mod orders;
mod tx;
#[macro_use]
mod migrate;
#[macro_use]
mod admin;
#[macro_use]
mod accounts;
#[macro_use]
mod analytics;
#[macro_use]
mod carts;
#[macro_use]
mod catalog;
#[macro_use]
mod inventory;
#[macro_use]
mod notifications;
#[macro_use]
mod product_images;
#[macro_use]
mod products;
#[macro_use]
mod product_import;
#[macro_use]
mod recommendations;
#[macro_use]
mod reviews;
pub mod postgres;
pub mod sqlite;

use app::services::{AccountStore, CatalogStore, ReviewStore};
use std::sync::Arc;

pub use errors::map_sqlx;
pub use migrate::Migration;

/// Which engine a `DATABASE_URL` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Result<Engine, String> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(format!("DATABASE_URL must start with sqlite:// or postgres:// (got {:?})", redact(url)))
        }
    }
}

/// A connected database of either engine.
#[derive(Clone)]
pub enum Database {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

impl Database {
    /// Connects, creating the SQLite file if it is missing. Errors are one readable line
    /// that names the setting to fix.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Database, String> {
        match Engine::from_url(url)? {
            Engine::Sqlite => Ok(Database::Sqlite(sqlite::SqliteStore::connect(url, max_connections).await?)),
            Engine::Postgres => Ok(Database::Postgres(postgres::PgStore::connect(url, max_connections).await?)),
        }
    }

    /// Applies pending migrations; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, String> {
        match self {
            Database::Sqlite(s) => s.migrate().await,
            Database::Postgres(s) => s.migrate().await,
        }
    }

    pub fn catalog(&self) -> Arc<dyn CatalogStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn accounts(&self) -> Arc<dyn AccountStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn orders(&self) -> Arc<dyn app::services::order_store::OrderStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn fulfilment(&self) -> Arc<dyn app::services::fulfilment_store::FulfilmentStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn notifications(&self) -> Arc<dyn app::services::NotificationStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn analytics(&self) -> Arc<dyn app::services::AnalyticsStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn admin(&self) -> Arc<dyn app::services::admin_store::AdminStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn inventory(&self) -> Arc<dyn app::services::InventoryStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn product_images(&self) -> Arc<dyn app::services::product_image_store::ProductImageStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn products_admin(&self) -> Arc<dyn app::services::product_admin_store::ProductAdminStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn product_import(&self) -> Arc<dyn app::services::product_import_store::ProductImportStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn recommendations(&self) -> Arc<dyn app::services::recommendation_store::RecommendationStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn carts(&self) -> Arc<dyn app::services::CartStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Runs SQL as written, for tests and operators' scripts (never with user input).
    pub async fn execute_raw(&self, sql: &str) -> Result<(), String> {
        let result = match self {
            Database::Sqlite(s) => sqlx::raw_sql(sql).execute(&s.pool).await.map(drop),
            Database::Postgres(s) => sqlx::raw_sql(sql).execute(&s.pool).await.map(drop),
        };
        result.map_err(|e| e.to_string())
    }

    /// One integer from SQL as written (a count), for tests and operators' scripts (never with
    /// user input).
    pub async fn scalar_raw(&self, sql: &str) -> Result<i64, String> {
        let result = match self {
            Database::Sqlite(s) => sqlx::query_scalar::<_, i64>(sql).fetch_one(&s.pool).await,
            Database::Postgres(s) => sqlx::query_scalar::<_, i64>(sql).fetch_one(&s.pool).await,
        };
        result.map_err(|e| e.to_string())
    }

    pub fn reviews(&self) -> Arc<dyn ReviewStore> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Refreshes the planner's statistics. Without them SQLite guesses that `status =
    /// 'published'` is selective and scans the whole catalog for a page of 24 ids (26 ms instead
    /// of 0.1 ms at 100 000 products). Bounded sampling keeps it to ~0.1 s on a large catalog.
    pub async fn analyze(&self) -> Result<(), String> {
        let result = match self {
            Database::Sqlite(s) => {
                sqlx::raw_sql("PRAGMA analysis_limit = 1000; ANALYZE;").execute(&s.pool).await.map(drop)
            }
            Database::Postgres(s) => sqlx::raw_sql("ANALYZE").execute(&s.pool).await.map(drop),
        };
        result.map_err(|e| format!("refreshing database statistics failed: {e}"))
    }

    pub async fn close(&self) {
        match self {
            Database::Sqlite(s) => s.pool.close().await,
            Database::Postgres(s) => s.pool.close().await,
        }
    }
}

/// Hides the password in a database URL, so URLs can be logged and shown in errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &creds[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_follows_the_url_scheme() {
        assert_eq!(Engine::from_url("sqlite://data/shop.db").unwrap(), Engine::Sqlite);
        assert_eq!(Engine::from_url("sqlite::memory:").unwrap(), Engine::Sqlite);
        assert_eq!(Engine::from_url("postgres:///shop?host=/tmp").unwrap(), Engine::Postgres);
        assert_eq!(Engine::from_url("postgresql://u@h/db").unwrap(), Engine::Postgres);
        let err = Engine::from_url("mysql://u:secret@h/db").unwrap_err();
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://shop:hunter2@db:5432/shop"), "postgres://shop:***@db:5432/shop");
        assert_eq!(redact("postgres://shop@db/shop"), "postgres://shop@db/shop");
        assert_eq!(redact("sqlite://data/shop.db"), "sqlite://data/shop.db");
    }
}
