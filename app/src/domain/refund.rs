//! Refunds of a whole order part or of single lines, checked before the gateway is asked.
//!
//! Each part keeps a small ledger: what was captured for it and what has been refunded, in total
//! and per line. A refund is planned against the ledger and bounded three ways — per line (what
//! the line cost after discount and tax, less its earlier refunds), per part (captured less
//! refunded) and by the payment itself (`Payment::refundable`) — so no sequence of refunds can
//! ever return more than was captured, whatever the caller asks for.
use super::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// Why money went back: a store's refund, a cancelled part, or a received return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefundKind {
    Refund,
    Cancel,
    Return,
}

/// Where a refund stands: booked before the gateway is asked, then its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
}

impl RefundKind {
    pub const ALL: [RefundKind; 3] = [RefundKind::Refund, RefundKind::Cancel, RefundKind::Return];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundKind::Refund => "refund",
            RefundKind::Cancel => "cancel",
            RefundKind::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<RefundKind> {
        RefundKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 3] = [RefundStatus::Pending, RefundStatus::Succeeded, RefundStatus::Failed];

    /// The name stored in the database and shown in outcomes.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RefundStatus> {
        RefundStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineLedger {
    pub line_id: i64,
    pub title: String,
    /// The line's share of what the shopper paid (see [`line_shares`]).
    pub paid: Money,
    pub refunded: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartLedger {
    /// What was captured for the part: its total (goods, shipping, tax, less discount).
    pub captured: Money,
    pub refunded: Money,
    pub lines: Vec<LineLedger>,
}

/// One line to refund; `amount: None` refunds everything left on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRefund {
    pub line_id: i64,
    pub amount: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundRequest {
    /// Everything left on the part, shipping included.
    WholePart,
    Lines(Vec<LineRefund>),
}

/// A checked refund: the amount to send to the gateway and how it splits over lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPlan {
    pub amount: Money,
    pub lines: Vec<(i64, Money)>,
    /// After this refund nothing captured for the part is left (the part may move to refunded).
    pub settles_part: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("Nothing was captured for this order part, so there is nothing to refund.")]
    NothingCaptured,
    #[error("Nothing is left to refund on this order part: {captured} was captured and {refunded} already refunded.")]
    NothingLeft { captured: Money, refunded: Money },
    #[error("Choose at least one line to refund.")]
    NoLines,
    #[error("Line #{0} is not in this order part.")]
    UnknownLine(i64),
    #[error("“{0}” is listed twice; list each line once.")]
    DuplicateLine(String),
    #[error("The refund for “{0}” must be greater than zero.")]
    NonPositive(String),
    #[error("“{title}” has already been refunded in full ({paid}).")]
    LineSettled { title: String, paid: Money },
    #[error("This order part was paid in {expected}; a refund in {got} cannot be applied to it.")]
    CurrencyMismatch { expected: Currency, got: Currency },
    #[error("You can refund at most {max} for “{title}”; {paid} was paid and {refunded} already refunded.")]
    LineOverRefund { title: String, max: Money, paid: Money, refunded: Money },
    #[error(
        "You can refund at most {max} of this order part; {captured} was captured and {refunded} already refunded."
    )]
    PartOverRefund { max: Money, captured: Money, refunded: Money },
    #[error("Only {0} of this order's payment is left to refund.")]
    PaymentOverRefund(Money),
}

fn sub(a: Money, b: Money) -> Money {
    Money::new((a.minor - b.minor).max(0), a.currency)
}

impl LineLedger {
    pub fn refundable(&self) -> Money {
        sub(self.paid, self.refunded)
    }
}

impl PartLedger {
    /// Captured less refunded.
    pub fn refundable(&self) -> Money {
        sub(self.captured, self.refunded)
    }

    /// What may still be refunded on one line: its own remainder, capped by the part's.
    pub fn line_refundable(&self, line_id: i64) -> Option<Money> {
        let line = self.lines.iter().find(|l| l.line_id == line_id)?;
        Some(Money::new(line.refundable().minor.min(self.refundable().minor), self.captured.currency))
    }

