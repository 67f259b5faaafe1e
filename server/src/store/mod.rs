//! Storage adapters: SQLite (the embedded default) and PostgreSQL, behind the app's store traits.
//!
//! One module per subject holds its SQL and row mapping, written once for both engines: both
//! accept `$N` placeholders and `RETURNING`, and the schema keeps every number a 64-bit integer,
//! so the statements are identical. A macro per subject (rather than generics over
//! `sqlx::Database`) instantiates them for each concrete store: the trait bounds a generic version
//! needs would hide the SQL behind a wall of where-clauses. Each store type provides `pool`;
//! engine-specific parts (connection setup, search, migration locking) live in `sqlite` and
//! `postgres`, which instantiate the subjects' macros through `impl_store_subjects!`. Write
//! transactions are opened, and single statements run, in `statements` (`begin_write()`,
//! `write_one`, `run`, `find`, `rows`); the idempotency claim every retried write makes is in
//! `idempotency`, the migrations and their runner in `migrate`.
mod errors;
#[macro_use]
mod idempotency;
#[macro_use]
mod fulfilment;
#[macro_use]
mod orders;
mod group_commit;
mod keyset;
mod ops;
mod statements;
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
mod payouts;
#[macro_use]
pub mod pricing;
#[macro_use]
mod products;
#[macro_use]
mod product_import;
#[macro_use]
mod recommendations;
#[macro_use]
mod reviews;
#[macro_use]
mod staff;

/// Instantiates every subject's SQL for one engine's store, each in its own module (their helper
/// names do not meet). `$engine` names the engine to the migration runner and the catalog's
/// search; the two locking clauses are the only SQL that differs between the engines' subjects.
macro_rules! impl_store_subjects {
    ($store:ident, $db:ty, $engine:literal, notifications_lock = $notify_lock:literal, import_lock = $import_lock:literal) => {
        mod migrate_run {
            impl_migration_runner!(super::$store, $engine);
        }
        mod catalog_sql {
            impl_sql_catalog!(super::$store, $db, $engine);
        }
        mod accounts_sql {
            impl_sql_accounts!(super::$store, $db);
        }
        mod orders_sql {
            impl_sql_orders!(super::$store, $db);
        }
        mod fulfilment_sql {
            impl_sql_fulfilment!(super::$store, $db);
        }
        mod carts_sql {
            impl_sql_carts!(super::$store, $db);
        }
        mod reviews_sql {
            impl_sql_reviews!(super::$store, $db);
        }
        mod notifications_sql {
            impl_sql_notifications!(super::$store, $db, $notify_lock);
        }
        mod analytics_sql {
            impl_sql_analytics!(super::$store, $db);
        }
        mod admin_sql {
            impl_sql_admin!(super::$store, $db);
        }
        mod recommendations_sql {
            impl_sql_recommendations!(super::$store, $db);
        }
        mod inventory_sql {
            impl_sql_inventory!(super::$store, $db);
        }
        mod products_sql {
            impl_sql_products!(super::$store, $db);
        }
        mod product_images_sql {
            impl_sql_product_images!(super::$store, $db);
        }
        mod payouts_sql {
            impl_sql_payouts!(super::$store, $db);
        }
        mod pricing_sql {
            impl_sql_pricing!(super::$store, $db);
        }
        mod staff_sql {
            impl_sql_staff!(super::$store, $db);
        }
        mod product_import_sql {
            impl_sql_product_import!(super::$store, $db, $import_lock);
        }
    };
}

pub mod postgres;
pub mod sqlite;

use app::services::{AccountStore, CatalogStore, ReviewStore};
use std::sync::Arc;

pub use errors::map_sqlx;
pub use migrate::Migration;
pub use ops::PoolUse;

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

/// A connected store of one engine (`sqlite::SqliteStore`, `postgres::PgStore`): its pool. Each
/// engine's module adds its connection setup, search and migration locking; every subject's SQL
/// is implemented for both (`impl_store_subjects!`).
pub struct Store<DB: sqlx::Database> {
    pub(crate) pool: sqlx::Pool<DB>,
    /// Where write transactions (`begin_write`) come from. SQLite: a pool of one connection, so
    /// this process's writers queue here in order instead of in SQLite's busy handler, which
    /// sleeps in steps of up to 100 ms (seconds of p99 under load). PostgreSQL: `pool` itself.
    pub(crate) write_pool: sqlx::Pool<DB>,
    /// SQLite's group-commit writer (`group_commit`); unused on PostgreSQL.
    pub(crate) writer: Arc<group_commit::Writer>,
}

