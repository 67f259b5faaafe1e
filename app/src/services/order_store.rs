//! The storage port for orders and their payments. Placing an order is one transaction: the
//! idempotency key is claimed, every line's stock is reserved with a conditional update, and the
//! order, its parts, lines and pending payment are written — or nothing is.
use super::catalog_store::{ProductStatus, StoreError};
use super::fulfilment_store::{ReturnRecord, ShipmentRecord};
use crate::domain::account::MerchantStatus;
use crate::domain::address::AddressInput;
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::money::Currency;
use crate::domain::order::{OrderStatus, PartStatus};
use crate::domain::payment::{PaymentEvent, PaymentStatus};
use crate::views::orders::{MerchantPartSummary, OrderSummary, OrderView};
use async_trait::async_trait;

/// A variant as checkout prices it: current price, stock and whether it may be sold.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderVariant {
    pub variant_id: i64,
    pub product_id: i64,
    pub merchant_id: i64,
    pub merchant_name: String,
    /// Product title, with the variant's title when it has options ("Linen Tee — M / Navy").
    pub title: String,
    pub sku: String,
    pub unit_price_minor: i64,
    pub currency: Currency,
    pub stock: i64,
    pub product_status: ProductStatus,
    pub merchant_status: MerchantStatus,
}

impl OrderVariant {
    /// What checkout may sell: published, by a store that is active.
    pub fn sellable(&self) -> bool {
        self.product_status == ProductStatus::Published && self.merchant_status == MerchantStatus::Active
    }
}

#[derive(Clone, Debug)]
pub struct NewOrderLine {
    pub product_id: i64,
    pub variant_id: i64,
    pub title: String,
    pub sku: String,
    pub unit_price_minor: i64,
    pub quantity: i64,
    pub line_total_minor: i64,
}

#[derive(Clone, Debug)]
pub struct NewOrderPart {
    pub merchant_id: i64,
    pub shipping_speed: String,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub lines: Vec<NewOrderLine>,
}

