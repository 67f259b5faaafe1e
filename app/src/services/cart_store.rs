//! The storage port for carts. A cart belongs to a guest (found by the SHA-256 of the guest's
//! cookie token) or to a user; callers never pass a cart id that came from a request, only ids
//! this port handed out for the caller's own cookie or session.
//!
//! Every write runs in one transaction that first locks the cart row, so two requests for the same
//! cart (a double click, two tabs) cannot both read a line's quantity and write over each other.
//! The adapters apply the rules of `domain::cart` (`merge_guest_cart`) and `plan_add` below.
use super::catalog_store::StoreError;
use crate::domain::cart::{CartLine, CartNotice, MAX_QTY_PER_LINE, quantity_after_add};
use async_trait::async_trait;

/// Whose cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CartOwner<'a> {
    /// The SHA-256 (hex) of the guest's `mm_cart` cookie token, never the token itself.
    Guest(&'a str),
    User(i64),
}

/// A cart line with what the cart page shows besides the rules' `CartLine`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartItem {
    /// `title` is the product's title, followed by the variant's when there is more than one.
    pub line: CartLine,
    pub product_title: String,
    pub variant_title: String,
    pub product_slug: String,
    pub image_url: Option<String>,
}

/// What adding to the cart did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddOutcome {
    /// The line now holds `quantity`; `capped` says why it holds less than asked for.
    Added { quantity: i64, capped: Option<String> },
    /// Nothing changed: sold out, unavailable, or the line is already at its limit.
    Refused(String),
}

/// How adding `add` units to a line holding `current` turns out, given the stock: the full
/// amount when it fits, else as many as stock and `MAX_QTY_PER_LINE` allow (with a message), or
/// a refusal when not one more fits. The adapters call this inside their write transaction.
pub fn plan_add(current: i64, add: i64, stock: i64, title: &str) -> AddOutcome {
    let current = current.max(0);
    match quantity_after_add(current, add, stock, title) {
        Ok(quantity) => AddOutcome::Added { quantity, capped: None },
        Err(refusal) => {
            let cap = stock.min(MAX_QTY_PER_LINE);
            if stock <= 0 || cap <= current {
                return AddOutcome::Refused(refusal);
            }
            let message = if cap == stock {
                format!("Only {stock} of “{title}” left, so your cart has {cap}.")
            } else {
                format!("You can buy at most {MAX_QTY_PER_LINE} of “{title}” at a time, so your cart has {cap}.")
            };
            AddOutcome::Added { quantity: cap, capped: Some(message) }
        }
    }
}

/// The title a line carries: "Linen Tee — M / Black", or just "Linen Tee" for a single variant.
pub fn line_title(product_title: &str, variant_title: &str) -> String {
    let v = variant_title.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("default") || v == product_title {
        product_title.to_string()
    } else {
        format!("{product_title} — {v}")
    }
}

#[async_trait]
pub trait CartStore: Send + Sync + 'static {
    /// The owner's cart, if they have one (reading never creates a cart).
    async fn find_cart(&self, owner: CartOwner<'_>) -> Result<Option<i64>, StoreError>;
    /// The owner's cart, created when missing.
    async fn cart_for(&self, owner: CartOwner<'_>, now: i64) -> Result<i64, StoreError>;

    /// Adds `quantity` (1..=99) of a variant of a published product of an active store; see
    /// `plan_add` for capping. A new line records the current price as its `price_at_add`.
    async fn add_item(&self, cart_id: i64, variant_id: i64, quantity: i64, now: i64) -> Result<AddOutcome, StoreError>;
    /// Sets a line's quantity (1..=99); 0 removes the line. `false` when the cart has no such line.
    /// The price the shopper has now seen becomes the line's `price_at_add`.
    async fn set_quantity(&self, cart_id: i64, variant_id: i64, quantity: i64, now: i64) -> Result<bool, StoreError>;
    /// `false` when the cart had no such line.
    async fn remove_item(&self, cart_id: i64, variant_id: i64) -> Result<bool, StoreError>;
    /// The cart's lines in the order they were added, joined with the catalog as it is now
    /// (current price, stock, and `published` = product published and store active).
    async fn items(&self, cart_id: i64) -> Result<Vec<CartItem>, StoreError>;
    /// `items` without the page-only fields, for checkout.
    async fn lines(&self, cart_id: i64) -> Result<Vec<CartLine>, StoreError> {
        Ok(self.items(cart_id).await?.into_iter().map(|i| i.line).collect())
    }
    /// Units in the cart (for the header badge); 0 for a cart with no lines.
    async fn item_count(&self, cart_id: i64) -> Result<i64, StoreError>;

    /// Merges the guest's cart into the user's (created when missing) with `merge_guest_cart`,
    /// then deletes the guest's cart; all in one transaction, or nothing. Returns what was capped
    /// or dropped; no notices and no change when the guest has no cart.
    async fn merge_guest_cart(
        &self,
        guest_token_hash: &str,
        user_id: i64,
        now: i64,
    ) -> Result<Vec<CartNotice>, StoreError>;
    /// Empties the cart (after an order is placed); the cart itself stays.
    async fn clear(&self, cart_id: i64) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_caps_at_stock_and_the_line_limit_or_refuses() {
        assert_eq!(plan_add(1, 2, 5, "Mug"), AddOutcome::Added { quantity: 3, capped: None });
        assert_eq!(
            plan_add(1, 5, 3, "Mug"),
            AddOutcome::Added { quantity: 3, capped: Some("Only 3 of “Mug” left, so your cart has 3.".into()) }
        );
        assert!(
            matches!(plan_add(90, 20, 500, "Mug"), AddOutcome::Added { quantity: 99, capped: Some(m) } if m.contains("at most 99"))
        );
        assert_eq!(plan_add(0, 1, 0, "Mug"), AddOutcome::Refused("“Mug” is sold out.".into()));
        assert_eq!(plan_add(3, 1, 3, "Mug"), AddOutcome::Refused("Only 3 of “Mug” left; your cart has 3.".into()));
        assert!(matches!(plan_add(99, 1, 500, "Mug"), AddOutcome::Refused(m) if m.contains("at most 99")));
    }

    #[test]
    fn single_variants_keep_the_product_title() {
        assert_eq!(line_title("Linen Tee", "Default"), "Linen Tee");
        assert_eq!(line_title("Linen Tee", ""), "Linen Tee");
        assert_eq!(line_title("Linen Tee", "M / Black"), "Linen Tee — M / Black");
    }
}
