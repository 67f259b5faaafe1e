//! Payments for the dashboard: a store's payments (orders with a part of the store, each showing
//! only that part's money) or, for the platform admin without a chosen store, the marketplace's
//! whole payments; capture of authorized payments; and the marketplace's capture mode. Capturing takes the whole order's money, so a store may only
//! capture an order that is entirely its own (`domain::admin_pages::can_capture`).
use crate::domain::admin_pages::{PaymentList, PaymentRow};
use crate::domain::errors::AppError;
use leptos::prelude::*;

/// The store acted for (`None`: the whole marketplace, platform admin only) and whether the caller
/// is the platform admin.
#[cfg(feature = "ssr")]
async fn payment_scope(merchant_id: Option<i64>) -> Result<(Option<i64>, bool), AppError> {
    use super::guard::{Access, require};
    match merchant_id {
        Some(id) => require(Access::StoreStaff(id)).await.map(|p| (Some(id), p.is_admin)),
        None => {
            let who = require(Access::AnyStoreStaff).await?;
            match &who.store {
                Some(s) => Ok((Some(s.merchant_id), who.is_admin)),
                None if who.is_admin => Ok((None, true)),
                None => Err(AppError::Forbidden),
            }
        }
    }
}

#[server(endpoint = "admin/payments")]
pub async fn store_payments(
    merchant_id: Option<i64>,
    status: Option<String>,
    page: Option<i64>,
) -> Result<PaymentList, AppError> {
    use crate::domain::admin_pages::PAGE_SIZE;
    use crate::domain::payment::PaymentStatus;
    let (scope, is_admin) = payment_scope(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    // Unknown filters are dropped rather than refused: the list is a link people share.
    let status = status.as_deref().and_then(PaymentStatus::parse);
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) =
        shop.admin.payments(scope, status, PAGE_SIZE, (page - 1) * PAGE_SIZE).await.map_err(internal)?;
    let title = match scope {
        Some(id) => shop
            .admin
            .store_settings(id)
            .await
            .map_err(internal)?
            .map(|s| s.name)
            .ok_or_else(|| AppError::NotFound("No such store.".into()))?,
        None => "Marketplace".into(),
    };
    let capture_mode = shop.admin.capture_mode().await.map_err(internal)?;
    let action_key =
        crate::domain::idempotency::IdempotencyKey::from_random(crate::services::passwords::random_bytes::<16>())
            .as_str()
            .to_string();
    Ok(PaymentList { merchant_id: scope, title, is_admin, capture_mode, status, rows, total, page, action_key })
}

/// Takes the authorized amount of order `order_number`'s payment. A retry with the same
/// idempotency key answers like the first capture and never charges twice.
#[server(endpoint = "admin/payments/capture")]
pub async fn capture_payment(
    merchant_id: Option<i64>,
    order_number: String,
    idempotency_key: String,
) -> Result<PaymentRow, AppError> {
    use crate::domain::admin_pages::capture_refusal;
    use crate::domain::idempotency::IdempotencyKey;
    use crate::domain::money::Money;
    use crate::domain::payment::{Payment, PaymentEvent, PaymentEventKind, PaymentStatus};
    use crate::services::admin_store::CaptureOutcome;
    let (scope, is_admin) = payment_scope(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let key = IdempotencyKey::parse(&idempotency_key).map_err(|m| AppError::one("idempotency_key", m))?;
    let missing = || AppError::NotFound("We couldn't find a payment for that order in your store.".into());
    let row = shop.admin.payment(scope, order_number.trim()).await.map_err(internal)?.ok_or_else(missing)?;
    // A store's row shows only its part; the capture takes the whole payment, so its amount is
    // read from the marketplace's view (the store has a part, checked just above).
    let whole = match scope {
        None => row.clone(),
        Some(_) => shop.admin.payment(None, &row.order_number).await.map_err(internal)?.ok_or_else(missing)?,
    };
    let currency = whole.currency;
    let amount = Money::new(whole.amount_minor, currency);
    let now = crate::services::accounts::now();
    let key = format!("{}-capture", key.as_str());
    let reference = row.gateway_reference.clone().unwrap_or_default();
    let event = PaymentEvent::succeeded(PaymentEventKind::Capture, amount, now, Some(reference.clone()), &key);
    if let Some(refusal) = capture_refusal(&row, is_admin) {
        // A retry of a capture that went through answers like the first one.
        if row.status == PaymentStatus::Captured
            && shop.admin.record_capture(row.payment_id, &event, now).await.map_err(internal)?
                == CaptureOutcome::Captured
        {
            return Ok(row);
        }
        return Err(AppError::Conflict(refusal));
    }
    // The state machine decides what may be captured before the gateway is asked.
    let authorized = Payment {
        status: PaymentStatus::Authorized,
        amount,
        captured: Money::new(0, currency),
        refunded: Money::new(0, currency),
        gateway_reference: row.gateway_reference.clone(),
    };
    authorized.apply(&event).map_err(|e| AppError::Conflict(e.to_string()))?;
    let answer = shop.gateway.capture(&reference, amount, &key);
    if !answer.is_approved() {
        return Err(AppError::Conflict(
            "The card issuer refused the capture (the hold may have expired); nothing was taken.".into(),
        ));
    }
    let event = PaymentEvent::succeeded(PaymentEventKind::Capture, amount, now, Some(answer.reference), &key);
    match shop.admin.record_capture(row.payment_id, &event, now).await.map_err(internal)? {
        CaptureOutcome::Captured => {}
        CaptureOutcome::NotAuthorized => {
            return Err(AppError::Conflict(
                "This payment was captured or cancelled meanwhile; reload to see it.".into(),
            ));
        }
    }
    shop.admin.payment(scope, &row.order_number).await.map_err(internal)?.ok_or_else(missing)
}

/// The marketplace's capture mode: platform admin only.
#[server(endpoint = "admin/settings/capture_mode")]
pub async fn set_capture_mode(mode: String) -> Result<(), AppError> {
    use super::guard::{Access, require};
    use crate::domain::admin_pages::CaptureMode;
    require(Access::Admin).await?;
    let mode = CaptureMode::parse(&mode)
        .ok_or_else(|| AppError::one("mode", "Choose automatic (at checkout) or manual (from the Payments page)."))?;
    let shop = super::guard::shop()?;
    shop.admin
        .set_capture_mode(mode, crate::services::accounts::now())
        .await
        .map_err(crate::services::accounts::store_err)
}
