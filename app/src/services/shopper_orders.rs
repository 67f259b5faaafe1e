//! A shopper's orders: their list, and who may open one order. The number alone opens nothing:
//! a signed-in shopper's order opens for them; a guest's for whoever holds one of its access keys
//! (from the confirmation link or e-mail, or the cookie of the browser that placed it).
use super::Shop;
use super::errors::store_err;
use crate::domain::account::Principal;
use crate::domain::errors::AppError;
use crate::domain::order::OrderNumber;
use crate::views::orders::{OrderSummary, OrderView};

/// An access key as `passwords::new_token` makes them; anything else is not looked up.
fn key_shaped(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Who may open order `number` (placed by `owner`, none for a guest): the signed-in shopper who
/// placed it; for a guest's order, whoever holds one of its access keys (`keys`: the link's, the
/// cookie's); the platform admin when `admin_too`.
pub async fn may_open(
    shop: &Shop,
    who: Option<&Principal>,
    number: &str,
    owner: Option<i64>,
    keys: &[&str],
    admin_too: bool,
) -> Result<bool, AppError> {
    use super::passwords::token_hash;
    if admin_too && who.is_some_and(|p| p.is_admin) {
        return Ok(true);
    }
    if let Some(owner) = owner {
        return Ok(who.is_some_and(|p| p.user_id == owner));
    }
    for candidate in keys.iter().map(|k| k.trim()).filter(|k| key_shaped(k)) {
        if shop.orders.guest_key_opens(number, &token_hash(&candidate.to_ascii_lowercase())).await.map_err(store_err)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Order `number` for `who` holding `keys`; someone else's order answers like a missing one:
/// numbers are not confirmed to strangers.
pub async fn open(shop: &Shop, who: Option<&Principal>, number: &str, keys: &[&str]) -> Result<OrderView, AppError> {
    let missing = || AppError::NotFound("We couldn't find that order.".into());
    let number = OrderNumber::parse(number).map_err(|_| missing())?;
    let (owner, view) =
        super::order_views::order_view(shop.orders.as_ref(), number.as_str()).await?.ok_or_else(missing)?;
    if may_open(shop, who, number.as_str(), owner, keys, true).await? { Ok(view) } else { Err(missing()) }
}

/// The signed-in shopper's orders, newest first.
pub async fn mine(shop: &Shop, who: &Principal) -> Result<Vec<OrderSummary>, AppError> {
    super::order_views::orders_of_user(shop.orders.as_ref(), who.user_id, 100).await
}
