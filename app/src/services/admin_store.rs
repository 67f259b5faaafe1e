//! The storage port behind the dashboard's Payments, Reviews, Settings and Users pages, and the
//! marketplace's settings. Store-scoped calls take the acting store's id and never return another
//! store's rows.
use super::catalog_store::StoreError;
use crate::domain::admin_pages::{CaptureMode, PaymentRow, StoreReviewRow, StoreSettings, StoreTodo, UserRow};
use crate::domain::order_search::OrderQuery;
use crate::domain::paging::Cursor;
use crate::domain::payment::{PaymentEvent, PaymentStatus};
use async_trait::async_trait;

/// What became of a capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureOutcome {
    /// Recorded now, or earlier under the same idempotency key.
    Captured,
    /// The payment was no longer authorized when the write ran (captured or voided meanwhile).
    NotAuthorized,
}

#[async_trait]
pub trait AdminStore: Send + Sync + 'static {
    async fn capture_mode(&self) -> Result<CaptureMode, StoreError>;
    async fn set_capture_mode(&self, mode: CaptureMode, now: i64) -> Result<(), StoreError>;

    /// Payments of orders with a part of store `merchant_id` (every payment when `None`),
    /// optionally of one status and matching a search (order number, e-mail or its start), at
    /// most `limit` from `cursor` (an order id) on: newest first, or oldest first for
    /// `Cursor::After` (`domain::paging`). A store's rows carry only its part's figures and
    /// status (see `PaymentRow`), and the status filter matches that status.
    async fn payments(
        &self,
        merchant_id: Option<i64>,
        status: Option<PaymentStatus>,
        search: Option<&OrderQuery>,
        cursor: Cursor,
        limit: i64,
    ) -> Result<Vec<PaymentRow>, StoreError>;
    /// One payment as `payments` shows it, by order number; `None` when that store has no part.
    async fn payment(&self, merchant_id: Option<i64>, order_number: &str) -> Result<Option<PaymentRow>, StoreError>;
    /// Records a successful capture event, only if the payment is still authorized; a repeated
    /// idempotency key answers `Captured` without writing twice.
    async fn record_capture(
        &self,
        payment_id: i64,
        event: &PaymentEvent,
        now: i64,
    ) -> Result<CaptureOutcome, StoreError>;

    async fn store_settings(&self, merchant_id: i64) -> Result<Option<StoreSettings>, StoreError>;
    async fn save_store_settings(
        &self,
        merchant_id: i64,
        name: &str,
        description: &str,
        support_email: &str,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Reviews of the store's products by cursor (`domain::paging`), newest first: only those
    /// without a reply when `unanswered`, only of products whose title or a SKU contains `search`
    /// (blank: all). At most `limit` rows; nothing is counted.
    async fn store_reviews(
        &self,
        merchant_id: i64,
        unanswered: bool,
        search: &str,
        cursor: Cursor,
        limit: i64,
    ) -> Result<Vec<StoreReviewRow>, StoreError>;

    /// How many reviews the store's products have and their average rating, from the store's
    /// totals kept with every review (one row, whatever the store's size).
    async fn store_rating(&self, merchant_id: i64) -> Result<(i64, Option<f64>), StoreError>;

    /// The Overview's counts for store `merchant_id`, low stock meaning at or below `threshold`.
    async fn store_todo(&self, merchant_id: i64, threshold: i64) -> Result<StoreTodo, StoreError>;

    /// Users whose email or name contains `q` (case-insensitive; blank for all), newest first.
    async fn find_users(&self, q: &str, limit: i64, offset: i64) -> Result<(Vec<UserRow>, i64), StoreError>;
}
