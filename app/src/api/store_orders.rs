//! A store's orders: its queue of order parts and one order as the store sees it (its own part,
//! the address to ship to, the order's payment and its events). Staff of that store and the
//! platform admin only; another store's order answers like a missing one.
use crate::domain::errors::AppError;
use crate::views::orders::{MerchantOrderView, StoreOrderQueue};
use leptos::prelude::*;

#[server(endpoint = "admin/orders")]
pub async fn store_orders(
    merchant_id: Option<i64>,
    status: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<StoreOrderQueue, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let cursor = crate::domain::paging::Cursor::from_keys(before, after);
    crate::services::order_views::store_queue(&super::guard::shop()?, merchant_id, status, q, cursor).await
}

#[server(endpoint = "admin/order")]
pub async fn store_order(merchant_id: Option<i64>, number: String) -> Result<MerchantOrderView, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    crate::services::order_views::store_order(&super::guard::shop()?, merchant_id, &number).await
}
