//! Payments for the dashboard: a store's payments (orders with a part of the store, each showing
//! only that part's money) or, for the platform admin without a chosen store, the marketplace's
//! whole payments; capture of authorized payments; and the marketplace's capture mode. Capturing takes the whole order's money, so a store may only
//! capture an order that is entirely its own (`domain::admin_pages::can_capture`).
use crate::domain::admin_pages::{PaymentList, PaymentRow};
use crate::domain::errors::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/payments")]
pub async fn store_payments(
    merchant_id: Option<i64>,
    status: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<PaymentList, AppError> {
    let (who, scope) = super::guard::store_or_marketplace(merchant_id).await?;
    let shop = super::guard::shop()?;
    let cursor = crate::domain::paging::Cursor::from_keys(before, after);
    crate::services::payments::list(&shop, scope, who.is_admin, status.as_deref(), q.as_deref(), cursor).await
}

/// Takes the authorized amount of order `order_number`'s payment. A retry with the same
/// idempotency key answers like the first capture and never charges twice.
#[server(endpoint = "admin/payments/capture")]
pub async fn capture_payment(
    merchant_id: Option<i64>,
    order_number: String,
    idempotency_key: String,
) -> Result<PaymentRow, AppError> {
    let (who, scope) = super::guard::store_or_marketplace(merchant_id).await?;
    let shop = super::guard::shop()?;
    crate::services::payments::capture(&shop, scope, who.is_admin, &order_number, &idempotency_key).await
}

/// The marketplace's capture mode: platform admin only.
#[server(endpoint = "admin/settings/capture_mode")]
pub async fn set_capture_mode(mode: String) -> Result<(), AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    crate::services::payments::set_capture_mode(&super::guard::shop()?, &mode).await
}
