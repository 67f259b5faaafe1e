//! An order as its shopper (and, for their part, each store) sees it: what crosses to the browser.
use super::address::AddressInput;
use super::money::Money;
use super::shipment_view::ShipmentView;
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

impl MerchantOrderView {
    /// `view` as the store `merchant_id` sees it; none when the store has no part in it.
    pub fn of(view: OrderView, merchant_id: i64) -> Option<MerchantOrderView> {
        const BEFORE_PAYMENT: [&str; 4] = ["awaiting_payment", "payment_failed", "expired", "cancelled"];
        let others = view.parts.iter().filter(|p| p.merchant_id != merchant_id).count();
        let part = view.parts.into_iter().find(|p| p.merchant_id == merchant_id)?;
        let order_status =
            if BEFORE_PAYMENT.contains(&view.status.as_str()) { view.status } else { part.status.clone() };
        // The same share the refund ledger counts as captured for the part (`fulfilment::ledger`).
        let payment = view.payment.map(|p| PartPaymentView {
            status: p.status,
            captured: Money::new(part.total.minor.min(p.captured.minor).max(0), part.total.currency),
        });
        Some(MerchantOrderView {
            number: view.number,
            created_at: view.created_at,
            order_status,
            email: view.email,
            ship_to: view.ship_to,
            part,
            other_stores: others,
            payment,
            action_key: String::new(),
        })
    }
}

impl OrderView {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "paid" => "Paid — being prepared for shipping",
            "processing" => "Being prepared for shipping",
            "partially_shipped" => "Partly shipped — more parcels to follow",
            "shipped" => "Shipped — on its way to you",
            "delivered" => "Delivered",
            "refunded" => "Refunded",
            "awaiting_payment" => "Waiting for payment",
            "payment_failed" => "Payment failed — nothing was charged",
            "cancelled" => "Cancelled",
            "expired" => "Expired unpaid",
            _ => "Unknown",
        }
    }
}

/// The order's status as shown: before and outside payment the stored one (awaiting_payment,
/// payment_failed, expired, cancelled); once paid, derived from its parts by
/// [`order_status`](super::fulfilment::order_status), so it moves as the stores ship, deliver,
/// cancel and refund.
pub fn shown_status(stored: &str, part_statuses: &[String]) -> String {
    use super::order::PartStatus;
    if stored != "paid" {
        return stored.to_string();
    }
    let parts: Vec<PartStatus> = part_statuses.iter().filter_map(|s| PartStatus::parse(s)).collect();
    super::fulfilment::order_status(&parts).as_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paid_order_shows_what_its_parts_add_up_to() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(shown_status("paid", &s(&["paid", "paid"])), "paid");
        assert_eq!(shown_status("paid", &s(&["shipped", "paid"])), "partially_shipped");
        assert_eq!(shown_status("paid", &s(&["delivered", "cancelled"])), "delivered");
        assert_eq!(shown_status("paid", &s(&["refunded"])), "refunded");
        assert_eq!(shown_status("expired", &s(&["cancelled"])), "expired");
        assert_eq!(shown_status("payment_failed", &s(&["cancelled"])), "payment_failed");
    }

    fn part(merchant_id: i64, title: &str, total: i64, status: &str) -> OrderPartView {
        let usd = |m| Money::new(m, crate::domain::money::Currency::USD);
        OrderPartView {
            merchant_id,
            merchant_name: format!("Store {merchant_id}"),
            status: status.into(),
            shipping_speed: "standard".into(),
            lines: vec![OrderLineView {
                id: merchant_id * 10,
                title: title.into(),
                sku: format!("{title}-sku"),
                quantity: 1,
                unit_price: usd(total),
                line_total: usd(total),
                shipped: 0,
                returned: 0,
                refunded: usd(0),
            }],
            subtotal: usd(total),
            shipping: usd(0),
            discount: usd(0),
            tax: usd(0),
            total: usd(total),
            refunded: usd(0),
            delivered_at: None,
            shipments: vec![],
            returns: vec![],
        }
    }

    #[test]
    fn a_store_sees_its_own_part_and_its_share_of_the_payment() {
        let usd = |m| Money::new(m, crate::domain::money::Currency::USD);
        let view = OrderView {
            number: "MM-ABCDEFGHJKMN".into(),
            status: "partially_shipped".into(),
            email: "ada@example.com".into(),
            created_at: 1,
            ship_to: AddressInput::default(),
            parts: vec![part(1, "Lamp", 2_500, "shipped"), part(2, "Speaker", 4_000, "paid")],
            subtotal: usd(6_500),
            shipping: usd(0),
            discount: usd(0),
            tax: usd(0),
            total: usd(6_500),
            payment: Some(PaymentView {
                status: "captured".into(),
                card_brand: "visa".into(),
                card_last4: "4242".into(),
                amount: usd(6_500),
                captured: usd(6_500),
                events: vec![PaymentEventView {
                    kind: "capture".into(),
                    amount: usd(6_500),
                    outcome: "succeeded".into(),
                    at: 1,
                }],
            }),
        };
        let b = MerchantOrderView::of(view.clone(), 2).unwrap();
        assert_eq!(b.part.lines.len(), 1);
        assert_eq!(b.part.lines[0].title, "Speaker");
        assert_eq!(b.order_status, "paid", "B's own progress, not that A shipped");
        assert_eq!(b.payment, Some(PartPaymentView { status: "captured".into(), captured: usd(4_000) }));
        let json = leptos::serde_json::to_string(&b).unwrap();
        assert!(!json.contains("Lamp") && !json.contains("6500"), "{json}");
        // Before payment the order's own status shows; a part of a cancelled capture shows 0.
        let mut unpaid = view;
        unpaid.status = "payment_failed".into();
        if let Some(p) = unpaid.payment.as_mut() {
            p.captured = usd(0);
        }
        let a = MerchantOrderView::of(unpaid, 1).unwrap();
        assert_eq!(a.order_status, "payment_failed");
        assert_eq!(a.payment.unwrap().captured, usd(0));
    }
}
