//! `server backup PATH` and `server restore PATH [--force]` for the SQLite shop (issue 18).
//!
//! Backup is online: `VACUUM INTO` copies the database inside one read transaction, so the copy
//! is the database as of one instant (every order committed before it began, none half-written)
//! while the shop keeps taking orders (WAL: readers never block the writer). The copy is written
//! under a temporary name beside PATH, checked, flushed to disk and only then given its name, so
//! PATH is either a whole backup or absent; an existing PATH is never overwritten.
//!
//! Restore replaces DATABASE_URL's file with a backup only when no other process has it open
//! (a SQLite exclusive lock, held until the new file is in place) and it holds no shop unless
//! `--force`; the backup is checked first (a SQLite file of this shop whose migrations this
//! build knows), copied to a temporary name, flushed, then renamed over the database: a crash
//! at any point leaves the old database or the new one, never a mix.
//!
//! PostgreSQL is backed up by its own tools; see `POSTGRES_BACKUP`.
use crate::store::{Engine, check_migration_history, latest_migration};
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Why `server backup` does not run pg_dump itself: pg_dump must be at least the server's major
/// version (a container's client often is not), operators of a managed PostgreSQL already have
/// its snapshots and dumps, and running it from here would put the password on a command line
/// (visible in the process list) or in the environment of a child process. So the commands are
/// printed instead, to be run with the operator's own pg_dump.
pub const POSTGRES_BACKUP: &str =
    "DATABASE_URL names PostgreSQL: back it up with PostgreSQL's own pg_dump, which takes a \
consistent snapshot while the shop serves, e.g.
  pg_dump --format=custom --file=shop.dump \"$DATABASE_URL\"
and restore it into an empty database with
  pg_restore --no-owner --exit-on-error --single-transaction --dbname=\"$DATABASE_URL\" shop.dump
(pg_dump must be as new as the server; see the README's Backups section)";

/// What `backup` wrote.
#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub orders: i64,
    pub version: i64,
    pub millis: u128,
}

/// What `restore` put in place.
#[derive(Debug)]
pub struct RestoreReport {
    pub database: PathBuf,
    pub orders: i64,
    pub products: i64,
    pub version: i64,
    /// Migrations this build will apply when the shop starts (the backup is older than it).
    pub pending: usize,
    pub millis: u128,
}

/// Copies DATABASE_URL's SQLite database to `dest` while the shop serves.
pub async fn backup(database_url: &str, dest: &Path) -> Result<BackupReport, String> {
    let started = Instant::now();
    let source = sqlite_options(database_url)?;
    let db_path = source.get_filename().to_path_buf();
    if !db_path.is_file() {
        return Err(format!("there is no SQLite database at {}: check DATABASE_URL", db_path.display()));
    }
    if dest.symlink_metadata().is_ok() {
        return Err(exists(dest));
    }
    let temp = TempFile::beside(dest)?;
    let mut conn = source
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("cannot open the SQLite database {}: {e}", db_path.display()))?;
    // The live database is not checked page by page here (that would read it twice); the copy is.
    let shop = inspect(&mut conn, &db_path, false).await?;
    sqlx::query("VACUUM INTO $1").bind(utf8(&temp.path)?).execute(&mut conn).await.map_err(|e| {
        format!(
            "copying {} to {} failed: {e}; check the folder is writable and has room",
            db_path.display(),
            temp.shown()
        )
    })?;
    let _ = conn.close().await;
    // The copy is read back before it gets its name: a backup that cannot be opened is no backup.
    let mut copy = open_read_only(&temp.path).await?;
    let checked = inspect(&mut copy, &temp.path, true).await?;
    let _ = copy.close().await;
    if checked.version != shop.version {
        return Err(format!("the copy in {} does not match the database; nothing was kept", temp.shown()));
    }
    sync_file(&temp.path)?;
    let bytes = std::fs::metadata(&temp.path).map(|m| m.len()).unwrap_or(0);
    temp.publish_new(dest)?;
    Ok(BackupReport {
        path: dest.to_path_buf(),
        bytes,
        orders: checked.orders,
        version: checked.version,
        millis: started.elapsed().as_millis(),
    })
}

/// Replaces DATABASE_URL's SQLite database with the backup at `source`.
pub async fn restore(database_url: &str, source: &Path, force: bool) -> Result<RestoreReport, String> {
    let started = Instant::now();
    let target = sqlite_options(database_url)?;
    let db_path = target.get_filename().to_path_buf();
    if !source.is_file() {
        return Err(format!("there is no backup file at {}", source.display()));
    }
    if db_path.exists() && same_file(source, &db_path) {
        return Err(format!("{} is the database DATABASE_URL names; restore from a backup file", source.display()));
    }
    if !has_sqlite_header(source) {
        return Err(format!(
            "{} is not a SQLite database (a PostgreSQL dump is restored with pg_restore; see the README's Backups section)",
            source.display()
        ));
    }
    let mut backup = open_read_only(source).await?;
    let shop = inspect(&mut backup, source, true).await?;
    let pending = shop.pending;

    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create the folder {} for the database: {e}", parent.display()))?;
    }
    // A database file this restore creates is removed again if the restore fails.
    let created = !db_path.exists();
    let restored = replace(target, &db_path, &mut backup, source, force).await;
    let _ = backup.close().await;
    if restored.is_err() && created && std::fs::metadata(&db_path).is_ok_and(|m| m.len() == 0) {
        let _ = std::fs::remove_file(&db_path);
    }
    restored?;
    Ok(RestoreReport {
        database: db_path,
        orders: shop.orders,
        products: shop.products,
        version: shop.version,
        pending,
        millis: started.elapsed().as_millis(),
    })
}

