//! Checkout of the caller's own cart: the page (the cart grouped by store, shipping choices, the
//! totals with standard shipping, a fresh idempotency key), the quote for the choices made so far,
//! and placing the order (the cart is emptied once it is placed). Pricing and placing themselves
//! are `checkout`'s; this module feeds them the cart and the marketplace's settings.
use super::Shop;
use super::cart_store::CartOwner;
use super::checkout::{CheckoutRequest, Placement};
use super::errors::store_err;
use crate::domain::account::Principal;
use crate::domain::address::AddressInput;
use crate::domain::admin_pages::CaptureMode;
use crate::domain::card::CardInput;
use crate::domain::cart::{can_check_out, group_by_merchant, review_lines};
use crate::domain::checkout::{OrderQuote, PartInput, ShippingSpeed, quote_to};
use crate::domain::errors::AppError;
use crate::domain::shipping_zones::rates_for;
use crate::views::checkout::{CheckoutData, CheckoutGroup, CheckoutLine};

/// The checkout page for `who` (signed in, or a guest) and the cart of `owner`.
pub async fn page(
    shop: &Shop,
    who: Option<&Principal>,
    owner: Option<CartOwner<'_>>,
) -> Result<CheckoutData, AppError> {
    let (_, lines) = super::cart::lines_of(shop, owner).await?;
    let mut address = AddressInput { country: "US".into(), ..Default::default() };
    if let Some(p) = who {
        if let Some(saved) = shop.accounts.addresses(p.user_id).await.map_err(store_err)?.into_iter().next() {
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
            let summary = group_by_merchant(&lines, currency).map_err(super::internal)?;
            let merchants: Vec<i64> = summary.groups.iter().map(|g| g.merchant_id).collect();
            let rules = shop.orders.pricing_rules(&merchants).await.map_err(store_err)?;
            // What the review shows of each store's part (its zone's options to the saved or
            // default country), and what prices it (standard shipping until the shopper picks
            // another speed); a store that does not ship there has no options and no quote yet.
            let (groups, parts): (Vec<CheckoutGroup>, Vec<Option<PartInput>>) = summary
                .groups
                .iter()
                .map(|g| {
                    let lines = g
                        .lines
                        .iter()
                        .map(|l| CheckoutLine {
                            title: l.title.clone(),
                            quantity: l.quantity,
                            line_total: l.line_total().unwrap_or(l.unit_price),
                        })
                        .collect();
                    let zone = rates_for(&rules.zones, g.merchant_id, &address.country, &shop.checkout.rates);
                    let options = zone.as_ref().map(|z| z.options(g.subtotal)).unwrap_or_default();
                    let shown = CheckoutGroup {
                        merchant_id: g.merchant_id,
                        merchant_name: g.merchant_name.clone(),
                        lines,
                        options,
                    };
                    let priced = zone.map(|z| PartInput {
                        merchant_id: g.merchant_id,
                        merchant_name: g.merchant_name.clone(),
                        subtotal: g.subtotal,
                        shipping: z.chosen(ShippingSpeed::Standard, g.subtotal),
                    });
                    (shown, priced)
                })
                .unzip();
            let parts: Option<Vec<PartInput>> = parts.into_iter().collect();
            let quote = parts.and_then(|p| quote_to(&p, &address.country, &address.region, &rules.taxes, None).ok());
            (groups, quote)
        }
        _ => (Vec::new(), None),
    };
    Ok(CheckoutData {
        groups,
        quote,
        email: who.map(|p| p.email.clone()).unwrap_or_default(),
        signed_in: who.is_some(),
        address,
        idempotency_key: super::random::action_key(),
        blocked,
        hosted_by: shop.gateway.hosted().then(|| shop.gateway.label().to_string()),
        test_cards: crate::domain::gateway::TEST_CARDS
            .iter()
            .map(|c| (c.number.to_string(), c.description.to_string()))
            .collect(),
    })
}

/// The cart of `owner` priced with the choices made so far (shipping per store, destination
/// country, discount code), so the review shows what paying will charge. Writes nothing.
pub async fn quote_cart(
    shop: &Shop,
    owner: Option<CartOwner<'_>>,
    speeds: &[(i64, ShippingSpeed)],
    to: super::checkout::Destination<'_>,
    discount_code: &str,
) -> Result<OrderQuote, AppError> {
    let (_, lines) = super::cart::lines_of(shop, owner).await?;
    let requested: Vec<(i64, i64)> = lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
    let priced = super::checkout::price(
        shop.orders.as_ref(),
        &shop.checkout,
        &requested,
        speeds,
        to,
        discount_code,
        shop.clock.now(),
    )
    .await?;
    Ok(priced.quote)
}

/// What the checkout form sent besides the cart.
pub struct OrderForm {
    pub idempotency_key: String,
    pub email: String,
    pub address: AddressInput,
    pub card: CardInput,
    pub discount_code: String,
    pub speeds: Vec<(i64, ShippingSpeed)>,
}

/// Places the order for the cart of `owner`, in the marketplace's capture mode. Once it is placed
/// (paid, or still processing) the cart is emptied; a declined card leaves the cart as it was.
pub async fn place(
    shop: &Shop,
    who: Option<&Principal>,
    owner: Option<CartOwner<'_>>,
    form: OrderForm,
) -> Result<Placement, AppError> {
    use super::checkout::CheckoutOutcome;
    let (cart, lines) = super::cart::lines_of(shop, owner).await?;
    let request = CheckoutRequest {
        lines: lines.iter().map(|l| (l.variant_id, l.quantity)).collect(),
        speeds: form.speeds,
        email: form.email,
        user_id: who.map(|p| p.user_id),
        address: form.address,
        card: form.card,
        discount_code: form.discount_code,
        idempotency_key: form.idempotency_key,
        now: shop.clock.now(),
        random: super::random::bytes::<8>(),
        manual_capture: super::payments::capture_mode(shop).await? == CaptureMode::Manual,
    };
    let placement =
        super::checkout::place_order_with_key(shop.orders.as_ref(), shop.gateway.as_ref(), &shop.checkout, request)
            .await?;
    // A fresh payment (not a retry answered from its key) tells the stores; the dedupe key makes a
    // second telling a no-op either way.
    if let CheckoutOutcome::Paid { number } = &placement.outcome {
        super::store_notices::new_order(shop, number, shop.clock.now()).await;
    }
    if let (CheckoutOutcome::Paid { .. } | CheckoutOutcome::Processing { .. }, Some(cart)) = (&placement.outcome, cart)
    {
        super::cart::clear(shop, cart).await?;
    }
    Ok(placement)
}
