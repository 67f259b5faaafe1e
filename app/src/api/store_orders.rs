//! A store's orders: its queue of order parts and one order as the store sees it (its own part,
//! the address to ship to, the order's payment and its events). Staff of that store and the
//! platform admin only; another store's order answers like a missing one.
use crate::domain::errors::AppError;
use crate::domain::order_view::{MerchantOrderView, MerchantPartSummary};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreOrderQueue {
    pub merchant_id: i64,
    pub store_name: String,
    pub status: Option<String>,
    pub parts: Vec<MerchantPartSummary>,
}

#[server(endpoint = "admin/orders")]
pub async fn store_orders(merchant_id: Option<i64>, status: Option<String>) -> Result<StoreOrderQueue, AppError> {
    use crate::domain::order::PartStatus;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::store_err;
    // Unknown filters are dropped rather than refused: the list is a link people share.
    let status = status.filter(|s| PartStatus::parse(s).is_some());
    let parts = shop.orders.parts_of_merchant(merchant_id, status.as_deref(), 200).await.map_err(internal)?;
    let store_name = shop
        .accounts
        .merchants()
        .await
        .map_err(internal)?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .map(|m| m.name)
        .unwrap_or_default();
    Ok(StoreOrderQueue { merchant_id, store_name, status, parts })
}

#[server(endpoint = "admin/order")]
pub async fn store_order(merchant_id: Option<i64>, number: String) -> Result<MerchantOrderView, AppError> {
    use crate::domain::order::OrderNumber;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let missing = || AppError::NotFound("We couldn't find that order in your store.".into());
    let number = OrderNumber::parse(&number).map_err(|_| missing())?;
    let (_, view) = shop
        .orders
        .order_view(number.as_str())
        .await
        .map_err(crate::services::store_err)?
        .ok_or_else(missing)?;
    let mut view = MerchantOrderView::of(view, merchant_id).ok_or_else(missing)?;
    view.action_key =
        crate::domain::idempotency::IdempotencyKey::from_random(crate::services::random::bytes::<16>())
            .as_str()
            .to_string();
    Ok(view)
}