impl<DB: sqlx::Database> Clone for Store<DB> {
    fn clone(&self) -> Self {
        Store { pool: self.pool.clone(), write_pool: self.write_pool.clone(), writer: self.writer.clone() }
    }
}

/// The pool either engine connects with: at least one connection, and how long a request waits
/// for one (`acquire`) before it fails as unavailable.
fn pool_options<DB: sqlx::Database>(max_connections: u32, acquire: std::time::Duration) -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new().max_connections(max_connections.max(1)).acquire_timeout(acquire)
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

    /// Closes both pools (on SQLite the writer's too, so the file is no longer in use when this
    /// returns: `server restore` refuses a database any connection still has open).
    pub async fn close(&self) {
        match self {
            Database::Sqlite(s) => {
                s.pool.close().await;
                s.write_pool.close().await;
            }
            Database::Postgres(s) => s.pool.close().await,
        }
    }
}

/// `Database::<port>()`: the connected store behind one of the app's storage traits (both stores
/// implement every port).
macro_rules! ports {
    ($($name:ident => $port:path),* $(,)?) => {
        impl Database {
            $(
                pub fn $name(&self) -> Arc<dyn $port> {
                    match self {
                        Database::Sqlite(s) => Arc::new(s.clone()),
                        Database::Postgres(s) => Arc::new(s.clone()),
                    }
                }
            )*
        }
    };
}

ports! {
    catalog => CatalogStore,
    accounts => AccountStore,
    orders => app::services::order_store::OrderStore,
    fulfilment => app::services::fulfilment_store::FulfilmentStore,
    notifications => app::services::NotificationStore,
    analytics => app::services::AnalyticsStore,
    admin => app::services::admin_store::AdminStore,
    payouts => app::services::payout_store::PayoutStore,
    pricing => app::services::pricing_store::PricingStore,
    staff => app::services::staff_store::StaffStore,
    inventory => app::services::InventoryStore,
    product_images => app::services::product_image_store::ProductImageStore,
    products_admin => app::services::product_admin_store::ProductAdminStore,
    product_import => app::services::product_import_store::ProductImportStore,
    recommendations => app::services::recommendation_store::RecommendationStore,
    carts => app::services::CartStore,
    reviews => ReviewStore,
}

/// Hides the passwords in a database URL (the user-info one, and `password=` / `sslpassword=` in
/// its query), so URLs can be logged and shown in errors.
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut shown = redact_user_info(base);
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _)) if SECRET_PARAMS.iter().any(|s| key.eq_ignore_ascii_case(s)) => format!("{key}=***"),
                _ => param.to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&params.join("&"));
    }
    shown
}

/// Query parameters of a database URL whose values are secrets.
const SECRET_PARAMS: &[&str] = &["password", "sslpassword"];

/// `scheme://user:secret@host…` → `scheme://user:***@host…`.
fn redact_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match rest.rsplit_once('@') {
        Some((creds, host)) => match creds.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The latest migration this build knows for `engine`: a backup taken by a newer build (a higher
/// version) is refused by `server restore`.
pub fn latest_migration(engine: Engine) -> i64 {
    let all = match engine {
        Engine::Sqlite => migrate::SQLITE,
        Engine::Postgres => migrate::POSTGRES,
    };
    all.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Checks a database's recorded migrations (`version`, `checksum`) against this build's, as
/// `migrate` does before it runs: every one known and unedited. Answers how many are still to run.
pub fn check_migration_history(engine: Engine, applied: &[(i64, String)]) -> Result<usize, String> {
    let all = match engine {
        Engine::Sqlite => migrate::SQLITE,
        Engine::Postgres => migrate::POSTGRES,
    };
    migrate::pending(all, applied).map(|pending| pending.len())
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
        // The TLS parameters show; a password in the query does not.
        assert_eq!(
            redact("postgres://shop:pw@db/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
            "postgres://shop:***@db/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem"
        );
        assert_eq!(
            redact("postgres://db/shop?user=shop&password=hunter2&sslmode=require&sslpassword=k3y"),
            "postgres://db/shop?user=shop&password=***&sslmode=require&sslpassword=***"
        );
        assert_eq!(redact("postgres://shop:p@ss@db/shop?PASSWORD=x"), "postgres://shop:***@db/shop?PASSWORD=***");
        assert_eq!(redact("postgres://:@/?&=&password"), "postgres://:***@/?&=&password");
    }
}