/// Puts a copy of `backup` (open as `source_conn`) in place of the database at `db_path`.
async fn replace(
    target: SqliteConnectOptions,
    db_path: &Path,
    source_conn: &mut SqliteConnection,
    source: &Path,
    force: bool,
) -> Result<(), String> {
    // Exclusive locking mode: once taken, SQLite keeps the lock until this connection closes, so
    // no shop can open the database between the checks below and the rename.
    let mut lock = target
        .create_if_missing(true)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::from_secs(2))
        .connect()
        .await
        .map_err(|e| format!("cannot open the SQLite database {}: {e}", db_path.display()))?;
    if let Err(e) = sqlx::raw_sql("BEGIN EXCLUSIVE; COMMIT").execute(&mut lock).await {
        let text = e.to_string();
        return Err(if text.contains("locked") || text.contains("busy") {
            format!(
                "the database {} is in use ({text}): stop the shop (and any other `server` command using it), \
                 then restore again",
                db_path.display()
            )
        } else {
            format!(
                "cannot open the SQLite database {}: {text}; set DATABASE_URL to the database to replace",
                db_path.display()
            )
        });
    }
    let held = contents(&mut lock).await?;
    if held.rows > 0 && !force {
        return Err(format!(
            "the database {} already holds a shop ({} users, {} products, {} orders): restore into a new DATABASE_URL, \
             or add --force to replace it (take a backup of it first)",
            db_path.display(),
            held.users,
            held.products,
            held.orders
        ));
    }
    // Out of WAL: the old database's log is folded in and deleted, so no log of it is left for
    // SQLite to replay into the restored file.
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut lock)
        .await
        .map_err(|e| format!("cannot prepare {} for the restore: {e}", db_path.display()))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(format!(
            "the database {} is in use (its journal stays {mode}): stop the shop first",
            db_path.display()
        ));
    }

    let temp = TempFile::beside(db_path)?;
    sqlx::query("VACUUM INTO $1").bind(utf8(&temp.path)?).execute(&mut *source_conn).await.map_err(|e| {
        format!(
            "copying {} to {} failed: {e}; check the folder is writable and has room",
            source.display(),
            temp.shown()
        )
    })?;
    sync_file(&temp.path)?;
    temp.replace(db_path)?;
    // Whatever journal the old file had would be replayed into the new one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = db_path.to_path_buf().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    sync_dir(db_path);
    let _ = lock.close().await;
    Ok(())
}

/// DATABASE_URL's options, or a message that says backups here are SQLite's.
fn sqlite_options(database_url: &str) -> Result<SqliteConnectOptions, String> {
    if Engine::from_url(database_url)? == Engine::Postgres {
        return Err(POSTGRES_BACKUP.to_string());
    }
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|e| format!("DATABASE_URL {database_url:?} is not a valid SQLite URL: {e}"))?;
    // sqlx names an in-memory database "file:sqlx-in-memory-N"; no file is behind it.
    if database_url.contains(":memory:") || database_url.contains("mode=memory") {
        return Err("DATABASE_URL names an in-memory database, which has nothing to back up or restore into".into());
    }
    Ok(options)
}

async fn open_read_only(path: &Path) -> Result<SqliteConnection, String> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(|e| format!("cannot open {} as a SQLite database: {e}", path.display()))
}

/// A shop database as found: its schema version and a few counts.
struct Shop {
    version: i64,
    pending: usize,
    orders: i64,
    products: i64,
}

/// Checks `path` (open as `conn`) is a database of this shop that this build can serve and, with
/// `check_pages`, that SQLite finds it sound (`quick_check`: every page and record readable).
async fn inspect(conn: &mut SqliteConnection, path: &Path, check_pages: bool) -> Result<Shop, String> {
    let shown = path.display();
    if check_pages {
        let check: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| format!("{shown} cannot be read as a SQLite database: {e}"))?;
        if check.first().map(String::as_str) != Some("ok") {
            return Err(format!("{shown} is damaged (SQLite's quick_check: {})", check.join("; ")));
        }
    }
    let has_migrations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| format!("{shown} cannot be read: {e}"))?;
    if has_migrations == 0 {
        return Err(format!("{shown} is a SQLite database but not this shop's (it has no schema_migrations table)"));
    }
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| format!("{shown}: its schema_migrations table cannot be read: {e}"))?;
    let version = applied.iter().map(|(v, _)| *v).max().unwrap_or(0);
    let known = latest_migration(Engine::Sqlite);
    if version > known {
        return Err(format!(
            "{shown} comes from a newer version of the shop (schema version {version}; this build knows up to \
             {known}): use that version's server"
        ));
    }
    let pending = check_migration_history(Engine::Sqlite, &applied).map_err(|e| format!("{shown}: {e}"))?;
    let held = contents(conn).await?;
    Ok(Shop { version, pending, orders: held.orders, products: held.products })
}