    /// Books a refund the gateway accepted.
    pub fn record(&mut self, plan: &RefundPlan) {
        self.refunded = Money::new(self.refunded.minor + plan.amount.minor, self.captured.currency);
        for (id, amount) in &plan.lines {
            if let Some(line) = self.lines.iter_mut().find(|l| l.line_id == *id) {
                line.refunded = Money::new(line.refunded.minor + amount.minor, line.refunded.currency);
            }
        }
    }

    /// Checks `request` against this ledger and the payment's own remainder (`payment_left`).
    pub fn plan(&self, request: &RefundRequest, payment_left: Money) -> Result<RefundPlan, RefundError> {
        let currency = self.captured.currency;
        if self.captured.minor <= 0 {
            return Err(RefundError::NothingCaptured);
        }
        let part_left = self.refundable();
        let (amount, lines) = match request {
            RefundRequest::WholePart => {
                if part_left.minor == 0 {
                    return Err(RefundError::NothingLeft { captured: self.captured, refunded: self.refunded });
                }
                // Lines get what is left on them; the rest of the part (shipping) needs no line.
                let mut budget = part_left.minor;
                let mut lines = Vec::new();
                for line in &self.lines {
                    let take = line.refundable().minor.min(budget);
                    if take > 0 {
                        budget -= take;
                        lines.push((line.line_id, Money::new(take, currency)));
                    }
                }
                (part_left, lines)
            }
            RefundRequest::Lines(requested) => {
                if requested.is_empty() {
                    return Err(RefundError::NoLines);
                }
                let mut lines: Vec<(i64, Money)> = Vec::with_capacity(requested.len());
                for r in requested {
                    let line = self
                        .lines
                        .iter()
                        .find(|l| l.line_id == r.line_id)
                        .ok_or(RefundError::UnknownLine(r.line_id))?;
                    if lines.iter().any(|(id, _)| *id == r.line_id) {
                        return Err(RefundError::DuplicateLine(line.title.clone()));
                    }
                    let max = line.refundable();
                    if max.minor == 0 {
                        return Err(RefundError::LineSettled { title: line.title.clone(), paid: line.paid });
                    }
                    let amount = r.amount.unwrap_or(max);
                    if amount.currency != currency {
                        return Err(RefundError::CurrencyMismatch { expected: currency, got: amount.currency });
                    }
                    if amount.minor > max.minor {
                        return Err(RefundError::LineOverRefund {
                            title: line.title.clone(),
                            max,
                            paid: line.paid,
                            refunded: line.refunded,
                        });
                    }
                    if amount.minor <= 0 {
                        return Err(RefundError::NonPositive(line.title.clone()));
                    }
                    lines.push((r.line_id, amount));
                }
                let total = lines.iter().map(|(_, m)| m.minor).sum::<i64>();
                (Money::new(total, currency), lines)
            }
        };
        if amount.minor > part_left.minor {
            return Err(RefundError::PartOverRefund {
                max: part_left,
                captured: self.captured,
                refunded: self.refunded,
            });
        }
        if payment_left.currency != currency {
            return Err(RefundError::CurrencyMismatch { expected: currency, got: payment_left.currency });
        }
        if amount.minor > payment_left.minor {
            return Err(RefundError::PaymentOverRefund(payment_left));
        }
        Ok(RefundPlan { amount, lines, settles_part: amount == part_left })
    }
}

