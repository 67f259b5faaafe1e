//! The Settings page: a store's name, description and support address, and the marketplace's
//! capture mode for the platform admin (the caller checked the access).
use super::Shop;
use super::errors::store_err;
use crate::domain::admin_pages::{SettingsPage, validate_store_settings};
use crate::domain::errors::AppError;

/// The page for `store` (none: the platform admin without a chosen store sees only the
/// marketplace's settings); the capture mode only when `is_admin`.
pub async fn page(shop: &Shop, store: Option<i64>, is_admin: bool) -> Result<SettingsPage, AppError> {
    let store = match store {
        Some(id) => {
            let mut s = super::merchants::settings(shop, id)
                .await?
                .ok_or_else(|| AppError::NotFound("No such store.".into()))?;
            s.low_stock_threshold = shop.inventory.low_stock_threshold(id).await.map_err(store_err)?;
            Some(s)
        }
        None => None,
    };
    let capture_mode = if is_admin { Some(super::payments::capture_mode(shop).await?) } else { None };
    Ok(SettingsPage { store, capture_mode })
}

/// Saves the store's settings as typed in the form; field errors name the field.
pub async fn save_store(
    shop: &Shop,
    merchant_id: i64,
    name: &str,
    description: &str,
    support_email: &str,
) -> Result<(), AppError> {
    let (name, description, email) = validate_store_settings(name, description, support_email)?;
    shop.admin.save_store_settings(merchant_id, &name, &description, &email, shop.clock.now()).await.map_err(store_err)
}
