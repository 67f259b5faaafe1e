//! Discount codes in the dashboard (`/admin/discounts`): a store makes and switches off its own
//! codes (they take off its items or shipping only); the platform admin does the same for
//! marketplace-wide codes. The form's rules are `domain::discounts`; checkout applies codes with
//! `domain::checkout::apply_discount_to` in `services::checkout::price`.
use super::Shop;
use super::catalog_store::StoreError;
use super::errors::store_err;
use crate::domain::discounts::{DiscountForm, DiscountRow, parse_discount_form};
use crate::domain::errors::AppError;
use crate::views::pricing::DiscountsPage;

pub async fn page(shop: &Shop, owner: Option<i64>) -> Result<DiscountsPage, AppError> {
    let name = match owner {
        Some(id) => shop
            .admin
            .store_settings(id)
            .await
            .map_err(store_err)?
            .map(|s| s.name)
            .ok_or_else(|| AppError::NotFound("No such store.".into()))?,
        None => "the marketplace".into(),
    };
    let codes = shop.pricing.discount_codes(owner).await.map_err(store_err)?;
    Ok(DiscountsPage { merchant_id: owner, owner: name, codes: codes.iter().map(DiscountRow::of).collect() })
}

/// Makes a code of `owner` from the form; answers the code as stored. Codes are unique across the
/// marketplace (a shopper types just the code).
pub async fn create(shop: &Shop, owner: Option<i64>, form: &DiscountForm) -> Result<String, AppError> {
    let code = parse_discount_form(form, owner, super::MARKETPLACE_CURRENCY, shop.clock.now())?;
    shop.orders.create_discount_code(&code, shop.clock.now()).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::one("code", format!("The code {} is taken; choose another.", code.code)),
        other => store_err(other),
    })?;
    Ok(code.code)
}

/// Switches `owner`'s code off (or on again). Another owner's code is "not found".
pub async fn set_active(shop: &Shop, owner: Option<i64>, code: &str, active: bool) -> Result<(), AppError> {
    let code = crate::domain::checkout::normalize_code(code);
    match shop.pricing.set_discount_active(&code, owner, active, shop.clock.now()).await.map_err(store_err)? {
        true => Ok(()),
        false => Err(AppError::NotFound("That code is not one of yours.".into())),
    }
}