/// Splits `total` over lines in proportion to `weights` (their pre-discount totals), by largest
/// remainder so the shares add up to `total` exactly. A line's share of the goods paid (the
/// part's total less shipping) is what a refund of that line may return.
pub fn line_shares(total: Money, weights: &[Money]) -> Vec<Money> {
    let sum: i128 = weights.iter().map(|w| i128::from(w.minor.max(0))).sum();
    if sum == 0 || total.minor <= 0 {
        return weights.iter().map(|_| Money::new(0, total.currency)).collect();
    }
    let t = i128::from(total.minor);
    let mut shares: Vec<i128> = weights.iter().map(|w| t * i128::from(w.minor.max(0)) / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties go to the earlier line so the split is deterministic.
    order.sort_by_key(|&i| (std::cmp::Reverse(t * i128::from(weights[i].minor.max(0)) % sum), i));
    let mut left = t - shares.iter().sum::<i128>();
    for i in order {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| Money::new(s as i64, total.currency)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_kinds_and_statuses_round_trip() {
        for k in RefundKind::ALL {
            assert_eq!(RefundKind::parse(k.as_str()), Some(k));
        }
        for st in RefundStatus::ALL {
            assert_eq!(RefundStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(RefundStatus::parse("done"), None);
    }
    use crate::domain::payment::{Payment, PaymentEvent, PaymentEventKind};

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn ledger() -> PartLedger {
        PartLedger {
            captured: usd(3_000),
            refunded: usd(0),
            lines: vec![
                LineLedger { line_id: 1, title: "Blue mug".into(), paid: usd(1_200), refunded: usd(0) },
                LineLedger { line_id: 2, title: "Tea towel".into(), paid: usd(1_300), refunded: usd(0) },
            ],
        }
    }

    fn line(id: i64, minor: Option<i64>) -> LineRefund {
        LineRefund { line_id: id, amount: minor.map(usd) }
    }

    #[test]
    fn the_part_cap_message_names_all_three_amounts() {
        let mut l = ledger();
        l.refunded = usd(1_750);
        l.lines[0].refunded = usd(1_200);
        l.lines[1].refunded = usd(550);
        l.lines[1].paid = usd(2_000);
        let err = l.plan(&RefundRequest::Lines(vec![line(2, Some(1_300))]), usd(10_000)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "You can refund at most $12.50 of this order part; $30.00 was captured and $17.50 already refunded."
        );
        assert_eq!(l.line_refundable(2), Some(usd(1_250)));
        assert_eq!(l.line_refundable(9), None);
    }

    #[test]
    fn line_refunds_are_checked_line_by_line() {
        let l = ledger();
        let plan = l.plan(&RefundRequest::Lines(vec![line(1, None), line(2, Some(300))]), usd(3_000)).unwrap();
        assert_eq!(
            plan,
            RefundPlan { amount: usd(1_500), lines: vec![(1, usd(1_200)), (2, usd(300))], settles_part: false }
        );
        let cases: &[(Vec<LineRefund>, &str)] = &[
            (vec![], "Choose at least one line to refund."),
            (vec![line(7, None)], "Line #7 is not in this order part."),
            (vec![line(1, None), line(1, Some(1))], "“Blue mug” is listed twice; list each line once."),
            (vec![line(1, Some(0))], "The refund for “Blue mug” must be greater than zero."),
            (vec![line(1, Some(-5))], "The refund for “Blue mug” must be greater than zero."),
            (
                vec![line(1, Some(1_201))],
                "You can refund at most $12.00 for “Blue mug”; $12.00 was paid and $0.00 already refunded.",
            ),
        ];
        for (request, message) in cases {
            let err = l.plan(&RefundRequest::Lines(request.clone()), usd(3_000)).unwrap_err();
            assert_eq!(err.to_string(), *message);
        }
        let eur = LineRefund { line_id: 1, amount: Some(Money::new(100, Currency::EUR)) };
        assert!(matches!(
            l.plan(&RefundRequest::Lines(vec![eur]), usd(3_000)),
            Err(RefundError::CurrencyMismatch { .. })
        ));
        let err = l.plan(&RefundRequest::Lines(vec![line(1, None)]), usd(500)).unwrap_err();
        assert_eq!(err.to_string(), "Only $5.00 of this order's payment is left to refund.");
    }

    #[test]
    fn a_whole_part_refund_returns_everything_left_including_shipping() {
        let mut l = ledger();
        l.lines[0].refunded = usd(200);
        l.refunded = usd(200);
        let plan = l.plan(&RefundRequest::WholePart, usd(10_000)).unwrap();
        assert_eq!(plan.amount, usd(2_800));
        assert_eq!(plan.lines, vec![(1, usd(1_000)), (2, usd(1_300))]);
        assert!(plan.settles_part);
        l.record(&plan);
        assert_eq!((l.refundable(), l.lines[0].refundable(), l.lines[1].refundable()), (usd(0), usd(0), usd(0)));
        let err = l.plan(&RefundRequest::Lines(vec![line(1, None)]), usd(10_000)).unwrap_err();
        assert_eq!(err.to_string(), "“Blue mug” has already been refunded in full ($12.00).");
        let err = l.plan(&RefundRequest::WholePart, usd(10_000)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Nothing is left to refund on this order part: $30.00 was captured and $30.00 already refunded."
        );
        let mut unpaid = ledger();
        unpaid.captured = usd(0);
        assert_eq!(unpaid.plan(&RefundRequest::WholePart, usd(0)), Err(RefundError::NothingCaptured));
    }

    #[test]
    fn line_shares_add_up_exactly_and_follow_the_weights() {
        assert_eq!(line_shares(usd(1_000), &[usd(1), usd(1), usd(1)]), vec![usd(334), usd(333), usd(333)]);
        assert_eq!(line_shares(usd(900), &[usd(1_000), usd(0)]), vec![usd(900), usd(0)]);
        assert_eq!(line_shares(usd(500), &[]), vec![]);
        assert_eq!(line_shares(usd(500), &[usd(0)]), vec![usd(0)]);
        let mut rng = Rng(7);
        for _ in 0..500 {
            let weights: Vec<Money> = (0..rng.below(6) + 1).map(|_| usd(rng.below(100_000) as i64)).collect();
            let total = usd(rng.below(1_000_000) as i64);
            let shares = line_shares(total, &weights);
            if weights.iter().any(|w| w.minor > 0) {
                assert_eq!(shares.iter().map(|s| s.minor).sum::<i64>(), total.minor, "{weights:?}");
            }
            assert!(shares.iter().all(|s| s.minor >= 0));
        }
    }

    /// xorshift64: deterministic, so a failure reproduces from the seed.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn no_sequence_of_refunds_returns_more_than_was_captured() {
        let mut rng = Rng(0x5eed_cafe_f00d);
        for round in 0..300 {
            let n = rng.below(4) as usize + 1;
            let weights: Vec<Money> = (0..n).map(|_| usd(rng.below(20_000) as i64 + 1)).collect();
            let shipping = rng.below(2_000) as i64;
            let goods = rng.below(50_000) as i64 + 1;
            let captured = usd(goods + shipping);
            let shares = line_shares(usd(goods), &weights);
            let mut ledger = PartLedger {
                captured,
                refunded: usd(0),
                lines: (0..n)
                    .map(|i| LineLedger {
                        line_id: i as i64 + 1,
                        title: format!("line {i}"),
                        paid: shares[i],
                        refunded: usd(0),
                    })
                    .collect(),
            };
            let mut payment = Payment::replay(
                captured,
                &[
                    PaymentEvent::succeeded(PaymentEventKind::Authorize, captured, 1, None, "a"),
                    PaymentEvent::succeeded(PaymentEventKind::Capture, captured, 2, None, "c"),
                ],
            )
            .unwrap();
            for _ in 0..12 {
                let request = match rng.below(5) {
                    0 => RefundRequest::WholePart,
                    _ => RefundRequest::Lines(
                        (0..rng.below(3) + 1)
                            .map(|_| LineRefund {
                                line_id: rng.below(n as u64 + 1) as i64 + 1,
                                amount: match rng.below(3) {
                                    0 => None,
                                    _ => Some(usd(rng.below(25_000) as i64 - 100)),
                                },
                            })
                            .collect(),
                    ),
                };
                if let Ok(plan) = ledger.plan(&request, payment.refundable()) {
                    assert!(plan.amount.minor > 0);
                    let event = PaymentEvent::succeeded(PaymentEventKind::Refund, plan.amount, 3, None, "r");
                    payment = payment.apply(&event).expect("the payment accepts every planned refund");
                    ledger.record(&plan);
                }
                assert!(ledger.refunded.minor <= ledger.captured.minor, "round {round}");
                assert_eq!(ledger.refunded, payment.refunded, "round {round}");
                for l in &ledger.lines {
                    assert!(l.refunded.minor <= l.paid.minor, "round {round}: {l:?}");
                }
                assert!(ledger.lines.iter().map(|l| l.refunded.minor).sum::<i64>() <= ledger.refunded.minor);
            }
        }
    }
}
