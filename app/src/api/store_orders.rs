//! A store's orders: its queue of order parts and one order as the store sees it (its own part,
//! the address to ship to, the order's payment and its events). Staff of that store and the
//! platform admin only; another store's order answers like a missing one.
use crate::domain::errors::AppError;
use crate::views::orders::{MerchantOrderView, StoreOrderQueue};
use leptos::prelude::*;

/// The store to act for: the one named (its staff or an admin), else the caller's own store.
#[cfg(feature = "ssr")]
pub(crate) async fn acting_store(merchant_id: Option<i64>) -> Result<i64, AppError> {
    use super::guard::{Access, require};
    match merchant_id {
        Some(id) => require(Access::StoreStaff(id)).await.map(|_| id),
        None => {
            let who = require(Access::AnyStoreStaff).await?;
            who.store.map(|s| s.merchant_id).ok_or_else(|| AppError::one("store", "Choose a store to see its orders."))
        }
    }
}

#[server(endpoint = "admin/orders")]
pub async fn store_orders(merchant_id: Option<i64>, status: Option<String>) -> Result<StoreOrderQueue, AppError> {
    let merchant_id = acting_store(merchant_id).await?;
    crate::services::order_views::store_queue(&super::guard::shop()?, merchant_id, status).await
}

#[server(endpoint = "admin/order")]
pub async fn store_order(merchant_id: Option<i64>, number: String) -> Result<MerchantOrderView, AppError> {
    let merchant_id = acting_store(merchant_id).await?;
    crate::services::order_views::store_order(&super::guard::shop()?, merchant_id, &number).await
}
