//! The checkout page: the cart grouped by store with its shipping choices, and the totals.
use crate::domain::address::AddressInput;
use crate::domain::checkout::{OrderQuote, ShippingOption};
use crate::domain::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutLine {
    pub title: String,
    pub quantity: i64,
    pub line_total: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutGroup {
    pub merchant_id: i64,
    pub merchant_name: String,
    pub lines: Vec<CheckoutLine>,
    pub options: Vec<ShippingOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutData {
    pub groups: Vec<CheckoutGroup>,
    /// Totals with standard shipping to `address.country`.
    pub quote: Option<OrderQuote>,
    pub email: String,
    pub signed_in: bool,
    pub address: AddressInput,
    /// Generated for this rendering: a resubmitted form places no second order.
    pub idempotency_key: String,
    /// Why checkout cannot go ahead (empty cart, sold-out lines), if it cannot.
    pub blocked: Vec<String>,
    /// (number, what it does): the built-in test gateway's documented cards.
    pub test_cards: Vec<(String, String)>,
    /// The provider whose page takes the card ("Stripe Checkout"); none when our form does.
    pub hosted_by: Option<String>,
}
