//! An order after payment, across its merchant parts: what cancelling a part means for the money
//! and the stock, and the order's overall status as the shopper sees it.
//!
//! One payment covers the whole order, while each merchant cancels or ships its own part, so a
//! cancellation is planned here (pure) and carried out by the service: the payment action goes
//! through the gateway and is recorded as a payment event, the stock goes back on the shelf.
use super::money::Money;
use super::order::{OrderError, PartEvent, PartStatus};
use super::payment::{Payment, PaymentStatus};
use serde::{Deserialize, Serialize};

/// What must happen to the order's payment when one part is cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentAction {
    /// Nothing was taken for this part (unpaid, failed), or nothing of it is left to refund.
    Nothing,
    /// Release the whole authorization: no part of the order is left to pay for.
    Void,
    /// The authorization stays for the other parts; capture this much less when capturing.
    CaptureLess(Money),
    /// Return this much of what was captured to the shopper's card.
    Refund(Money),
}

/// The plan for cancelling a part. Applying it is all or nothing for the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub status: PartStatus,
    pub payment: PaymentAction,
    /// Always true today (only unshipped parts can be cancelled); spelled out so the service
    /// never has to infer it from the status.
    pub release_stock: bool,
}

/// Plans the cancellation of a part in `status`. `part_remaining` is the part's total less what
/// was already refunded for it; `other_parts` are the statuses of the order's other parts.
pub fn plan_cancellation(
    status: PartStatus,
    part_remaining: Money,
    payment: Option<&Payment>,
    other_parts: &[PartStatus],
) -> Result<Cancellation, OrderError> {
    let next = status.apply(PartEvent::Cancel)?;
    let zero = Money::new(0, part_remaining.currency);
    let action = match payment.map(|p| p.status) {
        None
        | Some(PaymentStatus::Pending | PaymentStatus::Failed | PaymentStatus::Voided | PaymentStatus::Refunded) => {
            PaymentAction::Nothing
        }
        Some(PaymentStatus::Authorized) => {
            if other_parts.iter().all(|p| *p == PartStatus::Cancelled) {
                PaymentAction::Void
            } else if part_remaining.minor > 0 {
                PaymentAction::CaptureLess(part_remaining)
            } else {
                PaymentAction::Nothing
            }
        }
        Some(PaymentStatus::Captured | PaymentStatus::PartiallyRefunded) => {
            // The payment's own remainder bounds the refund even if the part's books disagree.
            let left = payment.map_or(zero, Payment::refundable);
            let amount = part_remaining.minor.min(left.minor).max(0);
            if amount > 0 {
                PaymentAction::Refund(Money::new(amount, part_remaining.currency))
            } else {
                PaymentAction::Nothing
            }
        }
    };
    Ok(Cancellation { status: next, payment: action, release_stock: true })
}

/// The order's status as a whole, from its parts' statuses. The rule, in order:
///
/// 1. No parts, or every part cancelled → `cancelled`.
/// 2. Cancelled parts are otherwise ignored (a cancelled part does not hold the order back).
/// 3. Any remaining part awaiting payment → `awaiting_payment` (payment covers the whole order).
/// 4. Every remaining part settled (delivered or refunded) → `delivered` if any was delivered,
///    else `refunded`.
/// 5. Every remaining part shipped, delivered or refunded → `shipped`.
/// 6. Anything shipped (some parts or some lines) → `partially_shipped`.
/// 7. Any part processing → `processing`; otherwise `paid`.
///
/// So delivered + cancelled reads as delivered, and shipped + paid as partially shipped.
pub fn order_status(parts: &[PartStatus]) -> PartStatus {
    use PartStatus as S;
    let live: Vec<PartStatus> = parts.iter().copied().filter(|p| *p != S::Cancelled).collect();
    if live.is_empty() {
        return S::Cancelled;
    }
    if live.contains(&S::AwaitingPayment) {
        return S::AwaitingPayment;
    }
    if live.iter().all(|p| matches!(p, S::Delivered | S::Refunded)) {
        return if live.contains(&S::Delivered) { S::Delivered } else { S::Refunded };
    }
    if live.iter().all(|p| matches!(p, S::Shipped | S::Delivered | S::Refunded)) {
        return S::Shipped;
    }
    if live.iter().any(|p| p.has_shipped()) {
        return S::PartiallyShipped;
    }
    if live.contains(&S::Processing) { S::Processing } else { S::Paid }
}