/// What a database holds, counted in the tables a shop cannot be without.
struct Contents {
    users: i64,
    products: i64,
    orders: i64,
    /// Their sum: 0 for a new database, or one only `server migrate` has run on.
    rows: i64,
}

async fn contents(conn: &mut SqliteConnection) -> Result<Contents, String> {
    let mut counts = [0i64; 4];
    for (i, table) in ["users", "merchants", "products", "orders"].iter().enumerate() {
        let present: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1")
            .bind(table)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| format!("cannot read the database: {e}"))?;
        if present > 0 {
            // The name is one of the four above, never input.
            counts[i] = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| format!("cannot count the {table} of the database: {e}"))?;
        }
    }
    let [users, merchants, products, orders] = counts;
    Ok(Contents {
        users,
        products,
        orders,
        rows: users.saturating_add(merchants).saturating_add(products).saturating_add(orders),
    })
}

/// A file being written under a temporary name beside its destination (same folder, so the final
/// rename is atomic); removed unless it was given its name.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    fn beside(dest: &Path) -> Result<TempFile, String> {
        let name = dest
            .file_name()
            .ok_or_else(|| format!("{} names a folder, not a file", dest.display()))?
            .to_string_lossy()
            .into_owned();
        let folder = match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => p.to_path_buf(),
            None => PathBuf::from("."),
        };
        if !folder.is_dir() {
            return Err(format!("the folder {} does not exist; create it first", folder.display()));
        }
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let path = folder.join(format!(".{name}.partial-{}-{nanos}", std::process::id()));
        Ok(TempFile { path, kept: false })
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// Gives the file the name `dest`, which must not exist: a hard link fails rather than
    /// replace a file that appeared meanwhile (a rename would silently overwrite it).
    fn publish_new(mut self, dest: &Path) -> Result<(), String> {
        match std::fs::hard_link(&self.path, dest) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists(dest)),
            // A file system without hard links: check, then rename.
            Err(_) if dest.symlink_metadata().is_ok() => return Err(exists(dest)),
            Err(_) => {
                std::fs::rename(&self.path, dest)
                    .map_err(|e| format!("cannot name the backup {}: {e}", dest.display()))?;
            }
        }
        self.kept = true;
        let _ = std::fs::remove_file(&self.path);
        sync_dir(dest);
        Ok(())
    }

    /// Renames the file over `dest` (atomic: readers see the old file or the new one).
    fn replace(mut self, dest: &Path) -> Result<(), String> {
        std::fs::rename(&self.path, dest)
            .map_err(|e| format!("cannot put the restored database in place at {}: {e}", dest.display()))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn exists(dest: &Path) -> String {
    format!(
        "{} already exists and backups never overwrite: choose a new name (e.g. with today's date) or move the old file away",
        dest.display()
    )
}

/// SQLite binds the file name as text.
fn utf8(path: &Path) -> Result<&str, String> {
    path.to_str().ok_or_else(|| format!("{} is not valid UTF-8; choose a plainer path", path.display()))
}

fn has_sqlite_header(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header)).is_ok() && &header == b"SQLite format 3\0"
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// VACUUM INTO does not sync what it writes; the copy must be on disk before it gets its name.
fn sync_file(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot flush {} to disk: {e}", path.display()))
}

/// Makes a rename in `path`'s folder durable. Best effort: the file itself is already synced.
fn sync_dir(path: &Path) {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Err(e) = std::fs::File::open(folder).and_then(|f| f.sync_all()) {
        tracing::warn!(folder = %folder.display(), error = %e, "could not sync the folder after a rename");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_is_pointed_to_pg_dump() {
        let err = sqlite_options("postgres://shop:secret@db/shop").unwrap_err();
        assert!(err.contains("pg_dump") && err.contains("pg_restore"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert!(sqlite_options("sqlite::memory:").unwrap_err().contains("in-memory"));
        assert!(sqlite_options("sqlite://data/shop.db").is_ok());
    }

    #[test]
    fn a_temp_file_sits_beside_its_destination_and_is_removed_unless_kept() {
        let dir = std::env::temp_dir().join(format!("shop-backup-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("shop.db");
        let temp = TempFile::beside(&dest).unwrap();
        assert_eq!(temp.path.parent(), Some(dir.as_path()));
        std::fs::write(&temp.path, b"x").unwrap();
        let path = temp.path.clone();
        drop(temp);
        assert!(!path.exists());
        assert!(TempFile::beside(&dir.join("missing").join("shop.db")).unwrap_err().contains("does not exist"));
        std::fs::write(&dest, b"old").unwrap();
        let temp = TempFile::beside(&dest).unwrap();
        std::fs::write(&temp.path, b"new").unwrap();
        assert!(temp.publish_new(&dest).unwrap_err().contains("never overwrite"));
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "the temp file is gone");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
