//! The cart's rules: what a quantity may be, how lines group into one part per merchant, how a
//! guest's cart merges into an account's, and which lines need the shopper's attention before
//! checkout (product gone, sold out, price changed since it was added).
use super::money::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};

/// Per line: a hundred of one item is almost always a typo, and the bound keeps totals far from
/// overflow.
pub const MAX_QTY_PER_LINE: i64 = 99;

/// A quantity from a form field: a whole number from 1 to `MAX_QTY_PER_LINE`.
pub fn parse_quantity(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter a quantity.".into());
    }
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter the quantity as a whole number, like 2.".into());
    }
    if raw.starts_with('-') || digits.bytes().all(|b| b == b'0') {
        return Err("The quantity must be at least 1 (use Remove to take an item out).".into());
    }
    // Long digit strings are "absurdly large", not a parse error.
    match digits.parse::<i64>() {
        Ok(q) if q <= MAX_QTY_PER_LINE => Ok(q),
        _ => Err(format!("You can buy at most {MAX_QTY_PER_LINE} of an item at a time.")),
    }
}

/// One variant in a cart, joined with what the catalog says about it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: i64,
    pub product_id: i64,
    pub merchant_id: i64,
    pub merchant_name: String,
    pub title: String,
    /// The current price.
    pub unit_price: Money,
    /// The price when the shopper added it (or last saw it in the cart).
    pub price_at_add: Money,
    pub quantity: i64,
    /// Units available now.
    pub stock: i64,
    /// False when the product was unpublished or removed.
    pub published: bool,
}

impl CartLine {
    pub fn line_total(&self) -> Result<Money, CartError> {
        Ok(self.unit_price.checked_mul(self.quantity)?)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("Your cart has prices in {0} and {1}; one order can only be paid in one currency.")]
    MixedCurrencies(Currency, Currency),
    #[error("The cart total is too large.")]
    Overflow,
}

impl From<MoneyError> for CartError {
    fn from(e: MoneyError) -> Self {
        match e {
            MoneyError::CurrencyMismatch(a, b) => CartError::MixedCurrencies(a, b),
            _ => CartError::Overflow,
        }
    }
}

/// One merchant's lines: becomes one part of the order, shipped and fulfilled by that merchant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantGroup {
    pub merchant_id: i64,
    pub merchant_name: String,
    pub lines: Vec<CartLine>,
    pub subtotal: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartSummary {
    pub groups: Vec<MerchantGroup>,
    pub total: Money,
    /// Units, for the header badge.
    pub item_count: i64,
}

