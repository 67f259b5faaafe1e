//! The Settings page: a store's name, description and support address (its staff, or the platform
//! admin acting for it), and the marketplace's capture mode for the platform admin.
use crate::domain::admin_pages::SettingsPage;
use crate::domain::errors::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/settings")]
pub async fn get_settings(merchant_id: Option<i64>) -> Result<SettingsPage, AppError> {
    // The platform admin without a chosen store sees only the marketplace's settings.
    let (who, store_id) = super::guard::store_or_marketplace(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let store = match store_id {
        Some(id) => {
            let mut s = shop
                .admin
                .store_settings(id)
                .await
                .map_err(internal)?
                .ok_or_else(|| AppError::NotFound("No such store.".into()))?;
            s.low_stock_threshold = shop.inventory.low_stock_threshold(id).await.map_err(internal)?;
            Some(s)
        }
        None => None,
    };
    let capture_mode = if who.is_admin { Some(shop.admin.capture_mode().await.map_err(internal)?) } else { None };
    Ok(SettingsPage { store, capture_mode })
}

#[server(endpoint = "admin/settings/store")]
pub async fn save_store_settings(
    merchant_id: Option<i64>,
    name: String,
    description: String,
    support_email: String,
) -> Result<(), AppError> {
    use crate::domain::admin_pages::validate_store_settings;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let (name, description, email) = validate_store_settings(&name, &description, &support_email)?;
    let shop = super::guard::shop()?;
    shop.admin
        .save_store_settings(merchant_id, &name, &description, &email, crate::services::accounts::now())
        .await
        .map_err(crate::services::accounts::store_err)
}
