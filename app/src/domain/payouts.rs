//! Marketplace money: the platform's commission, a store's ledger and balance, and payouts.
//!
//! A store earns an order part when its payment is captured (the money is then the marketplace's
//! to hold): a `Sale` of the part's total and the platform's `Commission` on it, at the rate
//! frozen on the part when the order was placed, on the part's total without its tax (tax is
//! collected for the authorities). Each refund that succeeds gives money back (`Refund`) and the
//! commission on it (`CommissionReturned`), so the commission kept on a part is always the rate on
//! the untaxed share of `total − refunded`, rounded once (half up) — never a sum of rounded pieces
//! that could drift by a cent per refund. A `Payout` is money the platform sent the store. The
//! balance is what the platform owes the store: sales − refunds − commission − payouts; it can go
//! below zero when a refund follows a payout (the store then owes the platform).
//!
//! Everything here is worked out from rows the adapter loads (`LedgerPart`, `LedgerRefund`,
//! `PayoutRecord`), so every figure is the orders and refunds it comes from.
use super::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// Basis points: 10 000 = 100 %.
pub const FULL_BPS: i64 = 10_000;
pub const MAX_REFERENCE_CHARS: usize = 100;
/// Ledger lines per page on the Earnings page.
pub const LEDGER_PAGE: usize = 25;

/// A commission rate in basis points, 0 to 10 000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRate(i64);

impl CommissionRate {
    pub const ZERO: CommissionRate = CommissionRate(0);

    pub fn from_bps(bps: i64) -> Option<Self> {
        (0..=FULL_BPS).contains(&bps).then_some(CommissionRate(bps))
    }

    pub fn bps(self) -> i64 {
        self.0
    }

    /// A percentage as typed by the admin: "10", "12.5", "7.25 %", "0". At most two decimals.
    pub fn parse_percent(typed: &str) -> Result<Self, String> {
        let help = "Enter a commission between 0 and 100 percent, like 10 or 12.5.";
        super::money::percent_bps(typed).and_then(CommissionRate::from_bps).ok_or_else(|| help.into())
    }

    /// "10 %", "12.5 %", "7.25 %".
    pub fn percent(self) -> String {
        super::money::percent_text(self.0)
    }

    /// The commission on `amount` minor units, rounded half up (amounts are never negative here;
    /// a negative one rounds symmetrically).
    pub fn of(self, amount: i64) -> i64 {
        divide_rounded(i128::from(amount) * i128::from(self.0), i128::from(FULL_BPS))
    }

    /// The commission on `net` (what is left of a part's `total` after refunds) without the tax in
    /// it: tax is collected for the authorities, not the store's revenue. Refunds give tax back in
    /// proportion, so the untaxed share of `net` is `net × (total − tax) / total`; one rounding.
    pub fn on_untaxed(self, net: i64, total: i64, tax: i64) -> i64 {
        if total <= 0 || tax <= 0 {
            return self.of(net);
        }
        let untaxed = i128::from(total - tax.min(total));
        divide_rounded(i128::from(net) * untaxed * i128::from(self.0), i128::from(total) * i128::from(FULL_BPS))
    }
}

/// `num / den` rounded half up (half away from zero), `den` > 0, saturating at i64's range.
fn divide_rounded(num: i128, den: i128) -> i64 {
    let half = den / 2;
    let rounded = if num >= 0 { (num + half) / den } else { -((-num + half) / den) };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// The rate a new order part is charged: the store's own, else the marketplace's default. (The
/// adapter applies the same rule in SQL when it freezes the rate on the part; a conformance test
/// checks the two agree.)
pub fn effective_rate(store: Option<CommissionRate>, default: CommissionRate) -> CommissionRate {
    store.unwrap_or(default)
}

/// A captured order part of the store, as the ledger needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPart {
    pub part_id: i64,
    pub merchant_id: i64,
    pub order_number: String,
    pub currency: Currency,
    pub total_minor: i64,
    /// The tax in `total_minor`: no commission is taken on it.
    pub tax_minor: i64,
    pub commission: CommissionRate,
    /// When the payment was captured (the sale's date).
    pub captured_at: i64,
}

impl LedgerPart {
    /// The commission kept when `net` of the part's total is left after refunds.
    pub fn kept(&self, net: i64) -> i64 {
        self.commission.on_untaxed(net, self.total_minor, self.tax_minor)
    }
}

