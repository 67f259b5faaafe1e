//! Payments for the dashboard: a store's payments (or the marketplace's, for the platform admin),
//! capturing an authorized payment through the gateway, and the marketplace's capture mode.
//! Capturing takes the whole order's money, so a store may only capture an order that is entirely
//! its own (`domain::admin_pages::can_capture`).
use super::Shop;
use super::admin_store::CaptureOutcome;
use super::errors::store_err;
use crate::domain::admin_pages::{CaptureMode, PAGE_SIZE, PaymentList, PaymentRow, capture_refusal};
use crate::domain::order_search;
use crate::domain::paging::{self, Cursor};

/// Payments a page shows.
const PAGE: usize = PAGE_SIZE as usize;
use crate::domain::errors::AppError;
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::money::Money;
use crate::domain::payment::{Payment, PaymentEvent, PaymentEventKind, PaymentStatus};

/// One page of payments for `scope` (a store, or the whole marketplace when `None`). Unknown
/// status filters are dropped rather than refused: the list is a link people share.
pub async fn list(
    shop: &Shop,
    scope: Option<i64>,
    is_admin: bool,
    status: Option<&str>,
    search: Option<&str>,
    cursor: Cursor,
) -> Result<PaymentList, AppError> {
    let status = status.and_then(PaymentStatus::parse);
    let typed = search.unwrap_or_default().trim().to_string();
    let (query, search_error) = match order_search::parse(&typed) {
        Ok(q) => (q, None),
        Err(message) => (None, Some(message)),
    };
    let read = |cursor: Cursor| shop.admin.payments(scope, status, query.as_ref(), cursor, paging::fetch_size(PAGE));
    let page = super::list_pages::cursor_page(read, |r| r.order_id, cursor, PAGE).await?;
    let title = match scope {
        Some(id) => super::merchants::settings(shop, id)
            .await?
            .map(|s| s.name)
            .ok_or_else(|| AppError::NotFound("No such store.".into()))?,
        None => "Marketplace".into(),
    };
    let capture_mode = shop.admin.capture_mode().await.map_err(store_err)?;
    let action_key = super::random::action_key();
    Ok(PaymentList {
        merchant_id: scope,
        title,
        is_admin,
        capture_mode,
        status,
        search: typed,
        search_error,
        page,
        action_key,
    })
}

/// Takes the authorized amount of order `order_number`'s payment. A retry with the same
/// idempotency key answers like the first capture and never charges twice.
pub async fn capture(
    shop: &Shop,
    scope: Option<i64>,
    is_admin: bool,
    order_number: &str,
    idempotency_key: &str,
) -> Result<PaymentRow, AppError> {
    let key = IdempotencyKey::parse(idempotency_key).map_err(|m| AppError::one("idempotency_key", m))?;
    let missing = || AppError::NotFound("We couldn't find a payment for that order in your store.".into());
    let row = shop.admin.payment(scope, order_number.trim()).await.map_err(store_err)?.ok_or_else(missing)?;
    // A store's row shows only its part; the capture takes the whole payment, so its amount is
    // read from the marketplace's view (the store has a part, checked just above).
    let whole = match scope {
        None => row.clone(),
        Some(_) => shop.admin.payment(None, &row.order_number).await.map_err(store_err)?.ok_or_else(missing)?,
    };
    let currency = whole.currency;
    // Parts cancelled while the payment was only authorized are not taken (`capture_amount`).
    let authorized_amount = Money::new(whole.amount_minor, currency);
    let amount = Money::new(crate::domain::admin_pages::capture_amount(&whole), currency);
    let now = shop.clock.now();
    let key = format!("{}-capture", key.as_str());
    let reference = row.gateway_reference.clone().unwrap_or_default();
    let event = PaymentEvent::succeeded(PaymentEventKind::Capture, amount, now, Some(reference.clone()), &key);
    if let Some(refusal) = capture_refusal(&row, is_admin) {
        // A retry of a capture that went through answers like the first one.
        if row.status == PaymentStatus::Captured
            && shop.admin.record_capture(row.payment_id, &event, now).await.map_err(store_err)?
                == CaptureOutcome::Captured
        {
            return Ok(row);
        }
        return Err(AppError::Conflict(refusal));
    }
    // The state machine decides what may be captured before the gateway is asked.
    let authorized = Payment {
        status: PaymentStatus::Authorized,
        amount: authorized_amount,
        captured: Money::new(0, currency),
        refunded: Money::new(0, currency),
        gateway_reference: row.gateway_reference.clone(),
    };
    authorized.apply(&event).map_err(|e| AppError::Conflict(e.to_string()))?;
    let answer = shop.gateway.capture(&reference, amount, &key).await;
    if !answer.is_approved() {
        return Err(AppError::Conflict(
            "The card issuer refused the capture (the hold may have expired); nothing was taken.".into(),
        ));
    }
    let event = PaymentEvent::succeeded(PaymentEventKind::Capture, amount, now, Some(answer.reference), &key);
    match shop.admin.record_capture(row.payment_id, &event, now).await.map_err(store_err)? {
        CaptureOutcome::Captured => {}
        CaptureOutcome::NotAuthorized => {
            return Err(AppError::Conflict(
                "This payment was captured or cancelled meanwhile; reload to see it.".into(),
            ));
        }
    }
    shop.admin.payment(scope, &row.order_number).await.map_err(store_err)?.ok_or_else(missing)
}

/// Sets the marketplace's capture mode from the form ("automatic" or "manual").
pub async fn set_capture_mode(shop: &Shop, typed: &str) -> Result<(), AppError> {
    let mode = CaptureMode::parse(typed)
        .ok_or_else(|| AppError::one("mode", "Choose automatic (at checkout) or manual (from the Payments page)."))?;
    shop.admin.set_capture_mode(mode, shop.clock.now()).await.map_err(store_err)
}

/// The marketplace's capture mode.
pub async fn capture_mode(shop: &Shop) -> Result<CaptureMode, AppError> {
    shop.admin.capture_mode().await.map_err(store_err)
}
