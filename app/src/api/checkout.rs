//! Checkout: the page's data (cart grouped by store, shipping choices, a fresh idempotency key)
//! and placing the order. Guests check out with an email address; the cart is the caller's own
//! (session or guest cookie), never one named in the request.
use crate::domain::address::AddressInput;
use crate::domain::checkout::{OrderQuote, ShippingOption};
use crate::domain::errors::AppError;
use crate::domain::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutLine {
    pub title: String,
    pub quantity: i64,
    pub line_total: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutGroup {
    pub merchant_id: i64,
    pub merchant_name: String,
    pub lines: Vec<CheckoutLine>,
    pub options: Vec<ShippingOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutData {
    pub groups: Vec<CheckoutGroup>,
    /// Totals with standard shipping to `address.country`.
    pub quote: Option<OrderQuote>,
    pub email: String,
    pub signed_in: bool,
    pub address: AddressInput,
    /// Generated for this rendering: a resubmitted form places no second order.
    pub idempotency_key: String,
    /// Why checkout cannot go ahead (empty cart, sold-out lines), if it cannot.
    pub blocked: Vec<String>,
    /// (number, what it does): the built-in test gateway's documented cards.
    pub test_cards: Vec<(String, String)>,
}

/// Cookie holding the access key of the last order this browser placed as a guest, so the guest
/// can come back to it. It holds the key, never the number: a number opens nothing.
#[cfg(feature = "ssr")]
pub const LAST_ORDER_COOKIE: &str = "mm_last_order";

/// An access key as `passwords::new_token` makes them; anything else is not looked up.
#[cfg(feature = "ssr")]
fn key_shaped(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Who may open order `number` (placed by `owner`, none for a guest): the signed-in shopper who
/// placed it; for a guest's order, whoever holds one of its access keys (`key` from the link, or
/// the browser's `mm_last_order` cookie); the platform admin when `admin_too`. The number alone,
/// or a cookie naming it, opens nothing.
#[cfg(feature = "ssr")]
pub(crate) async fn may_open(
    shop: &crate::services::Shop,
    headers: &axum::http::HeaderMap,
    who: &Option<crate::domain::account::Principal>,
    number: &str,
    owner: Option<i64>,
    key: Option<&str>,
    admin_too: bool,
) -> Result<bool, AppError> {
    use crate::services::passwords::token_hash;
    if admin_too && who.as_ref().is_some_and(|p| p.is_admin) {
        return Ok(true);
    }
    if let Some(owner) = owner {
        return Ok(who.as_ref().is_some_and(|p| p.user_id == owner));
    }
    let cookie = super::guard::cookie(headers, LAST_ORDER_COOKIE);
    for candidate in [key.map(str::trim), cookie.as_deref()].into_iter().flatten().filter(|k| key_shaped(k)) {
        if shop
            .orders
            .guest_key_opens(number, &token_hash(&candidate.to_ascii_lowercase()))
            .await
            .map_err(crate::services::accounts::store_err)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `/orders/{number}`, with the guest's key in the query (the request log prints paths only).
#[cfg(feature = "ssr")]
fn order_path(number: &str, guest_key: Option<&str>) -> String {
    match guest_key {
        Some(key) => format!("/orders/{number}?key={key}"),
        None => format!("/orders/{number}"),
    }
}

#[server(endpoint = "checkout/page")]
pub async fn checkout_page() -> Result<CheckoutData, AppError> {
    use crate::domain::cart::{can_check_out, group_by_merchant, review_lines};
    use crate::domain::checkout::{PartInput, ShippingSpeed, quote};
    use crate::domain::idempotency::IdempotencyKey;
    use crate::services::passwords::random_bytes;
    let (shop, _, who, guest) = super::cart::caller().await?;
    let internal = crate::services::accounts::store_err;
    let (_, lines) = callers_cart(&shop, &who, &guest).await?;
    let mut address = AddressInput { country: "US".into(), ..Default::default() };
    if let Some(p) = &who {
        if let Some(saved) = shop.accounts.addresses(p.user_id).await.map_err(internal)?.into_iter().next() {
            address = saved.fields;
        }
    }
    let notices = review_lines(&lines);
    let mut blocked: Vec<String> =
        notices.iter().filter(|n| n.kind.blocks_checkout()).map(|n| n.message.clone()).collect();
    if lines.is_empty() {
        blocked.push("Your cart is empty.".into());
    }
    let (groups, quote) = match lines.first().map(|l| l.unit_price.currency) {
        Some(currency) if can_check_out(&notices) => {
            let summary = group_by_merchant(&lines, currency).map_err(crate::services::internal)?;
            let rates = shop.checkout.rates;
            let groups: Vec<CheckoutGroup> = summary
                .groups
                .iter()
                .map(|g| CheckoutGroup {
                    merchant_id: g.merchant_id,
                    merchant_name: g.merchant_name.clone(),
                    lines: g
                        .lines
                        .iter()
                        .map(|l| CheckoutLine {
                            title: l.title.clone(),
                            quantity: l.quantity,
                            line_total: l.line_total().unwrap_or(l.unit_price),
                        })
                        .collect(),
                    options: rates.options(g.subtotal),
                })
                .collect();
            let parts: Vec<PartInput> = summary
                .groups
                .iter()
                .map(|g| PartInput {
                    merchant_id: g.merchant_id,
                    merchant_name: g.merchant_name.clone(),
                    subtotal: g.subtotal,
                    shipping: rates.option(ShippingSpeed::Standard, g.subtotal),
                })
                .collect();
            (groups, quote(&parts, &address.country, &shop.checkout.taxes, None).ok())
        }
        _ => (Vec::new(), None),
    };
    Ok(CheckoutData {
        groups,
        quote,
        email: who.as_ref().map(|p| p.email.clone()).unwrap_or_default(),
        signed_in: who.is_some(),
        address,
        idempotency_key: IdempotencyKey::from_random(random_bytes::<16>()).as_str().to_string(),
        blocked,
        test_cards: crate::domain::gateway::TEST_CARDS
            .iter()
            .map(|c| (c.number.to_string(), c.description.to_string()))
            .collect(),
    })
}

/// The caller's own cart (session or guest cookie) and its lines; none when there is no cart.
#[cfg(feature = "ssr")]
async fn callers_cart(
    shop: &crate::services::Shop,
    who: &Option<crate::domain::account::Principal>,
    guest: &Option<String>,
) -> Result<(Option<i64>, Vec<crate::domain::cart::CartLine>), AppError> {
    let internal = crate::services::accounts::store_err;
    let cart = match super::cart::owner(who, guest) {
        Some(owner) => shop.carts.find_cart(owner).await.map_err(internal)?,
        None => None,
    };
    let lines = match cart {
        Some(cart) => shop.carts.lines(cart).await.map_err(internal)?,
        None => Vec::new(),
    };
    Ok((cart, lines))
}

/// "merchant_id:speed" per store, as the form's radio buttons send them; anything unreadable
/// means standard.
#[cfg(feature = "ssr")]
fn shipping_speeds(raw: Vec<String>) -> Vec<(i64, crate::domain::checkout::ShippingSpeed)> {
    use crate::domain::checkout::ShippingSpeed;
    raw.iter()
        .filter_map(|s| s.split_once(':'))
        .filter_map(|(m, s)| Some((m.parse::<i64>().ok()?, ShippingSpeed::parse(s)?)))
        .collect()
}

/// The caller's cart priced with the choices made so far (shipping per store, destination
/// country, discount code), so the review shows what paying will charge. Writes nothing.
#[server(endpoint = "checkout/quote")]
pub async fn checkout_quote(
    country: String,
    discount_code: Option<String>,
    shipping: Option<Vec<String>>,
) -> Result<OrderQuote, AppError> {
    let (shop, _, who, guest) = super::cart::caller().await?;
    let (_, lines) = callers_cart(&shop, &who, &guest).await?;
    let requested: Vec<(i64, i64)> = lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
    let country = country.trim().to_ascii_uppercase();
    let priced = crate::services::checkout::price(
        shop.orders.as_ref(),
        &shop.checkout,
        &requested,
        &shipping_speeds(shipping.unwrap_or_default()),
        &country,
        &discount_code.unwrap_or_default(),
        crate::services::accounts::now(),
    )
    .await?;
    Ok(priced.quote)
}

/// Places the order for the caller's cart. The idempotency key comes from the form or, for API
/// clients, the `Idempotency-Key` header. On success the cart is emptied and the browser goes to
/// the order's page; a declined card leaves the cart as it was and says why.
#[server(endpoint = "checkout/place")]
#[allow(clippy::too_many_arguments)]
pub async fn place_order(
    idempotency_key: Option<String>,
    email: String,
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: String,
    country: String,
    card_number: String,
    card_expiry: String,
    card_cvc: String,
    discount_code: Option<String>,
    shipping: Option<Vec<String>>,
) -> Result<String, AppError> {
    use crate::domain::card::CardInput;
    use crate::domain::errors::FieldErrors;
    use crate::services::checkout::{CheckoutOutcome, CheckoutRequest};
    use crate::services::passwords::random_bytes;
    let (shop, headers, who, guest) = super::cart::caller().await?;
    let internal = crate::services::accounts::store_err;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(idempotency_key)
        .unwrap_or_default();
    let (cart, lines) = callers_cart(&shop, &who, &guest).await?;
    let speeds = shipping_speeds(shipping.unwrap_or_default());
    let request = CheckoutRequest {
        lines: lines.iter().map(|l| (l.variant_id, l.quantity)).collect(),
        speeds,
        email,
        user_id: who.as_ref().map(|p| p.user_id),
        address: super::account::address(name, line1, line2, city, region, postal_code, country, None),
        card: CardInput { number: card_number, expiry: card_expiry, cvc: card_cvc, name: String::new() },
        discount_code: discount_code.unwrap_or_default(),
        idempotency_key: key,
        now: crate::services::accounts::now(),
        random: random_bytes::<8>(),
        manual_capture: shop.admin.capture_mode().await.map_err(internal)?
            == crate::domain::admin_pages::CaptureMode::Manual,
    };
    let placement = crate::services::checkout::place_order_with_key(
        shop.orders.as_ref(),
        shop.gateway.as_ref(),
        &shop.checkout,
        request,
    )
    .await?;
    match placement.outcome {
        CheckoutOutcome::Paid { number } | CheckoutOutcome::Processing { number } => {
            if let Some(cart) = cart {
                shop.carts.clear(cart).await.map_err(internal)?;
            }
            if let Some(key) = &placement.guest_key {
                let secure = if shop.auth.cookie_secure { "; Secure" } else { "" };
                super::guard::append_cookie(&format!(
                    "{LAST_ORDER_COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000{secure}"
                ));
            }
            crate::api::redirect::redirect(&order_path(&number, placement.guest_key.as_deref()));
            Ok(number)
        }
        CheckoutOutcome::Declined { message, .. } => {
            let mut e = FieldErrors::default();
            e.add("card_number", message);
            Err(AppError::Validation(e))
        }
    }
}

/// An order's page: for the signed-in shopper who placed it, the platform admin, or, for a
/// guest's order, whoever holds its access key (`key`, from the confirmation link or e-mail, or
/// the `mm_last_order` cookie of the browser that placed it). The number alone is not enough.
#[server(endpoint = "orders/get")]
pub async fn get_order(number: String, key: Option<String>) -> Result<crate::views::orders::OrderView, AppError> {
    use crate::domain::order::OrderNumber;
    let (shop, headers, who, _) = super::cart::caller().await?;
    let missing = || AppError::NotFound("We couldn't find that order.".into());
    let number = OrderNumber::parse(&number).map_err(|_| missing())?;
    let (owner, view) =
        crate::services::order_views::order_view(shop.orders.as_ref(), number.as_str()).await?.ok_or_else(missing)?;
    let allowed = may_open(&shop, &headers, &who, number.as_str(), owner, key.as_deref(), true).await?;
    // Someone else's order answers like a missing one: numbers are not confirmed to strangers.
    if allowed { Ok(view) } else { Err(missing()) }
}

/// The signed-in shopper's orders, newest first.
#[server(endpoint = "orders/mine")]
pub async fn my_orders() -> Result<Vec<crate::views::orders::OrderSummary>, AppError> {
    use super::guard::{Access, require, shop};
    let who = require(Access::SignedIn).await?;
    crate::services::order_views::orders_of_user(shop()?.orders.as_ref(), who.user_id, 100).await
}
