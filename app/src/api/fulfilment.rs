//! After payment. A store's staff (or the platform admin acting for a store) ship, start,
//! cancel and refund the store's part of an order and handle its returns; another store's
//! order or return answers like a missing one; a store acts only on its own part's lines (the
//! services load the part of `merchant_id` and refuse lines not in it). The shopper who placed
//! an order (or, for a guest's order, whoever holds its access key) asks to return delivered
//! items.
//!
//! Ship, cancel and refund take an idempotency key (the form's `idempotency_key`, rendered as
//! `MerchantOrderView::action_key`, or an `Idempotency-Key` header): a retried request returns
//! the first outcome.
use crate::domain::errors::AppError;
use crate::views::orders::{CancelOutcome, RefundOutcome, ShipOutcome};
use leptos::prelude::*;

/// The request's idempotency key: the `Idempotency-Key` header, else the form's field.
#[cfg(feature = "ssr")]
async fn idempotency_key(form: Option<String>) -> Option<String> {
    let headers = super::guard::headers().await;
    headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string).or(form)
}

/// "12:2" (line 12, quantity 2) per line, as the form's fields send them.
#[cfg(feature = "ssr")]
fn line_quantities(raw: &[String]) -> Result<Vec<crate::domain::shipment::LineQuantity>, AppError> {
    raw.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let (id, qty) = s.split_once(':').unwrap_or((s.as_str(), "1"));
            match (id.trim().parse::<i64>(), qty.trim().parse::<i64>()) {
                (Ok(line_id), Ok(quantity)) => Ok(crate::domain::shipment::LineQuantity { line_id, quantity }),
                _ => Err(AppError::one("lines", format!("“{s}” is not a line and a quantity."))),
            }
        })
        .collect()
}

/// Ships some lines of the store's part: `lines` are "line id:quantity".
#[server(endpoint = "admin/order/ship")]
pub async fn ship_part(
    merchant_id: Option<i64>,
    number: String,
    carrier: String,
    tracking_number: String,
    lines: Option<Vec<String>>,
    idempotency_key: Option<String>,
) -> Result<ShipOutcome, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let request = crate::services::fulfilment::ShipRequest {
        carrier,
        tracking_number,
        lines: line_quantities(&lines.unwrap_or_default())?,
        idempotency_key: self::idempotency_key(idempotency_key).await,
        now: crate::services::clock::now(),
    };
    crate::services::fulfilment::ship_and_notify(&super::guard::shop()?, number.trim(), merchant_id, request).await
}

/// Paid → processing: the store has started preparing its part.
#[server(endpoint = "admin/order/process")]
pub async fn start_processing(merchant_id: Option<i64>, number: String) -> Result<String, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    crate::services::fulfilment::start_processing(shop.fulfilment.as_ref(), number.trim(), merchant_id).await
}

/// Cancels the store's part before it ships; the stock goes back and the money is returned.
#[server(endpoint = "admin/order/cancel")]
pub async fn cancel_part(
    merchant_id: Option<i64>,
    number: String,
    reason: String,
    idempotency_key: Option<String>,
) -> Result<CancelOutcome, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let request = crate::services::fulfilment::CancelRequest {
        reason,
        idempotency_key: self::idempotency_key(idempotency_key).await,
        now: crate::services::clock::now(),
    };
    crate::services::fulfilment::cancel_and_notify(&super::guard::shop()?, number.trim(), merchant_id, request).await
}

/// Refunds the whole part (`whole`) or lines: "line id" for all that is left on it, or
/// "line id:12.50" for an amount.
#[server(endpoint = "admin/order/refund")]
pub async fn refund_part(
    merchant_id: Option<i64>,
    number: String,
    whole: Option<bool>,
    lines: Option<Vec<String>>,
    idempotency_key: Option<String>,
) -> Result<RefundOutcome, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let form = crate::services::fulfilment::RefundForm {
        whole: whole.unwrap_or(false),
        lines: lines.unwrap_or_default(),
        idempotency_key: self::idempotency_key(idempotency_key).await,
        now: crate::services::clock::now(),
    };
    crate::services::fulfilment::refund_and_notify(&super::guard::shop()?, number.trim(), merchant_id, form).await
}

#[cfg(feature = "ssr")]
async fn decide(
    merchant_id: Option<i64>,
    return_id: i64,
    event: crate::domain::returns::ReturnEvent,
    reason: Option<String>,
) -> Result<String, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let now = crate::services::clock::now();
    crate::services::fulfilment::decide_and_notify(&super::guard::shop()?, merchant_id, return_id, event, reason, now)
        .await
}

/// Approves a requested return; the shopper may send the items back.
#[server(endpoint = "admin/return/approve")]
pub async fn approve_return(merchant_id: Option<i64>, return_id: i64) -> Result<String, AppError> {
    decide(merchant_id, return_id, crate::domain::returns::ReturnEvent::Approve, None).await
}

/// Rejects a requested return with a reason the shopper reads.
#[server(endpoint = "admin/return/reject")]
pub async fn reject_return(merchant_id: Option<i64>, return_id: i64, reason: String) -> Result<String, AppError> {
    decide(merchant_id, return_id, crate::domain::returns::ReturnEvent::Reject, Some(reason)).await
}

/// The returned items arrived; they go back into stock.
#[server(endpoint = "admin/return/receive")]
pub async fn receive_return(merchant_id: Option<i64>, return_id: i64) -> Result<String, AppError> {
    decide(merchant_id, return_id, crate::domain::returns::ReturnEvent::Receive, None).await
}

/// Refunds a received return through the payment gateway.
#[server(endpoint = "admin/return/refund")]
pub async fn refund_return(merchant_id: Option<i64>, return_id: i64) -> Result<RefundOutcome, AppError> {
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let now = crate::services::clock::now();
    crate::services::fulfilment::refund_return_and_notify(&super::guard::shop()?, merchant_id, return_id, now).await
}

/// The shopper asks to return delivered items of one store's part (`merchant_id`): `lines` are
/// "line id:quantity". Only the shopper who placed the order, or for a guest's order whoever
/// holds its access key (`key` from the order page's link, or the browser's cookie), may ask;
/// anyone else hears that there is no such order, and nothing is written.
#[server(endpoint = "orders/return")]
pub async fn request_return(
    number: String,
    merchant_id: i64,
    lines: Option<Vec<String>>,
    reason: String,
    key: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::order::OrderNumber;
    let (shop, headers, who, _) = super::cart::caller().await?;
    let missing = || AppError::NotFound("We couldn't find that order.".into());
    let number = OrderNumber::parse(&number).map_err(|_| missing())?;
    // Who may ask depends on who placed the order: read that first, then authorise.
    let owner =
        crate::services::fulfilment::part_owner(&shop, number.as_str(), merchant_id).await?.ok_or_else(missing)?;
    // Stores and the admin act on returns; they do not open them for the shopper.
    let allowed =
        super::checkout::may_open(&shop, &headers, &who, number.as_str(), owner, key.as_deref(), false).await?;
    if !allowed {
        return Err(missing());
    }
    let ask = crate::services::fulfilment::ReturnAsk {
        lines: line_quantities(&lines.unwrap_or_default())?,
        reason,
        now: crate::services::clock::now(),
    };
    crate::services::fulfilment::request_return(
        shop.fulfilment.as_ref(),
        crate::domain::returns::ReturnWindow::default(),
        number.as_str(),
        merchant_id,
        ask,
    )
    .await
}
