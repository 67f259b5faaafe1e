//! Refunds of a whole part or of single lines, never more than the line, the part or the
//! payment has left: reserved first, then asked of the gateway with the refund's own key, then
//! booked.
use super::shipments::part_status;
use super::{ATTEMPTS, REFUND_SCOPE, busy, claim, conflict_key, hex, internal, invalid, ledger, load, payment_left};
use crate::domain::errors::AppError;
use crate::domain::money::{Currency, Money};
use crate::domain::order::{PartEvent, PartStatus};
use crate::domain::payment::PaymentStatus;
use crate::domain::refund::{LineRefund, RefundKind, RefundRequest, RefundStatus};
use crate::services::Shop;
use crate::services::fulfilment_store::{
    Applied, FulfilmentStore, NewRefund, RefundBalance, RefundBooking, RefundResult, RefundSettlement, RefundState,
};
use crate::services::payment_provider::PaymentProvider;
use crate::views::orders::RefundOutcome;

/// Asks the gateway for a reserved refund (with the refund's own key, so asking twice refunds
/// once) and books the answer; a refund already settled is simply read back.
pub(super) async fn settle_refund(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentProvider,
    refund_id: i64,
) -> Result<RefundOutcome, AppError> {
    let refund = read_refund(store, refund_id).await?;
    if refund.status == RefundStatus::Pending {
        let charge = refund.charge_reference.clone().unwrap_or_default();
        let answer = gateway.refund(&charge, Money::new(refund.amount_minor, refund.currency), &refund.key).await;
        book_answer(store, &refund, answer.is_approved(), answer.reference).await?;
    }
    let refund = read_refund(store, refund_id).await?;
    Ok(RefundOutcome {
        refund_id,
        amount: Money::new(refund.amount_minor, refund.currency),
        status: refund.status.as_str().to_string(),
        part_status: part_status(store, refund.part_id).await?,
    })
}

/// Books the gateway's answer to `refund`: a refund that went through settles the payment's
/// status and, when nothing captured for the part is left, the part's, decided on the balance
/// read just before (read again and decided again if another refund went through meanwhile).
async fn book_answer(
    store: &dyn FulfilmentStore,
    refund: &RefundState,
    approved: bool,
    reference: String,
) -> Result<(), AppError> {
    for _ in 0..ATTEMPTS {
        let settlement = if approved {
            let balance = store
                .refund_balance(refund.id)
                .await
                .map_err(internal)?
                .ok_or_else(|| crate::services::internal(format!("refund {} vanished", refund.id)))?;
            Some(settle(balance, refund.amount_minor))
        } else {
            None
        };
        let result = RefundResult {
            refund_id: refund.id,
            status: if approved { RefundStatus::Succeeded } else { RefundStatus::Failed },
            gateway_reference: Some(reference.clone()),
            settlement,
            now: crate::services::clock::now(),
        };
        match store.complete_refund(&result).await.map_err(internal)? {
            RefundBooking::Stale => continue,
            RefundBooking::Booked | RefundBooking::NotPending => return Ok(()),
        }
    }
    Err(busy())
}

/// What a refund of `amount` that went through moves: the payment is refunded once its refunds
/// reach what was captured (partially refunded before), as the payment state machine has it for
/// each refund event; the part moves on (`PartEvent::Refund`) once its refunds reach its total.
fn settle(balance: RefundBalance, amount: i64) -> RefundSettlement {
    let payment_status = if balance.payment_refunded_minor + amount >= balance.captured_minor {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    };
    let part_status = Some(balance.part_status)
        .filter(|_| balance.part_refunded_minor + amount >= balance.part_total_minor)
        .and_then(|s| s.apply(PartEvent::Refund).ok());
    RefundSettlement { balance, payment_status, part_status }
}

async fn read_refund(store: &dyn FulfilmentStore, refund_id: i64) -> Result<RefundState, AppError> {
    store
        .refund(refund_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| crate::services::internal(format!("refund {refund_id} vanished")))
}

