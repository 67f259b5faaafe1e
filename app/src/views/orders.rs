//! An order as its shopper (and, for their part, each store) sees it: what crosses to the browser.
use super::shipments::ShipmentView;
use crate::domain::address::AddressInput;
use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLineView {
    /// Named when shipping, refunding or returning this line.
    pub id: i64,
    pub title: String,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub line_total: Money,
    /// How many have left in shipments.
    pub shipped: i64,
    /// How many are in returns (all but rejected ones).
    pub returned: i64,
    /// Refunded on this line so far.
    pub refunded: Money,
}

/// A shopper's return of some items of a part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnView {
    pub id: i64,
    /// `ReturnStatus::as_str`.
    pub status: String,
    pub status_label: String,
    pub reason: String,
    /// Why the store rejected it, when it did.
    pub rejection_reason: Option<String>,
    /// (title, quantity).
    pub lines: Vec<(String, i64)>,
    pub requested_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderPartView {
    pub merchant_id: i64,
    pub merchant_name: String,
    /// `PartStatus::as_str`: awaiting_payment, paid, processing, partially_shipped, shipped,
    /// delivered, cancelled, refunded.
    pub status: String,
    pub shipping_speed: String,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    /// Refunded on this part so far (refunds in flight included).
    pub refunded: Money,
    /// When the part (else its latest parcel) was delivered: the return window starts here.
    pub delivered_at: Option<i64>,
    /// Oldest first.
    pub shipments: Vec<ShipmentView>,
    /// Oldest first.
    pub returns: Vec<ReturnView>,
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
    /// awaiting_payment, payment_failed, cancelled, expired; once paid, derived from the parts
    /// (`fulfilment::order_status`): paid, processing, partially_shipped, shipped, delivered,
    /// refunded.
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
    /// The order's row id: the list's cursor (`domain::paging`).
    pub order_id: i64,
    pub number: String,
    pub created_at: i64,
    /// The part's status (awaiting_payment, paid, shipped, …).
    pub status: String,
    /// The payment of the whole order (pending, captured, failed, …), if one was attempted.
    pub payment_status: Option<String>,
    pub email: String,
    pub ship_name: String,
    pub ship_country: String,
    pub items: i64,
    /// The part's amounts: its items, shipping, its share of any discount, tax, and the total.
    pub subtotal: Money,
    pub shipping: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
}

/// The order's payment as one store may see it: its state and what of it is the store's part.
/// The whole order's amount and its events (other stores' captures and refunds) stay hidden.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartPaymentView {
    /// `PaymentStatus::as_str` of the order's one payment.
    pub status: String,
    /// What was taken for this part: its total, or the capture when that was less.
    pub captured: Money,
}

/// What a store sees of an order: its own part (lines, totals, parcels, returns), where to send
/// it, and how the payment stands for it. Never another store's lines or the order's totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MerchantOrderView {
    pub number: String,
    pub created_at: i64,
    /// The order's status before and outside payment (awaiting_payment, payment_failed,
    /// expired, cancelled); once paid, the part's own: the other parts' progress is not shown.
    pub order_status: String,
    pub email: String,
    pub ship_to: AddressInput,
    pub part: OrderPartView,
    /// Stores sharing the order (their parts are not shown).
    pub other_stores: usize,
    pub payment: Option<PartPaymentView>,
    /// A fresh idempotency key for this rendering's action forms (ship, cancel, refund), so a
    /// resubmitted form acts once.
    pub action_key: String,
}

/// What shipping some lines did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipOutcome {
    pub shipment: ShipmentView,
    /// The part's status afterwards.
    pub part_status: String,
}

/// A refund as it stands: `succeeded`, `failed` (the gateway declined; nothing was refunded) or
/// `pending` (the gateway has not answered yet; asking again with the same key finishes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundOutcome {
    pub refund_id: i64,
    pub amount: Money,
    pub status: String,
    /// The part's status afterwards.
    pub part_status: String,
}

/// What cancelling a part did to it and to the money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelOutcome {
    pub part_status: String,
    /// The refund of what had been captured for the part, if anything had.
    pub refund: Option<RefundOutcome>,
    /// The whole authorization was released (nothing had been captured, no part left).
    pub voided: bool,
}

/// A store's queue of order parts (`/admin/orders`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreOrderQueue {
    pub merchant_id: i64,
    pub store_name: String,
    pub status: Option<String>,
    /// What was searched for, as typed ("" for none), and why it could not be, if it could not.
    pub search: String,
    pub search_error: Option<String>,
    /// A page of the queue, newest first, with its neighbours' cursors (`domain::paging`).
    pub page: crate::domain::paging::Page<MerchantPartSummary>,
}
