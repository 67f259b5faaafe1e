//! An order as its shopper (and, for their part, each store) sees it: what crosses to the browser.
use super::address::AddressInput;
use super::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub title: String,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderPartView {
    pub merchant_id: i64,
    pub merchant_name: String,
    /// awaiting_payment, paid, shipped, delivered, cancelled.
    pub status: String,
    pub shipping_speed: String,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentEventView {
    pub kind: String,
    pub amount: Money,
    pub outcome: String,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentView {
    pub status: String,
    pub card_brand: String,
    pub card_last4: String,
    pub amount: Money,
    pub captured: Money,
    pub events: Vec<PaymentEventView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    pub number: String,
    /// awaiting_payment, paid, payment_failed, cancelled, expired.
    pub status: String,
    pub email: String,
    pub created_at: i64,
    pub ship_to: AddressInput,
    pub parts: Vec<OrderPartView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub payment: Option<PaymentView>,
}

/// One row of a shopper's order history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub number: String,
    pub status: String,
    pub created_at: i64,
    pub total: Money,
    pub items: i64,
    pub stores: i64,
}

/// One row of a store's order queue: its part of someone's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MerchantPartSummary {
    pub number: String,
    pub created_at: i64,
    /// The part's status (awaiting_payment, paid, shipped, …).
    pub status: String,
    /// The payment of the whole order (pending, captured, failed, …), if one was attempted.
    pub payment_status: Option<String>,
    pub email: String,
    pub items: i64,
    /// The part's total: its items, shipping and tax, less its share of any discount.
    pub total: Money,
}

/// What a store sees of an order: its own part, where to send it, and the order's payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MerchantOrderView {
    pub number: String,
    pub created_at: i64,
    pub order_status: String,
    pub email: String,
    pub ship_to: AddressInput,
    pub part: OrderPartView,
    /// Stores sharing the order (their parts are not shown).
    pub other_stores: usize,
    pub payment: Option<PaymentView>,
}

impl MerchantOrderView {
    /// `view` as the store `merchant_id` sees it; none when the store has no part in it.
    pub fn of(view: OrderView, merchant_id: i64) -> Option<MerchantOrderView> {
        let others = view.parts.iter().filter(|p| p.merchant_id != merchant_id).count();
        let part = view.parts.into_iter().find(|p| p.merchant_id == merchant_id)?;
        Some(MerchantOrderView {
            number: view.number,
            created_at: view.created_at,
            order_status: view.status,
            email: view.email,
            ship_to: view.ship_to,
            part,
            other_stores: others,
            payment: view.payment,
        })
    }
}

impl OrderView {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "paid" => "Paid — the stores are preparing your items",
            "awaiting_payment" => "Waiting for payment",
            "payment_failed" => "Payment failed",
            "cancelled" => "Cancelled",
            "expired" => "Expired unpaid",
            _ => "Unknown",
        }
    }
}
