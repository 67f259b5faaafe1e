//! What the shopper is told after payment: shipped (with the tracking link), delivered, refund
//! issued, return decision. Each is queued in the outbox once per event (the dedupe keys of
//! `notifications`) after the change it reports has been committed; a failure to queue is
//! logged and never undoes or fails that change.
use super::Shop;
use super::notifications::enqueue_logged;
use crate::domain::notification::Message;
use crate::domain::returns::ReturnStatus;
use crate::domain::shipment::ShipmentStatus;
use crate::views::orders::{RefundOutcome, ShipOutcome};
use crate::views::shipments::ShipmentView;

/// The order's receipt address, if the order exists.
async fn email_of(shop: &Shop, number: &str) -> Option<String> {
    match super::order_views::order_view(shop.orders.as_ref(), number).await {
        Ok(Some((_, view))) => Some(view.email),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "could not read an order to notify its shopper");
            None
        }
    }
}

pub async fn shipped(shop: &Shop, number: &str, outcome: &ShipOutcome, now: i64) {
    let Some(email) = email_of(shop, number).await else { return };
    let s: &ShipmentView = &outcome.shipment;
    let message = Message::Shipped {
        number: number.to_string(),
        carrier: s.carrier_name.clone(),
        tracking_number: s.tracking_number.clone(),
        carrier_url: s.tracking_url.clone(),
        track_url: shop.links.track(&s.token),
    };
    enqueue_logged(shop.notifications.as_ref(), &message, &email, &format!("shipped:{}", s.id), now).await;
}

/// After a carrier event: tells the shopper once the parcel has arrived.
pub async fn delivered(shop: &Shop, shipment_id: i64, now: i64) {
    let (Ok(Some(number)), Ok(Some(s))) =
        (shop.fulfilment.order_of_shipment(shipment_id).await, shop.fulfilment.shipment(shipment_id).await)
    else {
        tracing::error!(shipment_id, "could not read a delivered shipment to notify its shopper");
        return;
    };
    if s.status != ShipmentStatus::Delivered {
        return;
    }
    let s = super::fulfilment::views::shipment_view(s);
    let Some(email) = email_of(shop, &number).await else { return };
    let message = Message::Delivered {
        number,
        carrier: s.carrier_name,
        tracking_number: s.tracking_number,
        track_url: shop.links.track(&s.token),
    };
    enqueue_logged(shop.notifications.as_ref(), &message, &email, &format!("delivered:{shipment_id}"), now).await;
}

/// Only a refund the gateway confirmed is announced.
pub async fn refund_issued(shop: &Shop, number: &str, refund: &RefundOutcome, now: i64) {
    if refund.status != "succeeded" {
        return;
    }
    let Some(email) = email_of(shop, number).await else { return };
    let message = Message::RefundIssued {
        number: number.to_string(),
        amount: refund.amount,
        order_url: shop.links.order(number),
    };
    let key = format!("refund-issued:{}", refund.refund_id);
    enqueue_logged(shop.notifications.as_ref(), &message, &email, &key, now).await;
}

pub async fn return_decided(shop: &Shop, return_id: i64, now: i64) {
    let state = match shop.fulfilment.return_state(return_id).await {
        Ok(Some(s)) => s,
        _ => {
            tracing::error!(return_id, "could not read a return to notify its shopper");
            return;
        }
    };
    let approved = match state.status {
        ReturnStatus::Approved => true,
        ReturnStatus::Rejected => false,
        _ => return,
    };
    let Some(email) = email_of(shop, &state.order_number).await else { return };
    let message = Message::ReturnDecision {
        number: state.order_number.clone(),
        approved,
        reason: state.rejection_reason.unwrap_or_default(),
        order_url: shop.links.order(&state.order_number),
    };
    let key = format!("return-decision:{return_id}");
    enqueue_logged(shop.notifications.as_ref(), &message, &email, &key, now).await;
}