#[derive(Clone, Debug)]
pub struct NewOrder {
    pub number: String,
    pub user_id: Option<i64>,
    pub email: String,
    pub currency: Currency,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    /// Where it goes; the order keeps every field but the phone.
    pub ship_to: AddressInput,
    /// Unpaid past this (unix seconds), the reservation is released.
    pub reserved_until: i64,
    pub parts: Vec<NewOrderPart>,
    pub card_brand: String,
    pub card_last4: String,
    pub gateway: String,
    /// Counted against the code's usage limit in the same transaction (and given back, once, if
    /// the order is declined or expires).
    pub discount_code: Option<String>,
    /// A guest order's access key, hashed (`passwords::token_hash`): what opens the order besides
    /// the account of the shopper who placed it. None for a signed-in shopper's order.
    pub access_key_hash: Option<String>,
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Shortage {
    pub variant_id: i64,
    pub title: String,
    pub requested: i64,
    pub available: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlaceResult {
    Placed {
        order_id: i64,
        payment_id: i64,
    },
    /// The key was used before with the same payload: nothing was written this time. The first
    /// request's order, if it got that far, and its stored outcome (JSON) once known.
    Repeat {
        order_id: Option<i64>,
        outcome: Option<String>,
    },
    /// The key was used before with a different payload.
    Conflict,
    /// These lines could not be reserved; nothing was written.
    OutOfStock(Vec<Shortage>),
    /// The discount code expired or reached its usage limit meanwhile; nothing was written.
    DiscountUnavailable,
}

/// What happened at the gateway, applied in one transaction.
#[derive(Clone, Debug)]
pub struct PaymentUpdate {
    pub order_id: i64,
    pub payment_id: i64,
    pub events: Vec<PaymentEvent>,
    pub payment_status: PaymentStatus,
    pub captured_minor: i64,
    pub gateway_reference: Option<String>,
    /// Paid, or PaymentFailed.
    pub order_status: OrderStatus,
    /// What every part of the order becomes with it (paid, or cancelled).
    pub part_status: PartStatus,
    /// Give the reserved stock and the discount code's use back (a failed payment).
    pub release_stock: bool,
    /// The outcome a retried request with the same key will get (JSON).
    pub outcome: String,
    pub claim: IdempotencyClaim,
    pub now: i64,
}

/// What `record_payment` did with the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentRecorded {
    /// The order was still awaiting payment and took the result: paid, or failed with its stock
    /// and discount use given back.
    Applied,
    /// The order was no longer awaiting payment (its reservation ran out and the sweeper put its
    /// stock back on sale and gave its discount use back), so it was left as it is (`status`):
    /// not paid, nothing released twice. The gateway's events and the payment's state were
    /// recorded, so money the gateway took shows on the payment until it is given back; the
    /// checkout's outcome was not (see `record_reversal`). `None`: the order is gone altogether.
    OrderClosed { status: Option<OrderStatus> },
}

/// The end of a payment whose order closed before the gateway answered: the void or refund that
/// gave the money back (if the gateway made one) and the outcome a retried checkout gets.
#[derive(Clone, Debug)]
pub struct PaymentReversal {
    pub payment_id: i64,
    /// The successful void or refund; empty when nothing was taken or the gateway refused.
    pub events: Vec<PaymentEvent>,
    pub payment_status: PaymentStatus,
    pub refunded_minor: i64,
    /// The outcome a retried request with the same key will get.
    pub outcome: String,
    pub claim: IdempotencyClaim,
    pub now: i64,
}

/// A hosted payment's order, as its settlement needs it (`services::hosted_checkout`).
#[derive(Clone, Debug, PartialEq)]
pub struct HostedPaymentRow {
    pub order_id: i64,
    pub payment_id: i64,
    pub order_status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub amount_minor: i64,
    pub currency: Currency,
    /// The provider's session while it is under way; its payment's reference once settled.
    pub reference: Option<String>,
    pub email: String,
    pub user_id: Option<i64>,
    /// The key the checkout claimed (its outcome is what a retry of the checkout is told).
    pub checkout_key: Option<String>,
}

/// An order as stored, for `services::order_views` to show: `order` carries the stored status
/// (what is shown is derived from its parts) and its parts' parcels and returns come apart, as
/// records keyed by the part's store, to be dressed as views there.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRecord {
    /// Who placed it; none for a guest.
    pub user_id: Option<i64>,
    pub order: OrderView,
    /// (store id, shipment), oldest first.
    pub shipments: Vec<(i64, ShipmentRecord)>,
    /// (store id, return), oldest first.
    pub returns: Vec<(i64, ReturnRecord)>,
}

/// Checkout's side: discount codes, what may be sold at what price, and the order placed.
#[async_trait]
pub trait OrderPlacing: Send + Sync + 'static {
    async fn discount_code(&self, code: &str) -> Result<Option<crate::domain::checkout::DiscountCode>, StoreError>;
    async fn create_discount_code(
        &self,
        code: &crate::domain::checkout::DiscountCode,
        now: i64,
    ) -> Result<(), StoreError>;
    async fn variants_for_order(&self, variant_ids: &[i64]) -> Result<Vec<OrderVariant>, StoreError>;
    /// All or nothing; see `PlaceResult`.
    async fn place_order(&self, order: &NewOrder, claim: &IdempotencyClaim) -> Result<PlaceResult, StoreError>;
}

/// The gateway's answers, and the reservations that ran out before one came.
#[async_trait]
pub trait PaymentRecording: Send + Sync + 'static {
    /// Records the gateway's answer in one transaction. The order takes it only while it is
    /// still awaiting payment (a conditional update); see `PaymentRecorded`.
    async fn record_payment(&self, update: &PaymentUpdate) -> Result<PaymentRecorded, StoreError>;
    /// Records how a payment of a closed order ended (`PaymentRecorded::OrderClosed`) and the
    /// checkout's outcome, in one transaction. The order, its stock and discount are not touched.
    async fn record_reversal(&self, reversal: &PaymentReversal) -> Result<(), StoreError>;
    /// Releases the stock (and the discount code's use) of orders still unpaid at `now` past
    /// their reservation, marking them expired. Safe to run on several instances at once: each
    /// order is released once. Returns how many were released.
    async fn release_expired(&self, now: i64) -> Result<u64, StoreError>;
}

