//! The e-mail a store gets when a paid order has a part for it: its lines, its part's total and a
//! link to the order in the dashboard. Sent to the store's support address, else its owner's.
//! Queued once per order and store (the dedupe key), after the payment is recorded, whichever path
//! paid it (checkout with a card, or a hosted payment's webhook or return).
use super::Shop;
use crate::domain::notification::{Message, MessageLine};

pub async fn new_order(shop: &Shop, number: &str, now: i64) {
    let record = match shop.orders.order(number).await {
        Ok(Some(record)) => record,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "could not read a paid order to tell its stores");
            return;
        }
    };
    let owners = match shop.accounts.merchants(false).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "could not read the stores to tell them of an order");
            return;
        }
    };
    for part in &record.order.parts {
        let settings = shop.admin.store_settings(part.merchant_id).await.ok().flatten();
        let support = settings.map(|s| s.support_email).filter(|e| !e.trim().is_empty());
        let owner = owners.iter().find(|m| m.id == part.merchant_id).and_then(|m| m.owner_email.clone());
        let Some(to) = support.or(owner) else { continue };
        let message = Message::NewOrder {
            number: number.to_string(),
            store: part.merchant_name.clone(),
            lines: part
                .lines
                .iter()
                .map(|l| MessageLine { title: l.title.clone(), quantity: l.quantity, line_total: l.line_total })
                .collect(),
            part_total: part.total,
            dashboard_url: shop.links.store_order(number),
        };
        let key = format!("new-order:{number}:{}", part.merchant_id);
        super::notifications::enqueue_logged(shop.notifications.as_ref(), &message, &to, &key, now).await;
    }
}