/// Groups lines by merchant in order of first appearance; every price must be in `currency`.
pub fn group_by_merchant(lines: &[CartLine], currency: Currency) -> Result<CartSummary, CartError> {
    let mut groups: Vec<MerchantGroup> = Vec::new();
    let mut total = Money::new(0, currency);
    let mut item_count: i64 = 0;
    for line in lines {
        if line.unit_price.currency != currency {
            return Err(CartError::MixedCurrencies(currency, line.unit_price.currency));
        }
        let line_total = line.line_total()?;
        total = total.checked_add(line_total)?;
        item_count = item_count.checked_add(line.quantity).ok_or(CartError::Overflow)?;
        let index = match groups.iter().position(|g| g.merchant_id == line.merchant_id) {
            Some(i) => i,
            None => {
                groups.push(MerchantGroup {
                    merchant_id: line.merchant_id,
                    merchant_name: line.merchant_name.clone(),
                    lines: Vec::new(),
                    subtotal: Money::new(0, currency),
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[index];
        group.subtotal = group.subtotal.checked_add(line_total)?;
        group.lines.push(line.clone());
    }
    Ok(CartSummary { groups, total, item_count })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeKind {
    /// A merge or an add asked for more than the stock (or the per-line limit) allows.
    Capped,
    /// Nothing left; the line was dropped (merge) or must be removed (checkout).
    SoldOut,
    /// The product was unpublished or removed.
    Unavailable,
    /// The cart holds more than is left.
    NotEnoughStock,
    /// The price differs from the one the shopper saw.
    PriceChanged,
}

impl NoticeKind {
    /// Whether the cart must change (or, for a price change, be shown again) before an order can be
    /// placed. Capping has already fixed the line, so it only informs.
    pub fn blocks_checkout(self) -> bool {
        !matches!(self, NoticeKind::Capped)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartNotice {
    pub variant_id: i64,
    pub kind: NoticeKind,
    pub message: String,
}

fn notice(line: &CartLine, kind: NoticeKind, message: String) -> CartNotice {
    CartNotice { variant_id: line.variant_id, kind, message }
}

/// Merges a guest's cart into the account's after sign-in. Quantities of the same variant add up,
/// capped by stock and by `MAX_QTY_PER_LINE`; each cap is reported. Lines the guest brought that
/// are sold out are dropped with a notice; the account's own lines are left as they were.
pub fn merge_guest_cart(account: &[CartLine], guest: &[CartLine]) -> (Vec<CartLine>, Vec<CartNotice>) {
    let mut merged: Vec<CartLine> = account.to_vec();
    let mut notices = Vec::new();
    for g in guest.iter().filter(|g| g.quantity > 0) {
        let existing = merged.iter().position(|m| m.variant_id == g.variant_id);
        let wanted = existing.map_or(0, |i| merged[i].quantity).saturating_add(g.quantity);
        // Both carts were read with the catalog in one go; the smaller stock is the safer one.
        let stock = existing.map_or(g.stock, |i| merged[i].stock.min(g.stock)).max(0);
        let cap = stock.min(MAX_QTY_PER_LINE);
        let quantity = wanted.min(cap);
        if quantity <= 0 {
            notices.push(notice(
                g,
                NoticeKind::SoldOut,
                format!("“{}” is sold out, so it was removed from your cart.", g.title),
            ));
            if let Some(i) = existing {
                merged.remove(i);
            }
            continue;
        }
        if quantity < wanted {
            let message = if cap == stock {
                format!("Only {stock} of “{}” left; your cart has {quantity}.", g.title)
            } else {
                format!("You can buy at most {MAX_QTY_PER_LINE} of “{}” at a time; your cart has {quantity}.", g.title)
            };
            notices.push(notice(g, NoticeKind::Capped, message));
        }
        match existing {
            Some(i) => {
                merged[i].quantity = quantity;
                merged[i].stock = stock;
            }
            None => merged.push(CartLine { quantity, stock, ..g.clone() }),
        }
    }
    (merged, notices)
}

/// What the shopper must know about the cart before paying, one notice per problem.
pub fn review_lines(lines: &[CartLine]) -> Vec<CartNotice> {
    let mut notices = Vec::new();
    for line in lines {
        let title = &line.title;
        if !line.published {
            let message = format!("“{title}” is no longer available; remove it to check out.");
            notices.push(notice(line, NoticeKind::Unavailable, message));
            continue;
        }
        if line.stock <= 0 {
            notices.push(notice(line, NoticeKind::SoldOut, format!("“{title}” is sold out; remove it to check out.")));
        } else if line.quantity > line.stock {
            let message = format!("Only {} of “{title}” left; lower the quantity to check out.", line.stock);
            notices.push(notice(line, NoticeKind::NotEnoughStock, message));
        }
        let (was, now) = (line.price_at_add, line.unit_price);
        if was != now {
            let verb = match (was.currency == now.currency, now.minor > was.minor) {
                (false, _) => "changed",
                (true, true) => "went up",
                (true, false) => "went down",
            };
            let message = format!("The price of “{title}” {verb} from {was} to {now} since you added it.");
            notices.push(notice(line, NoticeKind::PriceChanged, message));
        }
    }
    notices
}

pub fn can_check_out(notices: &[CartNotice]) -> bool {
    !notices.iter().any(|n| n.kind.blocks_checkout())
}

/// After the cart was shown with the new prices, they become the prices the shopper agreed to.
pub fn accept_current_prices(lines: &mut [CartLine]) {
    for line in lines {
        line.price_at_add = line.unit_price;
    }
}

/// The quantity after adding `add` to a line holding `current`, or why not.
pub fn quantity_after_add(current: i64, add: i64, stock: i64, title: &str) -> Result<i64, String> {
    let wanted = current.saturating_add(add);
    if stock <= 0 {
        return Err(format!("“{title}” is sold out."));
    }
    if wanted > MAX_QTY_PER_LINE {
        return Err(format!("You can buy at most {MAX_QTY_PER_LINE} of “{title}” at a time; your cart has {current}."));
    }
    if wanted > stock {
        return Err(format!("Only {stock} of “{title}” left; your cart has {current}."));
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn line(variant_id: i64, merchant_id: i64, price: i64, quantity: i64, stock: i64) -> CartLine {
        CartLine {
            variant_id,
            product_id: variant_id * 10,
            merchant_id,
            merchant_name: format!("Shop {merchant_id}"),
            title: if variant_id == 1 { "Linen Tee".into() } else { format!("Item {variant_id}") },
            unit_price: usd(price),
            price_at_add: usd(price),
            quantity,
            stock,
            published: true,
        }
    }

    #[test]
    fn quantities_are_whole_numbers_from_one_to_the_limit() {
        assert_eq!(parse_quantity(" 3 "), Ok(3));
        assert_eq!(parse_quantity("+2"), Ok(2));
        assert_eq!(parse_quantity("99"), Ok(99));
        assert_eq!(parse_quantity("007"), Ok(7));
        assert_eq!(parse_quantity(""), Err("Enter a quantity.".into()));
        for non_numeric in ["two", "2.5", "1e3", "-", "3 4", "٣", "0x10"] {
            assert!(parse_quantity(non_numeric).unwrap_err().contains("whole number"), "{non_numeric:?}");
        }
        for too_small in ["0", "-1", "-000", "00"] {
            assert!(parse_quantity(too_small).unwrap_err().contains("at least 1"), "{too_small:?}");
        }
        for too_big in ["100", "1000000", "99999999999999999999999999"] {
            assert!(parse_quantity(too_big).unwrap_err().contains("at most 99"), "{too_big:?}");
        }
    }

    #[test]
    fn lines_group_by_merchant_with_subtotals() {
        let lines = [line(1, 7, 2000, 2, 10), line(2, 8, 550, 1, 10), line(3, 7, 125, 4, 10)];
        let cart = group_by_merchant(&lines, Currency::USD).unwrap();
        assert_eq!(cart.groups.len(), 2);
        assert_eq!((cart.groups[0].merchant_id, cart.groups[0].subtotal), (7, usd(4500)));
        assert_eq!(cart.groups[0].lines.iter().map(|l| l.variant_id).collect::<Vec<_>>(), [1, 3]);
        assert_eq!((cart.groups[1].merchant_id, cart.groups[1].subtotal), (8, usd(550)));
        assert_eq!((cart.total, cart.item_count), (usd(5050), 7));
        let empty = group_by_merchant(&[], Currency::EUR).unwrap();
        assert_eq!((empty.groups.len(), empty.total), (0, Money::new(0, Currency::EUR)));
    }

    #[test]
    fn grouping_refuses_mixed_currencies_and_overflow() {
        let mut euro = line(2, 8, 550, 1, 10);
        euro.unit_price = Money::new(550, Currency::EUR);
        let err = group_by_merchant(&[line(1, 7, 100, 1, 1), euro], Currency::USD).unwrap_err();
        assert_eq!(err, CartError::MixedCurrencies(Currency::USD, Currency::EUR));
        assert!(err.to_string().contains("one currency"));
        let huge = [line(1, 7, i64::MAX / 2, 1, 1), line(2, 8, i64::MAX / 2 + 10, 1, 1)];
        assert_eq!(group_by_merchant(&huge, Currency::USD), Err(CartError::Overflow));
        assert_eq!(group_by_merchant(&[line(1, 7, i64::MAX, 2, 5)], Currency::USD), Err(CartError::Overflow));
    }

    #[test]
    fn merging_adds_quantities_capped_by_stock() {
        let account = [line(1, 7, 2000, 2, 3), line(2, 7, 100, 1, 50)];
        let guest = [line(1, 7, 2000, 2, 3), line(4, 8, 300, 1, 5)];
        let (merged, notices) = merge_guest_cart(&account, &guest);
        let qty = |v: i64| merged.iter().find(|l| l.variant_id == v).map(|l| l.quantity);
        assert_eq!((qty(1), qty(2), qty(4)), (Some(3), Some(1), Some(1)));
        assert_eq!(merged.len(), 3);
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].kind, NoticeKind::Capped);
        assert_eq!(notices[0].message, "Only 3 of “Linen Tee” left; your cart has 3.");
    }

    #[test]
    fn merging_respects_the_line_limit_and_drops_sold_out_lines() {
        let (merged, notices) = merge_guest_cart(&[line(1, 7, 100, 60, 500)], &[line(1, 7, 100, 60, 500)]);
        assert_eq!(merged[0].quantity, MAX_QTY_PER_LINE);
        assert!(notices[0].message.contains("at most 99 of “Linen Tee”"), "{}", notices[0].message);
        let (merged, notices) = merge_guest_cart(&[line(2, 7, 100, 1, 5)], &[line(3, 7, 100, 2, 0)]);
        assert_eq!(merged.iter().map(|l| l.variant_id).collect::<Vec<_>>(), [2]);
        assert_eq!(notices[0].kind, NoticeKind::SoldOut);
        assert_eq!(notices[0].message, "“Item 3” is sold out, so it was removed from your cart.");
        // An empty guest cart changes nothing and says nothing.
        let account = [line(2, 7, 100, 1, 5)];
        assert_eq!(merge_guest_cart(&account, &[]), (account.to_vec(), vec![]));
        // Nonsense quantities from a tampered guest cart are ignored.
        assert_eq!(merge_guest_cart(&account, &[line(2, 7, 100, -4, 5)]).0[0].quantity, 1);
    }

    #[test]
    fn review_flags_unavailable_short_and_repriced_lines() {
        let mut gone = line(1, 7, 2000, 1, 5);
        gone.published = false;
        let sold_out = line(2, 7, 100, 1, 0);
        let short = line(3, 7, 100, 4, 2);
        let mut dearer = line(4, 8, 2500, 1, 5);
        dearer.price_at_add = usd(2000);
        let mut cheaper = line(5, 8, 1500, 1, 5);
        cheaper.price_at_add = usd(2000);
        let fine = line(6, 8, 100, 1, 1);
        let notices = review_lines(&[gone, sold_out, short, dearer.clone(), cheaper, fine.clone()]);
        let kinds: Vec<(i64, NoticeKind)> = notices.iter().map(|n| (n.variant_id, n.kind)).collect();
        assert_eq!(
            kinds,
            [
                (1, NoticeKind::Unavailable),
                (2, NoticeKind::SoldOut),
                (3, NoticeKind::NotEnoughStock),
                (4, NoticeKind::PriceChanged),
                (5, NoticeKind::PriceChanged)
            ]
        );
        assert_eq!(notices[0].message, "“Linen Tee” is no longer available; remove it to check out.");
        assert_eq!(notices[2].message, "Only 2 of “Item 3” left; lower the quantity to check out.");
        assert_eq!(notices[3].message, "The price of “Item 4” went up from $20.00 to $25.00 since you added it.");
        assert!(notices[4].message.contains("went down"));
        assert!(!can_check_out(&notices));
        assert!(review_lines(std::slice::from_ref(&fine)).is_empty());
        let mut seen = [dearer];
        assert!(!can_check_out(&review_lines(&seen)));
        accept_current_prices(&mut seen);
        assert!(can_check_out(&review_lines(&seen)));
        let capped = CartNotice { variant_id: 1, kind: NoticeKind::Capped, message: String::new() };
        assert!(can_check_out(&[capped]));
    }

    #[test]
    fn adding_respects_stock_and_the_line_limit() {
        assert_eq!(quantity_after_add(1, 2, 3, "Linen Tee"), Ok(3));
        assert_eq!(
            quantity_after_add(2, 2, 3, "Linen Tee"),
            Err("Only 3 of “Linen Tee” left; your cart has 2.".into())
        );
        assert_eq!(quantity_after_add(0, 1, 0, "Linen Tee"), Err("“Linen Tee” is sold out.".into()));
        assert!(quantity_after_add(98, 2, 1000, "Linen Tee").unwrap_err().contains("at most 99"));
        assert!(quantity_after_add(i64::MAX, 1, 1000, "Linen Tee").is_err());
    }
}