/// The order's status as shown: before and outside payment the stored one (awaiting_payment,
/// payment_failed, expired, cancelled); once paid, derived from its parts by [`order_status`], so
/// it moves as the stores ship, deliver, cancel and refund.
pub fn shown_status(stored: &str, parts: &[PartStatus]) -> String {
    if stored != "paid" {
        return stored.to_string();
    }
    order_status(parts).as_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use crate::domain::payment::{PaymentEvent, PaymentEventKind as K};
    use PartStatus as S;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn payment(steps: &[(K, i64)]) -> Payment {
        let events: Vec<PaymentEvent> =
            steps.iter().map(|(k, m)| PaymentEvent::succeeded(*k, usd(*m), 1, Some("ch".into()), "k")).collect();
        Payment::replay(usd(10_000), &events).unwrap()
    }

    #[test]
    fn cancelling_a_captured_part_refunds_what_is_left_of_it() {
        let paid = payment(&[(K::Authorize, 10_000), (K::Capture, 10_000)]);
        let plan = plan_cancellation(S::Paid, usd(3_000), Some(&paid), &[S::Paid]).unwrap();
        assert_eq!(
            plan,
            Cancellation { status: S::Cancelled, payment: PaymentAction::Refund(usd(3_000)), release_stock: true }
        );
        // Never more than the payment itself still holds.
        let mostly_refunded = payment(&[(K::Authorize, 10_000), (K::Capture, 10_000), (K::Refund, 9_000)]);
        let plan = plan_cancellation(S::Processing, usd(3_000), Some(&mostly_refunded), &[]).unwrap();
        assert_eq!(plan.payment, PaymentAction::Refund(usd(1_000)));
        let plan = plan_cancellation(S::Paid, usd(0), Some(&paid), &[]).unwrap();
        assert_eq!(plan.payment, PaymentAction::Nothing);
    }

    #[test]
    fn cancelling_an_authorized_part_voids_only_when_nothing_else_is_left() {
        let held = payment(&[(K::Authorize, 10_000)]);
        let last = plan_cancellation(S::Paid, usd(4_000), Some(&held), &[S::Cancelled]).unwrap();
        assert_eq!(last.payment, PaymentAction::Void);
        let alone = plan_cancellation(S::Paid, usd(10_000), Some(&held), &[]).unwrap();
        assert_eq!(alone.payment, PaymentAction::Void);
        let one_of_two = plan_cancellation(S::Paid, usd(4_000), Some(&held), &[S::Processing]).unwrap();
        assert_eq!(one_of_two.payment, PaymentAction::CaptureLess(usd(4_000)));
    }

    #[test]
    fn cancelling_an_unpaid_part_touches_no_money_but_releases_stock() {
        for p in [None, Some(payment(&[]))] {
            let plan = plan_cancellation(S::AwaitingPayment, usd(4_000), p.as_ref(), &[]).unwrap();
            assert_eq!((plan.payment, plan.release_stock), (PaymentAction::Nothing, true));
        }
    }

    #[test]
    fn nothing_that_has_shipped_can_be_cancelled() {
        let paid = payment(&[(K::Authorize, 10_000), (K::Capture, 10_000)]);
        for s in S::ALL {
            let result = plan_cancellation(s, usd(1_000), Some(&paid), &[]);
            let cancellable = matches!(s, S::AwaitingPayment | S::Paid | S::Processing);
            assert_eq!(result.is_ok(), cancellable, "{s:?}");
        }
        let err = plan_cancellation(S::Shipped, usd(1_000), Some(&paid), &[]).unwrap_err();
        assert_eq!(err.to_string(), "This part of the order is shipped, so it cannot be cancelled.");
    }

    #[test]
    fn the_order_status_follows_the_documented_rule() {
        let table: &[(&[PartStatus], PartStatus)] = &[
            (&[], S::Cancelled),
            (&[S::Cancelled, S::Cancelled], S::Cancelled),
            (&[S::AwaitingPayment, S::AwaitingPayment], S::AwaitingPayment),
            (&[S::Paid, S::Paid], S::Paid),
            (&[S::Paid, S::Cancelled], S::Paid),
            (&[S::Paid, S::Processing], S::Processing),
            (&[S::Paid, S::Shipped], S::PartiallyShipped),
            (&[S::PartiallyShipped], S::PartiallyShipped),
            (&[S::Processing, S::Delivered], S::PartiallyShipped),
            (&[S::Shipped, S::Shipped], S::Shipped),
            (&[S::Shipped, S::Delivered], S::Shipped),
            (&[S::Shipped, S::Cancelled], S::Shipped),
            (&[S::Delivered, S::Delivered], S::Delivered),
            (&[S::Delivered, S::Cancelled], S::Delivered),
            (&[S::Delivered, S::Refunded], S::Delivered),
            (&[S::Refunded, S::Cancelled], S::Refunded),
            (&[S::Refunded], S::Refunded),
        ];
        for (parts, want) in table {
            assert_eq!(order_status(parts), *want, "{parts:?}");
        }
    }

    #[test]
    fn the_order_status_does_not_depend_on_the_order_of_parts() {
        for a in S::ALL {
            for b in S::ALL {
                for c in S::ALL {
                    let s = order_status(&[a, b, c]);
                    assert_eq!(s, order_status(&[c, a, b]));
                    assert_eq!(s, order_status(&[b, c, a]));
                    assert_eq!(s, order_status(&[b, a, c]));
                }
            }
        }
    }

    #[test]
    fn a_paid_order_shows_what_its_parts_add_up_to() {
        use PartStatus as S;
        assert_eq!(shown_status("paid", &[S::Paid, S::Paid]), "paid");
        assert_eq!(shown_status("paid", &[S::Shipped, S::Paid]), "partially_shipped");
        assert_eq!(shown_status("paid", &[S::Delivered, S::Cancelled]), "delivered");
        assert_eq!(shown_status("paid", &[S::Refunded]), "refunded");
        assert_eq!(shown_status("expired", &[S::Cancelled]), "expired");
        assert_eq!(shown_status("payment_failed", &[S::Cancelled]), "payment_failed");
    }
}