/// A refund of a part that went through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRefund {
    pub refund_id: i64,
    pub part_id: i64,
    pub amount_minor: i64,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRecord {
    pub id: i64,
    pub merchant_id: i64,
    pub currency: Currency,
    pub amount_minor: i64,
    pub reference: String,
    pub created_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Sale,
    Commission,
    Refund,
    CommissionReturned,
    Payout,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Sale => "Sale",
            EntryKind::Commission => "Commission",
            EntryKind::Refund => "Refund",
            EntryKind::CommissionReturned => "Commission returned",
            EntryKind::Payout => "Payout",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Sale => "sale",
            EntryKind::Commission => "commission",
            EntryKind::Refund => "refund",
            EntryKind::CommissionReturned => "commission_returned",
            EntryKind::Payout => "payout",
        }
    }
}

/// One line of a store's ledger: a signed amount (what it adds to the store's balance).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub at: i64,
    pub merchant_id: i64,
    pub kind: EntryKind,
    /// The order for sales, commission and refunds; the payout's reference for payouts.
    pub reference: String,
    pub amount: Money,
}

/// A store's money in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub currency: Currency,
    pub sales_minor: i64,
    pub refunds_minor: i64,
    /// Commission kept: on sales, less what was returned with refunds.
    pub commission_minor: i64,
    pub payouts_minor: i64,
}

impl Balance {
    /// Nothing earned yet in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Balance { currency, sales_minor: 0, refunds_minor: 0, commission_minor: 0, payouts_minor: 0 }
    }

    /// What the platform owes the store now.
    pub fn owed_minor(&self) -> i64 {
        self.sales_minor - self.refunds_minor - self.commission_minor - self.payouts_minor
    }

    pub fn owed(&self) -> Money {
        Money::new(self.owed_minor(), self.currency)
    }
}

/// The ledger of the parts, refunds and payouts given (one store's, or several stores'), oldest
/// first; within the same second a sale comes before its commission and a refund before the
/// commission it returns. Refunds of parts not given (not captured) are ignored.
pub fn ledger(parts: &[LedgerPart], refunds: &[LedgerRefund], payouts: &[PayoutRecord]) -> Vec<LedgerEntry> {
    let mut entries = Vec::with_capacity(parts.len() * 2 + refunds.len() * 2 + payouts.len());
    let mut by_part: std::collections::HashMap<i64, (&LedgerPart, i64)> =
        parts.iter().map(|p| (p.part_id, (p, 0))).collect();
    for p in parts {
        let entry = |kind, minor| LedgerEntry {
            at: p.captured_at,
            merchant_id: p.merchant_id,
            kind,
            reference: p.order_number.clone(),
            amount: Money::new(minor, p.currency),
        };
        entries.push(entry(EntryKind::Sale, p.total_minor));
        entries.push(entry(EntryKind::Commission, -p.kept(p.total_minor)));
    }
    let mut ordered: Vec<&LedgerRefund> = refunds.iter().collect();
    ordered.sort_by_key(|r| (r.at, r.refund_id));
    for r in ordered {
        let Some((p, refunded)) = by_part.get_mut(&r.part_id) else { continue };
        let before = p.kept(p.total_minor - *refunded);
        *refunded += r.amount_minor;
        let after = p.kept(p.total_minor - *refunded);
        let entry = |kind, minor| LedgerEntry {
            at: r.at,
            merchant_id: p.merchant_id,
            kind,
            reference: p.order_number.clone(),
            amount: Money::new(minor, p.currency),
        };
        entries.push(entry(EntryKind::Refund, -r.amount_minor));
        if before != after {
            entries.push(entry(EntryKind::CommissionReturned, before - after));
        }
    }
    for p in payouts {
        entries.push(LedgerEntry {
            at: p.created_at,
            merchant_id: p.merchant_id,
            kind: EntryKind::Payout,
            reference: p.reference.clone(),
            amount: Money::new(-p.amount_minor, p.currency),
        });
    }
    // Stable: entries of one event keep the order they were pushed in.
    entries.sort_by_key(|e| e.at);
    entries
}

