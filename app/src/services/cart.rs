//! Cart use cases: show the caller's cart with what needs their attention, add, change, remove,
//! and merge a guest's cart into the account's at sign-in. The caller is always identified by
//! their own cookie or session (`CartOwner`); nothing here takes a cart id from a request.
use super::Shop;
use super::cart_store::{AddOutcome, CartItem, CartOwner, CartStore};
use super::errors::store_err;
use crate::domain::cart::{CartLine, CartNotice, can_check_out, group_by_merchant, parse_quantity, review_lines};
use crate::domain::errors::AppError;
use crate::views::cart::{CartAdded, CartPage, LineInfo};

pub const NOT_IN_CART: &str = "That item is not in your cart any more.";

/// The cart page for `owner` (an empty cart when they have none yet). `flash` carries one-off
/// messages (what a merge capped) to show above the cart.
pub async fn view(shop: &Shop, owner: Option<CartOwner<'_>>, flash: Vec<String>) -> Result<CartPage, AppError> {
    let store = shop.carts.as_ref();
    let items = match owner {
        Some(owner) => match store.find_cart(owner).await.map_err(store_err)? {
            Some(cart) => store.items(cart).await.map_err(store_err)?,
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    page(items, flash)
}

fn page(items: Vec<CartItem>, flash: Vec<String>) -> Result<CartPage, AppError> {
    let lines: Vec<_> = items.iter().map(|i| i.line.clone()).collect();
    // An empty cart has no currency of its own; its zero totals show in the marketplace's.
    let currency = lines.first().map(|l| l.unit_price.currency).unwrap_or(super::MARKETPLACE_CURRENCY);
    let summary = group_by_merchant(&lines, currency).map_err(|e| AppError::Conflict(e.to_string()))?;
    let notices: Vec<CartNotice> = review_lines(&lines);
    let info = items
        .into_iter()
        .map(|i| LineInfo {
            variant_id: i.line.variant_id,
            product_title: i.product_title,
            variant_title: i.variant_title,
            product_slug: i.product_slug,
            image_url: i.image_url,
        })
        .collect();
    Ok(CartPage { can_check_out: !lines.is_empty() && can_check_out(&notices), summary, info, notices, flash })
}

/// Units in the owner's cart.
pub async fn count(shop: &Shop, owner: Option<CartOwner<'_>>) -> Result<i64, AppError> {
    let store = shop.carts.as_ref();
    let Some(owner) = owner else { return Ok(0) };
    match store.find_cart(owner).await.map_err(store_err)? {
        Some(cart) => store.item_count(cart).await.map_err(store_err),
        None => Ok(0),
    }
}

/// Adds to the owner's cart (created on the first add). A quantity that does not fit is capped,
/// and the message says so; when nothing fits, the add is refused and nothing changes.
pub async fn add(shop: &Shop, owner: CartOwner<'_>, variant_id: i64, quantity: &str) -> Result<CartAdded, AppError> {
    let store = shop.carts.as_ref();
    let quantity = parse_quantity(quantity).map_err(|m| AppError::one("quantity", m))?;
    let cart = store.cart_for(owner, shop.clock.now()).await.map_err(store_err)?;
    match store.add_item(cart, variant_id, quantity, shop.clock.now()).await.map_err(store_err)? {
        AddOutcome::Added { quantity: in_cart, capped } => {
            let item_count = store.item_count(cart).await.map_err(store_err)?;
            Ok(CartAdded { in_cart, item_count, capped })
        }
        AddOutcome::Refused(message) => Err(AppError::one("form", message)),
    }
}

/// Sets a line's quantity; "0" removes it. Only lines in the owner's own cart can change.
pub async fn update(
    shop: &Shop,
    owner: Option<CartOwner<'_>>,
    variant_id: i64,
    quantity: &str,
) -> Result<(), AppError> {
    let store = shop.carts.as_ref();
    let cart = own_cart(store, owner).await?;
    let quantity = if quantity.trim() == "0" {
        0
    } else {
        parse_quantity(quantity).map_err(|m| AppError::one(&format!("quantity-{variant_id}"), m))?
    };
    if store.set_quantity(cart, variant_id, quantity, shop.clock.now()).await.map_err(store_err)? {
        Ok(())
    } else {
        Err(AppError::NotFound(NOT_IN_CART.into()))
    }
}

pub async fn remove(shop: &Shop, owner: Option<CartOwner<'_>>, variant_id: i64) -> Result<(), AppError> {
    let store = shop.carts.as_ref();
    let cart = own_cart(store, owner).await?;
    if store.remove_item(cart, variant_id).await.map_err(store_err)? {
        Ok(())
    } else {
        Err(AppError::NotFound(NOT_IN_CART.into()))
    }
}

async fn own_cart(store: &dyn CartStore, owner: Option<CartOwner<'_>>) -> Result<i64, AppError> {
    let Some(owner) = owner else { return Err(AppError::NotFound(NOT_IN_CART.into())) };
    store.find_cart(owner).await.map_err(store_err)?.ok_or_else(|| AppError::NotFound(NOT_IN_CART.into()))
}

/// After sign-in or sign-up: the guest's cart joins the account's; returns what was capped or
/// dropped, for the shopper to read.
pub async fn merge(shop: &Shop, guest_token_hash: &str, user_id: i64) -> Result<Vec<String>, AppError> {
    let store = shop.carts.as_ref();
    let notices = store.merge_guest_cart(guest_token_hash, user_id, shop.clock.now()).await.map_err(store_err)?;
    Ok(notices.into_iter().map(|n| n.message).collect())
}

/// The lines of `owner`'s cart and the cart's id (none when they have no cart yet): what checkout
/// prices and places.
pub async fn lines_of(shop: &Shop, owner: Option<CartOwner<'_>>) -> Result<(Option<i64>, Vec<CartLine>), AppError> {
    let store = shop.carts.as_ref();
    let cart = match owner {
        Some(owner) => store.find_cart(owner).await.map_err(store_err)?,
        None => None,
    };
    let lines = match cart {
        Some(cart) => store.lines(cart).await.map_err(store_err)?,
        None => Vec::new(),
    };
    Ok((cart, lines))
}

/// Empties cart `cart` (after its order was placed).
pub async fn clear(shop: &Shop, cart: i64) -> Result<(), AppError> {
    shop.carts.clear(cart).await.map_err(store_err)
}

/// At sign-in: the guest cart (`guest_token_hash`) joins the cart of the session `session_token`
/// has just started. `None` when that session is not live (nothing merged).
pub async fn merge_at_sign_in(
    shop: &Shop,
    session_token: &str,
    guest_token_hash: &str,
) -> Result<Option<Vec<String>>, AppError> {
    let Some((who, _)) = super::accounts::principal_for_token(shop, session_token, shop.clock.now()).await? else {
        return Ok(None);
    };
    merge(shop, guest_token_hash, who.user_id).await.map(Some)
}
