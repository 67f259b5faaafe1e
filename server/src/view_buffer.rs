//! Product views, recorded without slowing the page: `record` pushes onto an in-memory buffer
//! (a mutex held for a push), and a background task writes the buffer in one transaction every
//! `FLUSH_EVERY` or as soon as `FLUSH_AT` views are waiting. The task starts with the first view,
//! on the runtime serving it; `flush` writes what is left at shutdown. A failed write is logged
//! and dropped: a lost view only blurs a signal. Past `MAX_PENDING` waiting views (the database
//! down for a while) new ones are dropped rather than growing without bound.
use app::services::StoreError;
use app::services::recommendation_store::{RecommendationStore, ViewEvent, ViewSink};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::Notify;

pub const FLUSH_EVERY: Duration = Duration::from_secs(2);
pub const FLUSH_AT: usize = 200;
pub const MAX_PENDING: usize = 50_000;

pub struct ViewBuffer {
    pending: Mutex<Vec<ViewEvent>>,
    full: Notify,
    started: AtomicBool,
    /// One flush at a time, so batches are written in order.
    writing: tokio::sync::Mutex<()>,
    store: Arc<dyn RecommendationStore>,
    me: Weak<ViewBuffer>,
}

impl ViewBuffer {
    pub fn new(store: Arc<dyn RecommendationStore>) -> Arc<ViewBuffer> {
        Arc::new_cyclic(|me| ViewBuffer {
            pending: Mutex::new(Vec::new()),
            full: Notify::new(),
            started: AtomicBool::new(false),
            writing: tokio::sync::Mutex::new(()),
            store,
            me: me.clone(),
        })
    }

    /// Views waiting to be written.
    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    fn start(&self) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.started.store(false, Ordering::Release);
            return;
        };
        let me = self.me.clone();
        runtime.spawn(async move {
            loop {
                let Some(buffer) = me.upgrade() else { return };
                tokio::select! {
                    _ = tokio::time::sleep(FLUSH_EVERY) => {}
                    _ = buffer.full.notified() => {}
                }
                if let Err(e) = buffer.flush().await {
                    tracing::warn!(error = %e, "could not write buffered product views");
                }
            }
        });
    }
}

#[async_trait::async_trait]
impl ViewSink for ViewBuffer {
    fn record(&self, view: ViewEvent) {
        let waiting = {
            let Ok(mut pending) = self.pending.lock() else { return };
            if pending.len() >= MAX_PENDING {
                return;
            }
            pending.push(view);
            pending.len()
        };
        self.start();
        if waiting >= FLUSH_AT {
            self.full.notify_one();
        }
    }

    async fn flush(&self) -> Result<usize, StoreError> {
        let _one_at_a_time = self.writing.lock().await;
        let batch = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return Ok(0),
        };
        if batch.is_empty() {
            return Ok(0);
        }
        self.store.record_views(&batch).await
    }
}