/// The balances, one per currency (in the order each first appears), summed from the ledger.
pub fn balances(entries: &[LedgerEntry]) -> Vec<Balance> {
    let mut out: Vec<Balance> = Vec::new();
    for e in entries {
        let i = match out.iter().position(|b| b.currency == e.amount.currency) {
            Some(i) => i,
            None => {
                out.push(Balance::zero(e.amount.currency));
                out.len() - 1
            }
        };
        let b = &mut out[i];
        let m = e.amount.minor;
        match e.kind {
            EntryKind::Sale => b.sales_minor += m,
            EntryKind::Refund => b.refunds_minor -= m,
            EntryKind::Commission | EntryKind::CommissionReturned => b.commission_minor -= m,
            EntryKind::Payout => b.payouts_minor -= m,
        }
    }
    out
}

/// A payout as the admin typed it, checked: a positive amount no larger than what the store is
/// owed in that currency, and a reference (the bank transfer's) of 1 to 100 characters.
pub fn validate_payout(
    amount_minor: Option<i64>,
    reference: &str,
    owed: &Balance,
) -> Result<String, (&'static str, String)> {
    let amount = match amount_minor {
        Some(a) if a > 0 => a,
        _ => return Err(("amount", "Enter the amount paid, like 125.00.".into())),
    };
    if amount > owed.owed_minor() {
        return Err((
            "amount",
            format!(
                "The store is owed {}; a payout cannot be larger.",
                Money::new(owed.owed_minor().max(0), owed.currency)
            ),
        ));
    }
    let reference = reference.trim();
    if reference.is_empty() {
        return Err(("reference", "Enter the transfer's reference, so the store can match it.".into()));
    }
    if reference.chars().count() > MAX_REFERENCE_CHARS || reference.chars().any(char::is_control) {
        return Err(("reference", format!("Keep the reference to one line of {MAX_REFERENCE_CHARS} characters.")));
    }
    Ok(reference.to_string())
}

/// A store's Earnings page: its rate, balances and one page of its ledger (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earnings {
    pub merchant_id: i64,
    pub name: String,
    pub rate: CommissionRate,
    /// The store has a rate of its own (else the marketplace's default applies).
    pub own_rate: bool,
    pub balances: Vec<Balance>,
    pub entries: Vec<LedgerEntry>,
    pub page: usize,
    pub pages: usize,
}

/// One store on the platform admin's Payouts page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreMoney {
    pub merchant_id: i64,
    pub name: String,
    pub own_rate: Option<CommissionRate>,
    pub balances: Vec<Balance>,
}

/// The platform admin's Payouts page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutsOverview {
    pub default_rate: CommissionRate,
    pub stores: Vec<StoreMoney>,
    /// The latest payouts, newest first, with the store's name.
    pub recent: Vec<(PayoutRecord, String)>,
    /// Fresh per page load: forms add it to their idempotency keys.
    pub action_key: String,
}

/// One page (1-based) of `entries` newest first, and how many pages there are.
pub fn newest_page(entries: &[LedgerEntry], page: usize) -> (Vec<LedgerEntry>, usize, usize) {
    let pages = entries.len().div_ceil(LEDGER_PAGE).max(1);
    let page = page.clamp(1, pages);
    // Newest first, but the entries of one moment keep their order (a sale above its commission).
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(entries[i].at), i));
    let shown =
        order.into_iter().skip((page - 1) * LEDGER_PAGE).take(LEDGER_PAGE).map(|i| entries[i].clone()).collect();
    (shown, page, pages)
}

/// The ledger CSV's header and one row per entry: the amount as a plain signed decimal
/// ("-12.50") a spreadsheet sums, every text cell escaped against formula injection.
pub const LEDGER_CSV_COLUMNS: [&str; 7] = ["date", "store_id", "store", "entry", "reference", "amount", "currency"];

