//! The Settings page: a store's name, description and support address (its owner, or the platform
//! admin acting for it; not its staff), and the marketplace's capture mode for the platform admin.
use crate::domain::admin_pages::SettingsPage;
use crate::domain::errors::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/settings")]
pub async fn get_settings(merchant_id: Option<i64>) -> Result<SettingsPage, AppError> {
    // The platform admin without a chosen store sees only the marketplace's settings.
    let (who, store) = super::guard::owner_or_marketplace(merchant_id).await?;
    crate::services::settings::page(&super::guard::shop()?, store, who.is_admin).await
}

#[server(endpoint = "admin/settings/store")]
pub async fn save_store_settings(
    merchant_id: Option<i64>,
    name: String,
    description: String,
    support_email: String,
) -> Result<(), AppError> {
    let (_, merchant_id) = super::guard::store_owner(merchant_id).await?;
    let shop = super::guard::shop()?;
    crate::services::settings::save_store(&shop, merchant_id, &name, &description, &support_email).await
}
