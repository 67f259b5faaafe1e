//! Checkout: the page's data (cart grouped by store, shipping choices, a fresh idempotency key)
//! and placing the order. Guests check out with an email address; the cart is the caller's own
//! (session or guest cookie), never one named in the request.
use crate::domain::checkout::OrderQuote;
use crate::domain::errors::AppError;
use crate::views::checkout::CheckoutData;
use leptos::prelude::*;

/// Cookie holding the access key of the last order this browser placed as a guest, so the guest
/// can come back to it. It holds the key, never the number: a number opens nothing.
#[cfg(feature = "ssr")]
pub const LAST_ORDER_COOKIE: &str = "mm_last_order";

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
    let cookie = super::guard::cookie(headers, LAST_ORDER_COOKIE);
    let keys: Vec<&str> = [key, cookie.as_deref()].into_iter().flatten().collect();
    crate::services::shopper_orders::may_open(shop, who.as_ref(), number, owner, &keys, admin_too).await
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
    let (shop, _, who, guest) = super::cart::caller().await?;
    crate::services::cart_checkout::page(&shop, who.as_ref(), super::cart::owner(&who, &guest)).await
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
    region: Option<String>,
    discount_code: Option<String>,
    shipping: Option<Vec<String>>,
) -> Result<OrderQuote, AppError> {
    use crate::services::checkout::Destination;
    let (shop, _, who, guest) = super::cart::caller().await?;
    let speeds = shipping_speeds(shipping.unwrap_or_default());
    let code = discount_code.unwrap_or_default();
    let region = region.unwrap_or_default();
    let to = Destination { country: &country, region: &region };
    crate::services::cart_checkout::quote_cart(&shop, super::cart::owner(&who, &guest), &speeds, to, &code).await
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
    card_number: Option<String>,
    card_expiry: Option<String>,
    card_cvc: Option<String>,
    discount_code: Option<String>,
    shipping: Option<Vec<String>>,
) -> Result<String, AppError> {
    use crate::domain::card::CardInput;
    use crate::domain::errors::FieldErrors;
    use crate::services::cart_checkout::OrderForm;
    use crate::services::checkout::CheckoutOutcome;
    let (shop, headers, who, guest) = super::cart::caller().await?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(idempotency_key)
        .unwrap_or_default();
    let form = OrderForm {
        idempotency_key: key,
        email,
        address: crate::domain::address::AddressInput {
            name,
            line1,
            line2: line2.unwrap_or_default(),
            city,
            region: region.unwrap_or_default(),
            postal_code,
            country,
            phone: String::new(),
        },
        // Absent when the provider takes the card on its own page.
        card: CardInput {
            number: card_number.unwrap_or_default(),
            expiry: card_expiry.unwrap_or_default(),
            cvc: card_cvc.unwrap_or_default(),
            name: String::new(),
        },
        discount_code: discount_code.unwrap_or_default(),
        speeds: shipping_speeds(shipping.unwrap_or_default()),
    };
    let placement =
        crate::services::cart_checkout::place(&shop, who.as_ref(), super::cart::owner(&who, &guest), form).await?;
    // The browser keeps the guest's key to the order (it comes back from the provider's page
    // with it: SameSite=Lax cookies go along on that top-level navigation).
    if let Some(key) = &placement.guest_key {
        let secure = if shop.auth.cookie_secure { "; Secure" } else { "" };
        super::guard::append_cookie(&format!(
            "{LAST_ORDER_COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000{secure}"
        ));
    }
    match placement.outcome {
        CheckoutOutcome::Paid { number } | CheckoutOutcome::Processing { number } => {
            crate::api::redirect::redirect(&order_path(&number, placement.guest_key.as_deref()));
            Ok(number)
        }
        CheckoutOutcome::Redirect { number, url } => {
            crate::api::redirect::redirect_to_provider(&url, shop.gateway.redirect_origin().unwrap_or_default());
            Ok(number)
        }
        CheckoutOutcome::Declined { message, .. } => {
            let mut e = FieldErrors::default();
            // With a hosted provider there is no card field on our form to show it under.
            e.add(if shop.gateway.hosted() { "form" } else { "card_number" }, message);
            Err(AppError::Validation(e))
        }
    }
}

/// Where the payment provider sends the browser back after paying
/// (`GET /api/checkout/return?session_id=…`). The session is read from the provider, never taken
/// from the URL's word, and settled (the webhook may have done it already); then the browser goes
/// to the order (paid, or still being confirmed — its page says which) with the cart emptied, or
/// back to the checkout with the cart as it was when the payment did not go through.
#[server(endpoint = "checkout/return", input = server_fn::codec::GetUrl)]
pub async fn checkout_return(session_id: String) -> Result<String, AppError> {
    use crate::services::hosted_checkout::{Settled, settle_session};
    let (shop, _, who, guest) = super::cart::caller().await?;
    let settled = match settle_session(&shop, &session_id).await {
        Ok(settled) => settled,
        // A browser is never left on an error body: the checkout says the payment is not
        // confirmed yet (the webhook settles it if it went through).
        Err(e) => {
            tracing::warn!(error = %e, "a return from the payment page could not be settled");
            crate::api::redirect::redirect("/checkout?payment=unconfirmed");
            return Ok(String::new());
        }
    };
    match &settled {
        Settled::Paid { number } | Settled::Pending { number } => {
            let (cart, _) = crate::services::cart::lines_of(&shop, super::cart::owner(&who, &guest)).await?;
            if matches!(settled, Settled::Paid { .. })
                && let Some(cart) = cart
            {
                crate::services::cart::clear(&shop, cart).await?;
            }
            crate::api::redirect::redirect(&order_path(number, None));
        }
        Settled::Failed { .. } => crate::api::redirect::redirect("/checkout?payment=failed"),
    }
    Ok(settled.number().to_string())
}

/// An order's page: for the signed-in shopper who placed it, the platform admin, or, for a
/// guest's order, whoever holds its access key (`key`, from the confirmation link or e-mail, or
/// the `mm_last_order` cookie of the browser that placed it). The number alone is not enough.
#[server(endpoint = "orders/get")]
pub async fn get_order(number: String, key: Option<String>) -> Result<crate::views::orders::OrderView, AppError> {
    let (shop, headers, who, _) = super::cart::caller().await?;
    let cookie = super::guard::cookie(&headers, LAST_ORDER_COOKIE);
    let keys: Vec<&str> = [key.as_deref(), cookie.as_deref()].into_iter().flatten().collect();
    crate::services::shopper_orders::open(&shop, who.as_ref(), &number, &keys).await
}

/// The signed-in shopper's orders, newest first.
#[server(endpoint = "orders/mine")]
pub async fn my_orders() -> Result<Vec<crate::views::orders::OrderSummary>, AppError> {
    use super::guard::{Access, require, shop};
    let who = require(Access::SignedIn).await?;
    crate::services::shopper_orders::mine(&shop()?, &who).await
}