pub fn ledger_csv_record(e: &LedgerEntry, store_name: &str) -> [String; 7] {
    use super::product_csv::escape_cell;
    let amount = e.amount.decimal();
    [
        super::dates::ymd_hm(e.at),
        e.merchant_id.to_string(),
        escape_cell(store_name),
        e.kind.as_str().to_string(),
        escape_cell(&e.reference),
        amount,
        e.amount.currency.code().to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(bps: i64) -> CommissionRate {
        CommissionRate::from_bps(bps).unwrap()
    }

    fn part(id: i64, total: i64, bps: i64, at: i64) -> LedgerPart {
        LedgerPart {
            part_id: id,
            merchant_id: 7,
            order_number: format!("MM-{id}"),
            currency: Currency::USD,
            total_minor: total,
            tax_minor: 0,
            commission: rate(bps),
            captured_at: at,
        }
    }

    fn refund(id: i64, part_id: i64, amount: i64, at: i64) -> LedgerRefund {
        LedgerRefund { refund_id: id, part_id, amount_minor: amount, at }
    }

    #[test]
    fn percentages_parse_to_basis_points() {
        for (typed, bps) in
            [("10", 1000), ("12.5", 1250), ("7.25 %", 725), ("0", 0), ("100", 10_000), (" 3%", 300), (".5", 50)]
        {
            assert_eq!(CommissionRate::parse_percent(typed).map(CommissionRate::bps), Ok(bps), "{typed}");
        }
        for bad in ["", "%", "-1", "100.01", "1000", "1.234", "ten", "1e2", "1,5", "."] {
            assert!(CommissionRate::parse_percent(bad).is_err(), "{bad}");
        }
        assert_eq!(rate(1250).percent(), "12.5 %");
        assert_eq!(rate(725).percent(), "7.25 %");
        assert_eq!(rate(1000).percent(), "10 %");
    }

    #[test]
    fn commission_rounds_half_up_once() {
        assert_eq!(rate(1000).of(1995), 200); // 199.5 → 200
        assert_eq!(rate(1000).of(1994), 199);
        assert_eq!(rate(1250).of(1), 0);
        assert_eq!(rate(10_000).of(4321), 4321);
        assert_eq!(rate(0).of(4321), 0);
        assert_eq!(rate(10_000).of(i64::MAX), i64::MAX);
    }

    #[test]
    fn pages_are_newest_first_with_a_sale_above_its_commission() {
        let parts: Vec<LedgerPart> = (0..30).map(|i| part(i, 1000, 1000, 100 + i)).collect();
        let entries = ledger(&parts, &[], &[]);
        let (first, page, pages) = newest_page(&entries, 1);
        assert_eq!((page, pages, first.len()), (1, 3, LEDGER_PAGE));
        assert_eq!((first[0].kind, first[0].at), (EntryKind::Sale, 129));
        assert_eq!((first[1].kind, first[1].at), (EntryKind::Commission, 129));
        let (last, page, _) = newest_page(&entries, 99);
        assert_eq!((page, last.len()), (3, 10));
        assert_eq!(last.last().map(|e| (e.kind, e.at)), Some((EntryKind::Commission, 100)));
        assert_eq!(newest_page(&[], 1), (Vec::new(), 1, 1));
    }

    #[test]
    fn no_commission_is_taken_on_tax() {
        // 110.00 of which 10.00 tax, at 10 %: 10.00 commission; half refunded: 5.00 kept.
        let taxed = LedgerPart { tax_minor: 1000, ..part(1, 11_000, 1000, 1) };
        assert_eq!(taxed.kept(11_000), 1000);
        assert_eq!(taxed.kept(5_500), 500);
        assert_eq!(taxed.kept(0), 0);
        let b = &balances(&ledger(&[taxed], &[refund(1, 1, 5_500, 2)], &[]))[0];
        assert_eq!((b.commission_minor, b.owed_minor()), (500, 5_000));
        // A part that is all tax (or a zero total) keeps nothing.
        assert_eq!(LedgerPart { tax_minor: 500, ..part(2, 500, 1000, 1) }.kept(500), 0);
        assert_eq!(rate(1000).on_untaxed(0, 0, 0), 0);
    }

    #[test]
    fn partial_refunds_return_exactly_the_commission_on_what_went_back() {
        // 3 refunds of 3.33 on 10.00 at 15 %: kept commission is 15 % of the 0.01 left, rounded once.
        let parts = [part(1, 1000, 1500, 100)];
        let refunds = [refund(1, 1, 333, 200), refund(2, 1, 333, 300), refund(3, 1, 333, 400)];
        let entries = ledger(&parts, &refunds, &[]);
        let b = &balances(&entries)[0];
        assert_eq!(b.sales_minor, 1000);
        assert_eq!(b.refunds_minor, 999);
        assert_eq!(b.commission_minor, rate(1500).of(1));
        assert_eq!(b.owed_minor(), 1);
        // Fully refunded: no commission kept, nothing owed.
        let full = ledger(&parts, &[refund(1, 1, 1000, 200)], &[]);
        let b = &balances(&full)[0];
        assert_eq!((b.commission_minor, b.owed_minor()), (0, 0));
    }

    #[test]
    fn entries_are_in_time_order_and_sum_to_the_balance() {
        let parts = [part(1, 5000, 1000, 100), part(2, 2000, 500, 50)];
        let payouts = [PayoutRecord {
            id: 1,
            merchant_id: 7,
            currency: Currency::USD,
            amount_minor: 3000,
            reference: "TR-1".into(),
            created_at: 150,
        }];
        let entries = ledger(&parts, &[refund(9, 1, 1000, 200), refund(10, 99, 500, 210)], &payouts);
        let kinds: Vec<EntryKind> = entries.iter().map(|e| e.kind).collect();
        use EntryKind::*;
        assert_eq!(kinds, vec![Sale, Commission, Sale, Commission, Payout, Refund, CommissionReturned]);
        let b = &balances(&entries)[0];
        let sum: i64 = entries.iter().map(|e| e.amount.minor).sum();
        assert_eq!(b.owed_minor(), sum);
        assert_eq!(b.owed_minor(), 5000 - 500 + 2000 - 100 - 3000 - 1000 + 100);
    }

    #[test]
    fn payouts_are_checked_against_what_is_owed() {
        let owed = Balance {
            currency: Currency::USD,
            sales_minor: 10_000,
            refunds_minor: 0,
            commission_minor: 1000,
            payouts_minor: 0,
        };
        assert_eq!(validate_payout(Some(9000), " TR-77 ", &owed), Ok("TR-77".into()));
        assert_eq!(validate_payout(Some(9001), "TR", &owed).unwrap_err().0, "amount");
        assert!(validate_payout(Some(9001), "TR", &owed).unwrap_err().1.contains("$90.00"));
        assert_eq!(validate_payout(None, "TR", &owed).unwrap_err().0, "amount");
        assert_eq!(validate_payout(Some(0), "TR", &owed).unwrap_err().0, "amount");
        assert_eq!(validate_payout(Some(10), "  ", &owed).unwrap_err().0, "reference");
        assert_eq!(validate_payout(Some(10), "a\nb", &owed).unwrap_err().0, "reference");
        assert_eq!(validate_payout(Some(10), &"x".repeat(101), &owed).unwrap_err().0, "reference");
    }

    #[test]
    fn csv_rows_are_plain_decimals_and_escaped_text() {
        let e = LedgerEntry {
            at: 86_400,
            merchant_id: 3,
            kind: EntryKind::Payout,
            reference: "=HYPERLINK(1)".into(),
            amount: Money::new(-1205, Currency::USD),
        };
        let row = ledger_csv_record(&e, "+Shop");
        assert_eq!(row[0], "1970-01-02 00:00 UTC");
        assert_eq!(&row[1..], ["3", "'+Shop", "payout", "'=HYPERLINK(1)", "-12.05", "USD"]);
        let yen = LedgerEntry { amount: Money::new(500, Currency::parse("JPY").unwrap()), ..e };
        assert_eq!(ledger_csv_record(&yen, "S")[5], "500");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_typed_percent_is_refused_or_in_range(typed in ".{0,12}") {
            if let Ok(r) = CommissionRate::parse_percent(&typed) {
                prop_assert!((0..=FULL_BPS).contains(&r.bps()));
            }
        }

        #[test]
        fn kept_commission_is_the_commission_on_the_net(
            total in 1i64..10_000_000,
            bps in 0i64..=10_000,
            cuts in proptest::collection::vec(1i64..1_000_000, 0..6),
        ) {
            let mut left = total;
            let mut refunds = Vec::new();
            for (i, c) in cuts.iter().enumerate() {
                let amount = (*c).min(left);
                if amount == 0 { break; }
                left -= amount;
                refunds.push(refund(i as i64, 1, amount, 10 + i as i64));
            }
            let entries = ledger(&[part(1, total, bps, 1)], &refunds, &[]);
            let b = &balances(&entries)[0];
            prop_assert_eq!(b.commission_minor, rate(bps).of(left));
            prop_assert_eq!(b.owed_minor(), left - rate(bps).of(left));
            prop_assert!(b.owed_minor() >= 0);
        }
    }
}
