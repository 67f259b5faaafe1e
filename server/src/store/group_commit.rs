//! Group commit for SQLite's hot writes (placing an order, recording its payment).
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every commit waits for the disk
//! (an fsync, 1–3 ms here). Each checkout commits twice, so one commit per transaction caps a
//! shop at a few hundred orders a second however fast the rest is, and writers queueing on
//! SQLite's busy handler sleep in steps of up to 100 ms (the old p99 of 300–500 ms).
//! Here those writes go to one writer task per store instead: it takes every write waiting,
//! runs each inside a savepoint of one transaction (a write that refuses — out of stock, a
//! repeated idempotency key — or fails is rolled back to its savepoint alone), commits once, and
//! only then answers each caller. A caller is told "placed" only after the commit that holds its
//! order; if that commit fails, every write of the batch hears the error (and nothing of them is
//! stored, so a retry with the same idempotency key starts clean).
//!
//! PostgreSQL writers run in parallel with row locks and commit on their own
//! (`PgStore::grouped` opens a transaction per write).
use super::errors::map_sqlx;
use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::statements::begin_write;
use app::services::StoreError;
use sqlx::{Sqlite, Transaction};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};

/// At most this many writes share a commit (a batch holds SQLite's write lock while it runs).
pub const MAX_BATCH: usize = 64;
/// Writes waiting for the writer beyond this make their callers wait to enqueue.
const QUEUE: usize = 1024;

/// What a grouped write runs inside its transaction (or savepoint); it never commits itself.
pub(crate) type WriteFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>;
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
type JobFuture<'c> = Pin<Box<dyn Future<Output = (bool, Deliver)> + Send + 'c>>;
type Job = Box<dyn for<'c> FnOnce(&'c mut Transaction<'static, Sqlite>) -> JobFuture<'c> + Send>;

/// The queue to a store's writer task, started by the first grouped write on the runtime that
/// makes it (and again if that task ever ends, e.g. its runtime was shut down).
#[derive(Default)]
pub struct Writer(Mutex<Option<mpsc::Sender<Job>>>);

impl SqliteStore {
    /// Runs `work` in the shared batch transaction; keeps its changes when it succeeds and
    /// `keep` says so (else rolls them back to its savepoint); answers after the batch commits.
    pub(crate) async fn grouped<T, F, K>(&self, work: F, keep: K) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Transaction<'static, Sqlite>) -> WriteFuture<'c, T> + Send + 'static,
        K: FnOnce(&T) -> bool + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |tx| {
            Box::pin(async move {
                let result = work(tx).await;
                let kept = match &result {
                    Ok(value) => keep(value),
                    Err(_) => false,
                };
                let deliver: Deliver = Box::new(move |committed| {
                    // A write of a batch whose commit failed did not happen, whatever it saw.
                    let _ = answer.send(committed.map_err(StoreError::Unavailable).and(result));
                });
                (kept, deliver)
            })
        });
        self.enqueue(job).await?;
        answered.await.map_err(|_| {
            StoreError::Unavailable("the write was not carried out (the database writer stopped); try again".into())
        })?
    }

    async fn enqueue(&self, job: Job) -> Result<(), StoreError> {
        let mut job = job;
        for _ in 0..2 {
            let queue = self.writer_queue()?;
            match queue.send(job).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(back)) => {
                    // The writer task is gone: forget its queue so the next try starts another.
                    job = back;
                    if let Ok(mut slot) = self.writer.0.lock() {
                        *slot = None;
                    }
                }
            }
        }
        Err(StoreError::Unavailable("the database writer could not be started".into()))
    }

    fn writer_queue(&self) -> Result<mpsc::Sender<Job>, StoreError> {
        let mut slot =
            self.writer.0.lock().map_err(|_| StoreError::Other("the writer queue lock is poisoned".into()))?;
        if let Some(queue) = slot.as_ref().filter(|q| !q.is_closed()) {
            return Ok(queue.clone());
        }
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run_writer(self.write_pool.clone(), jobs));
        *slot = Some(queue.clone());
        Ok(queue)
    }
}

impl PgStore {
    /// PostgreSQL: the write in a transaction of its own (row locks let writers run side by side).
    pub(crate) async fn grouped<T, F, K>(&self, work: F, keep: K) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Transaction<'static, sqlx::Postgres>) -> WriteFuture<'c, T> + Send + 'static,
        K: FnOnce(&T) -> bool + Send + 'static,
    {
        let mut tx = begin_write(&self.write_pool).await.map_err(map_sqlx)?;
        let value = work(&mut tx).await?;
        if keep(&value) {
            tx.commit().await.map_err(map_sqlx)?;
        } else {
            tx.rollback().await.map_err(map_sqlx)?;
        }
        Ok(value)
    }
}

async fn run_writer(pool: sqlx::SqlitePool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&pool, batch).await;
    }
}