pub(super) fn declined(outcome: RefundOutcome) -> Result<RefundOutcome, AppError> {
    if outcome.status == "failed" {
        Err(AppError::Conflict(format!(
            "The payment provider declined the refund of {}; nothing was refunded. Try again later.",
            outcome.amount
        )))
    } else {
        Ok(outcome)
    }
}

pub struct RefundCommand {
    pub request: RefundRequest,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// Refunds the whole store's part (what is left of it, shipping included) or single lines,
/// never more than the line, the part or the payment has left.
pub async fn refund_part(
    store: &dyn FulfilmentStore,
    gateway: &dyn PaymentProvider,
    number: &str,
    merchant_id: i64,
    cmd: RefundCommand,
) -> Result<RefundOutcome, AppError> {
    let mut fields: Vec<(String, String)> =
        vec![("order".into(), number.to_string()), ("merchant".into(), merchant_id.to_string())];
    match &cmd.request {
        RefundRequest::WholePart => fields.push(("whole".into(), "1".into())),
        RefundRequest::Lines(lines) => fields.extend(lines.iter().map(|l| {
            (format!("line:{}", l.line_id), l.amount.map(|a| a.minor.to_string()).unwrap_or_else(|| "all".into()))
        })),
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let claim = claim(REFUND_SCOPE, cmd.idempotency_key.as_deref(), &pairs)?;
    let key_base =
        claim.as_ref().map(|c| c.key.clone()).unwrap_or_else(|| hex(&crate::services::random::bytes::<12>()));
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = state.status;
        let currency = state.currency;
        let refund_key = format!("refund-{}-{key_base}", state.part_id);
        let ledger = ledger(&state)?;
        let planned =
            if cmd.request == RefundRequest::WholePart && matches!(status, PartStatus::Paid | PartStatus::Processing) {
                Err(invalid(
                    "form",
                    "Nothing of this part has shipped yet: cancel it instead, which also puts the stock back.",
                ))
            } else {
                ledger.plan(&cmd.request, payment_left(&state, currency)).map_err(|e| invalid("form", e.to_string()))
            };
        let plan = match planned {
            Ok(plan) => plan,
            Err(e) => {
                // A retry after the money went back finds nothing left: answer with the first outcome.
                let probe = NewRefund {
                    part_id: state.part_id,
                    payment_id: 0,
                    kind: RefundKind::Refund,
                    return_id: None,
                    amount_minor: 0,
                    lines: Vec::new(),
                    key: refund_key,
                };
                return match store.reserve_refund(&probe, -1, claim.as_ref(), cmd.now).await.map_err(internal)? {
                    Applied::Repeat(id) => declined(settle_refund(store, gateway, id).await?),
                    Applied::Conflict => Err(conflict_key()),
                    _ => Err(e),
                };
            }
        };
        let Some(payment) = state.payment.as_ref() else {
            return Err(invalid("form", "This order has no payment to refund."));
        };
        let paid_of = |id: i64| ledger.lines.iter().find(|l| l.line_id == id).map_or(0, |l| l.paid.minor);
        let refund = NewRefund {
            part_id: state.part_id,
            payment_id: payment.id,
            kind: RefundKind::Refund,
            return_id: None,
            amount_minor: plan.amount.minor,
            lines: plan.lines.iter().map(|(id, m)| (*id, m.minor, paid_of(*id))).collect(),
            key: refund_key,
        };
        let id = match store.reserve_refund(&refund, state.version, claim.as_ref(), cmd.now).await.map_err(internal)? {
            Applied::Done(id) | Applied::Repeat(id) => id,
            Applied::Stale => continue,
            Applied::Conflict => return Err(conflict_key()),
        };
        return declined(settle_refund(store, gateway, id).await?);
    }
    Err(busy())
}

/// A refund as the store's form asks for it: the whole part, or lines, each "line id" (all that
/// is left on it) or "line id:12.50" (an amount in the order's currency).
pub struct RefundForm {
    pub whole: bool,
    pub lines: Vec<String>,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// [`refund_part`] from the store's form; the shopper is told once the money went back.
pub async fn refund_and_notify(
    shop: &Shop,
    number: &str,
    merchant_id: i64,
    form: RefundForm,
) -> Result<RefundOutcome, AppError> {
    let request = if form.whole {
        RefundRequest::WholePart
    } else {
        let currency = load(shop.fulfilment.as_ref(), number, merchant_id).await?.currency;
        RefundRequest::Lines(refund_lines(&form.lines, currency)?)
    };
    let command = RefundCommand { request, idempotency_key: form.idempotency_key, now: form.now };
    let outcome = refund_part(shop.fulfilment.as_ref(), shop.gateway.as_ref(), number, merchant_id, command).await?;
    crate::services::fulfilment_notices::refund_issued(shop, number, &outcome, form.now).await;
    Ok(outcome)
}

/// The form's refund lines, blanks skipped.
fn refund_lines(raw: &[String], currency: Currency) -> Result<Vec<LineRefund>, AppError> {
    let mut out = Vec::new();
    for raw in raw.iter().filter(|s| !s.trim().is_empty()) {
        let (id, amount) = match raw.split_once(':') {
            Some((id, amount)) => (id, Some(amount)),
            None => (raw.as_str(), None),
        };
        let line_id = id.trim().parse::<i64>().map_err(|_| invalid("lines", format!("“{raw}” is not a line.")))?;
        let amount = match amount {
            Some(a) => Some(parse_amount(a, currency).map_err(|m| invalid("lines", m))?),
            None => None,
        };
        out.push(LineRefund { line_id, amount });
    }
    Ok(out)
}

/// Parses "12.50" (or "12") in `currency`'s minor units.
pub fn parse_amount(raw: &str, currency: Currency) -> Result<Money, String> {
    let raw = raw.trim().trim_start_matches(['$', '€', '£']);
    let exp = currency.exponent() as usize;
    let bad = || format!("“{raw}” is not an amount; write it like 12.50.");
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > exp
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<exp$}").parse().map_err(|_| bad())? };
    Ok(Money::new(whole * 10i64.pow(exp as u32) + frac_value, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refund_settles_the_payment_and_the_part_once_it_reaches_their_totals() {
        let b = RefundBalance {
            part_status: PartStatus::Shipped,
            part_total_minor: 1000,
            part_refunded_minor: 400,
            captured_minor: 2000,
            payment_refunded_minor: 400,
        };
        let s = settle(b.clone(), 600);
        assert_eq!((s.payment_status, s.part_status), (PaymentStatus::PartiallyRefunded, Some(PartStatus::Refunded)));
        assert_eq!(s.balance, b, "decided on the balance it was given");
        assert_eq!(
            settle(RefundBalance { payment_refunded_minor: 1400, ..b.clone() }, 600).payment_status,
            PaymentStatus::Refunded
        );
        assert_eq!(settle(b.clone(), 500).part_status, None, "something is left of the part");
        let unshipped = RefundBalance { part_status: PartStatus::Paid, ..b };
        assert_eq!(settle(unshipped, 600).part_status, None, "a part that cannot be refunded keeps its status");
    }

    #[test]
    fn amounts_parse_in_minor_units() {
        let usd = Currency::USD;
        assert_eq!(parse_amount("12.50", usd), Ok(Money::new(1250, usd)));
        assert_eq!(parse_amount(" $3 ", usd), Ok(Money::new(300, usd)));
        assert_eq!(parse_amount("0.5", usd), Ok(Money::new(50, usd)));
        assert_eq!(parse_amount(".05", usd), Ok(Money::new(5, usd)));
        for bad in ["", ".", "1.234", "-1", "1e3", "12,50", "abc"] {
            assert!(parse_amount(bad, usd).is_err(), "{bad:?}");
        }
    }
}