/// Payments taken on a provider's hosted page, and its webhook events.
#[async_trait]
pub trait HostedPayments: Send + Sync + 'static {
    /// A hosted payment is under way: the provider's session becomes the payment's reference and
    /// `outcome` (where to send a retry) the checkout's, in one transaction.
    async fn record_next_action(
        &self,
        payment_id: i64,
        session: &str,
        claim: &IdempotencyClaim,
        outcome: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    /// The order `number`'s payment, for settling its hosted session.
    async fn hosted_payment(&self, number: &str) -> Result<Option<HostedPaymentRow>, StoreError>;
    /// `record_payment` once per hosted session: the session's settlement is claimed (its own
    /// idempotency key) in the same transaction, so a webhook and the browser's return — or two
    /// deliveries of one webhook — settle it once. None: it was settled before; nothing written.
    async fn settle_hosted(&self, session: &str, update: &PaymentUpdate)
    -> Result<Option<PaymentRecorded>, StoreError>;
    /// Whether the provider's webhook event `event_id` was acted on already.
    async fn provider_event_seen(&self, provider: &str, event_id: &str) -> Result<bool, StoreError>;
    /// Marks the event as acted on (after it was, so a failure half-way gets the provider's retry).
    async fn remember_provider_event(&self, provider: &str, event_id: &str, now: i64) -> Result<(), StoreError>;
}

/// The keys that open a guest's order.
#[async_trait]
pub trait OrderAccessKeys: Send + Sync + 'static {
    /// Adds another access key (hashed) to a guest's order; false (nothing written) when the
    /// order is a signed-in shopper's or does not exist.
    async fn add_access_key(&self, order_id: i64, key_hash: &str, now: i64) -> Result<bool, StoreError>;
    /// Whether `key_hash` is an access key of the guest order `number`. Always false for an
    /// order placed by a signed-in shopper (their account opens it).
    async fn guest_key_opens(&self, number: &str, key_hash: &str) -> Result<bool, StoreError>;
}

/// Which of a store's order parts a list shows: one status, and what was searched for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartFilter {
    pub status: Option<PartStatus>,
    pub search: Option<crate::domain::order_search::OrderQuery>,
}

/// Orders as stored, for `services::order_views` to show.
#[async_trait]
pub trait OrderReading: Send + Sync + 'static {
    /// The order with this number as stored (see `OrderRecord`).
    async fn order(&self, number: &str) -> Result<Option<OrderRecord>, StoreError>;
    /// The user's orders, newest first, each with its stored status and its parts' statuses.
    async fn orders_of_user(
        &self,
        user_id: i64,
        limit: i64,
    ) -> Result<Vec<(OrderSummary, Vec<PartStatus>)>, StoreError>;
    /// A store's parts of orders matching `filter`, at most `limit`, from `cursor` (an order id)
    /// on: newest first, or oldest first for `Cursor::After` (`domain::paging`).
    async fn parts_of_merchant(
        &self,
        merchant_id: i64,
        filter: &PartFilter,
        cursor: crate::domain::paging::Cursor,
        limit: i64,
    ) -> Result<Vec<MerchantPartSummary>, StoreError>;
    /// (order number, status).
    async fn order_status(&self, order_id: i64) -> Result<Option<(String, OrderStatus)>, StoreError>;
    /// Orders and payments in the whole shop: (orders, payments, payment events).
    async fn order_totals(&self) -> Result<(i64, i64, i64), StoreError>;
}

/// Orders and their payments, as the services hold them (one adapter implements every part).
pub trait OrderStore:
    OrderPlacing + PaymentRecording + HostedPayments + OrderAccessKeys + OrderReading + super::pricing_store::PricingRead
{
}

impl<T> OrderStore for T where
    T: OrderPlacing
        + PaymentRecording
        + HostedPayments
        + OrderAccessKeys
        + OrderReading
        + super::pricing_store::PricingRead
{
}