/// One transaction for the batch, a savepoint per write. Writes not run (the transaction could
/// not start, or broke) are dropped, and their callers hear that the writer did not carry them out.
async fn run_batch(pool: &sqlx::SqlitePool, batch: Vec<Job>) {
    let size = batch.len();
    let mut tx = match begin_write(pool).await {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, writes = size, "could not start a write transaction for a batch");
            return;
        }
    };
    let mut answers = Vec::with_capacity(size);
    let mut broken = None;
    for job in batch {
        if let Err(e) = sqlx::query("SAVEPOINT grouped_write").execute(&mut *tx).await {
            broken = Some(e.to_string());
            break;
        }
        let (kept, deliver) = job(&mut tx).await;
        answers.push(deliver);
        let end = if kept { release(&mut tx).await } else { roll_back(&mut tx).await };
        if let Err(e) = end {
            broken = Some(e.to_string());
            break;
        }
    }
    let committed = match broken {
        Some(e) => {
            tracing::error!(error = %e, writes = size, "a batch of writes broke; rolled back");
            drop(tx);
            Err(format!("the write was rolled back ({e}); try again"))
        }
        None => tx.commit().await.map_err(|e| {
            tracing::error!(error = %e, writes = size, "committing a batch of writes failed");
            format!("the write could not be committed ({e}); try again")
        }),
    };
    for deliver in answers {
        deliver(committed.clone());
    }
}

async fn release(tx: &mut Transaction<'static, Sqlite>) -> Result<(), sqlx::Error> {
    sqlx::query("RELEASE grouped_write").execute(&mut **tx).await.map(|_| ())
}

async fn roll_back(tx: &mut Transaction<'static, Sqlite>) -> Result<(), sqlx::Error> {
    sqlx::query("ROLLBACK TO grouped_write").execute(&mut **tx).await?;
    release(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder removed when the test ends (named like the integration tests' folders, which
    /// sweep those of dead test processes).
    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn store() -> (SqliteStore, TempDir) {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = TempDir(std::env::temp_dir().join(format!("shop-test-group-{}-0-{n}", std::process::id())));
        std::fs::create_dir_all(&dir.0).unwrap();
        let url = format!("sqlite://{}", dir.0.join("g.db").display());
        let store = SqliteStore::connect(&url, 4).await.unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)").execute(&store.pool).await.unwrap();
        (store, dir)
    }

    fn insert(
        k: &'static str,
        v: i64,
    ) -> impl for<'c> FnOnce(&'c mut Transaction<'static, Sqlite>) -> WriteFuture<'c, u64> {
        move |tx| {
            Box::pin(async move {
                let done = sqlx::query("INSERT INTO t (k, v) VALUES ($1, $2)").bind(k).bind(v).execute(&mut **tx).await;
                done.map(|r| r.rows_affected()).map_err(map_sqlx)
            })
        }
    }

    /// Many concurrent writes: each kept one is stored, a refused one (keep = false) and a failed
    /// one (a duplicate key) leave nothing behind and do not undo their neighbours.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_write_keeps_or_loses_only_its_own_changes() {
        let (store, _dir) = store().await;
        let keys: Vec<&'static str> = (0..40).map(|i| &*Box::leak(format!("k{i}").into_boxed_str())).collect();
        let mut tasks = Vec::new();
        for (i, k) in keys.iter().copied().enumerate() {
            let s = store.clone();
            tasks.push(tokio::spawn(async move { s.grouped(insert(k, i as i64), move |_| i % 4 != 3).await }));
        }
        // Two writes of the same key: exactly one wins, the other fails with a conflict.
        let (a, b) = (store.clone(), store.clone());
        let dup = tokio::spawn(async move {
            tokio::join!(a.grouped(insert("dup", 1), |_| true), b.grouped(insert("dup", 2), |_| true))
        });
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.unwrap().unwrap(), 1, "write {i} answered");
        }
        let (x, y) = dup.await.unwrap();
        assert!(x.is_ok() != y.is_ok(), "one duplicate stored, one refused: {x:?} {y:?}");
        assert!(matches!(x.err().or(y.err()), Some(StoreError::Conflict(_))));
        let stored: Vec<(String, i64)> =
            sqlx::query_as("SELECT k, v FROM t WHERE k <> 'dup' ORDER BY v").fetch_all(&store.pool).await.unwrap();
        let expected: Vec<(String, i64)> = (0..40i64).filter(|i| i % 4 != 3).map(|i| (format!("k{i}"), i)).collect();
        assert_eq!(stored, expected);
        let dups: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM t WHERE k = 'dup'").fetch_one(&store.pool).await.unwrap();
        assert_eq!(dups, 1);
    }

    /// A write answered "done" is on disk: a second connection (another process would be the
    /// same) reads it as soon as the call returns.
    #[tokio::test]
    async fn an_answer_comes_after_the_commit() {
        let (store, dir) = store().await;
        store.grouped(insert("a", 7), |_| true).await.unwrap();
        let url = format!("sqlite://{}", dir.0.join("g.db").display());
        let other = SqliteStore::connect(&url, 1).await.unwrap();
        let v: i64 = sqlx::query_scalar("SELECT v FROM t WHERE k = 'a'").fetch_one(&other.pool).await.unwrap();
        assert_eq!(v, 7);
    }
}
