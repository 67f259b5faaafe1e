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
