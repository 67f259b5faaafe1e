//! The storage port for store analytics: what the database holds for one store and period, read
//! by the definitions in `domain::analytics` (paid orders, gross sales, refunds, top products,
//! funnel). Every figure is scoped to one store: its order parts, its products' views and adds.
use super::catalog_store::StoreError;
use crate::domain::analytics::{Period, RawFigures};
use crate::domain::money::Currency;
use async_trait::async_trait;

#[async_trait]
pub trait AnalyticsStore: Send + Sync + 'static {
    /// The store's figures for the period (UTC days, orders by the day they were placed), with the
    /// `top` products limited to `top`.
    async fn figures(&self, merchant_id: i64, period: Period, top: i64) -> Result<RawFigures, StoreError>;
    /// The currency of the store's prices (its newest product's), `None` without products.
    async fn store_currency(&self, merchant_id: i64) -> Result<Option<Currency>, StoreError>;
}
