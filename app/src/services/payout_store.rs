//! The storage port behind marketplace money (`services::payouts`): what a store's ledger is
//! worked out from, the payouts recorded, and the commission rates.
use super::catalog_store::StoreError;
use crate::domain::money::Currency;
use crate::domain::payouts::{CommissionRate, LedgerPart, LedgerRefund, PayoutRecord};
use async_trait::async_trait;

/// The rows a ledger is built from (`domain::payouts::ledger`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerSource {
    /// Parts whose payment was captured and that were not cancelled before the capture, of
    /// orders that became paid (a payment that arrived after its order closed went back whole).
    pub parts: Vec<LedgerPart>,
    /// Refunds of those parts that went through.
    pub refunds: Vec<LedgerRefund>,
    pub payouts: Vec<PayoutRecord>,
}

/// A store as the Payouts page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreRate {
    pub merchant_id: i64,
    pub name: String,
    pub own_rate: Option<CommissionRate>,
}

pub struct NewPayout {
    pub merchant_id: i64,
    pub currency: Currency,
    pub amount_minor: i64,
    pub reference: String,
    pub created_by: Option<i64>,
    pub idempotency_key: String,
    /// The store's payouts in this currency when the balance was checked: the payout is written
    /// only if that is still the sum (two admins paying the same balance at once cannot both).
    pub expected_paid_minor: i64,
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayoutRecorded {
    Recorded(PayoutRecord),
    /// A payout was recorded with this idempotency key before (nothing was written now).
    KeyExists(PayoutRecord),
    /// Another payout for the store was recorded since the balance was read: check again.
    Stale,
    NoSuchStore,
}

#[async_trait]
pub trait PayoutStore: Send + Sync + 'static {
    /// The ledger rows of store `merchant_id`, or of every store when `None`.
    async fn ledger_source(&self, merchant_id: Option<i64>) -> Result<LedgerSource, StoreError>;
    async fn record_payout(&self, payout: &NewPayout) -> Result<PayoutRecorded, StoreError>;
    async fn payout_by_key(&self, idempotency_key: &str) -> Result<Option<PayoutRecord>, StoreError>;
    /// The marketplace's default rate.
    async fn default_commission(&self) -> Result<CommissionRate, StoreError>;
    async fn set_default_commission(&self, rate: CommissionRate, now: i64) -> Result<(), StoreError>;
    /// Every store (by name) with its own rate, if any.
    async fn store_rates(&self) -> Result<Vec<StoreRate>, StoreError>;
    /// Sets (or with `None` clears) a store's own rate; false when there is no such store.
    async fn set_store_commission(&self, merchant_id: i64, rate: Option<CommissionRate>) -> Result<bool, StoreError>;
}
