//! After payment, by subject: a store ships (`shipments`), carriers report where the parcels are
//! (`tracking`), a store cancels (`cancellations`) and refunds (`refunds`) its part of an order,
//! a shopper asks to return delivered items and the store decides, receives and refunds them
//! (`returns`); `views` dresses what is stored for the pages.
//!
//! Each use case reads the part whole ([`PartState`]), decides with the domain rules
//! (`domain::{shipment, tracking, fulfilment, refund, returns}`), and asks the store to apply the
//! decision only if the part is still at the version it read; when it moved on meanwhile
//! (another member of staff, a carrier event) the decision is made again on fresh data, so
//! concurrent actions never double-apply. Money goes back through the gateway in two steps: the
//! refund is reserved (bounded in SQL by line, part and capture), the gateway is asked with the
//! refund's own key, and the answer is booked; a retry of a refund left pending asks the gateway
//! again with the same key, which a gateway answers once.
//!
//! Merchant actions a client may retry (ship, cancel, refund) take an idempotency key: the same
//! key and request return the first outcome and write nothing more; the same key with another
//! request is refused. Returned items go back into stock when the store marks them received.
mod cancellations;
mod refunds;
mod returns;
mod shipments;
mod tracking;
pub mod views;

pub use cancellations::{CancelRequest, MAX_CANCEL_REASON_CHARS, cancel_and_notify, cancel_part};
pub use refunds::{RefundCommand, RefundForm, parse_amount, refund_and_notify, refund_part};
pub use returns::{
    ReturnAsk, decide_and_notify, decide_return, part_owner, refund_return, refund_return_and_notify, request_return,
};
pub use shipments::{ShipRequest, ship, ship_and_notify, start_processing};
pub use tracking::{CarrierEvent, TrackingRecorded, public_tracking, receive_carrier_event, record_tracking_event};

use super::fulfilment_store::{FulfilmentStore, LineState, PartState};
use crate::domain::errors::AppError;
use crate::domain::idempotency::{Fingerprint, IdempotencyClaim, IdempotencyKey};
use crate::domain::money::{Currency, Money};
use crate::domain::payment::{Payment, PaymentStatus};
use crate::domain::refund::{LineLedger, PartLedger, line_shares};
use crate::domain::shipment::PartLine;

pub const SHIP_SCOPE: &str = "fulfilment:ship";
pub const CANCEL_SCOPE: &str = "fulfilment:cancel";
pub const REFUND_SCOPE: &str = "fulfilment:refund";
/// How often a decision is made again when the part keeps changing underneath.
const ATTEMPTS: usize = 12;

fn internal(e: super::StoreError) -> AppError {
    super::store_err(e)
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::one(field, message)
}

fn busy() -> AppError {
    AppError::Conflict("This order changed while you were working on it; reload the page and try again.".into())
}

fn conflict_key() -> AppError {
    AppError::Conflict("This form was already submitted with different details. Reload the page to start again.".into())
}

fn missing() -> AppError {
    AppError::NotFound("We couldn't find that order in your store.".into())
}

/// The idempotency claim for a merchant action, if the client sent a key.
fn claim(scope: &str, key: Option<&str>, fields: &[(&str, &str)]) -> Result<Option<IdempotencyClaim>, AppError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(raw) => {
            let key = IdempotencyKey::parse(raw).map_err(|m| invalid("idempotency_key", m))?;
            Ok(Some(IdempotencyClaim {
                scope: scope.into(),
                key: key.as_str().into(),
                fingerprint: Fingerprint::of(fields).to_hex(),
            }))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn load(store: &dyn FulfilmentStore, number: &str, merchant_id: i64) -> Result<PartState, AppError> {
    store.part(number, merchant_id).await.map_err(internal)?.ok_or_else(missing)
}

/// The part's lines as the domain's line picker sees them: `counts` says of each line how many
/// the action may take and how many it already took (ship: ordered and shipped; return:
/// delivered and returned).
fn picker_lines(state: &PartState, counts: impl Fn(&LineState) -> (i64, i64)) -> Vec<PartLine> {
    state
        .lines
        .iter()
        .map(|l| {
            let (quantity, done) = counts(l);
            PartLine { line_id: l.line_id, title: l.title.clone(), quantity, done }
        })
        .collect()
}

/// The order's payment as the domain's state machine sees it.
fn payment_of(state: &PartState) -> Option<Payment> {
    let p = state.payment.as_ref()?;
    Some(Payment {
        status: p.status,
        amount: Money::new(p.amount_minor, state.currency),
        captured: Money::new(p.captured_minor, state.currency),
        refunded: Money::new(p.refunded_minor, state.currency),
        gateway_reference: p.gateway_reference.clone(),
    })
}

/// The part's refund ledger: captured is the part's total once the payment was captured; each
/// line's paid share is its part of the goods paid (total less shipping), split by line totals.
pub fn ledger(state: &PartState) -> Result<PartLedger, AppError> {
    let m = |minor| Money::new(minor, state.currency);
    let captured = match state.payment.as_ref().map(|p| p.status) {
        Some(PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded) => {
            state.total_minor.min(state.payment.as_ref().map_or(0, |p| p.captured_minor))
        }
        _ => 0,
    };
    let weights: Vec<Money> = state.lines.iter().map(|l| m(l.line_total_minor)).collect();
    let shares = line_shares(m(state.total_minor - state.shipping_minor), &weights);
    Ok(PartLedger {
        captured: m(captured),
        refunded: m(state.refunded_minor),
        lines: state
            .lines
            .iter()
            .zip(shares)
            .map(|(l, paid)| LineLedger {
                line_id: l.line_id,
                title: l.title.clone(),
                paid,
                refunded: m(l.refunded_minor),
            })
            .collect(),
    })
}

fn payment_left(state: &PartState, currency: Currency) -> Money {
    Money::new(state.payment.as_ref().map_or(0, |p| (p.captured_minor - p.refunded_minor).max(0)), currency)
}
