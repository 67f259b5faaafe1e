//! The signed-in user's own account: password, addresses, opening a store.
#[cfg(feature = "ssr")]
use crate::domain::account::Principal;
#[cfg(feature = "ssr")]
use crate::domain::address::AddressInput;
use crate::domain::errors::AppError;
use crate::views::account::AccountOverview;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::services::Shop, Principal), AppError> {
    use super::guard::{Access, require, shop};
    let principal = require(Access::SignedIn).await?;
    Ok((shop()?, principal))
}

#[server(endpoint = "account/overview")]
pub async fn get_account() -> Result<AccountOverview, AppError> {
    let (shop, principal) = signed_in().await?;
    let addresses = crate::services::accounts::addresses(&shop, &principal).await?;
    Ok(AccountOverview { principal, addresses })
}

#[server(endpoint = "account/change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let (shop, principal) = signed_in().await?;
    let (_, session_hash) = super::guard::session().await?.ok_or(AppError::Unauthenticated)?;
    crate::services::accounts::change_password(&shop, &principal, &session_hash, &current_password, &new_password).await
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
pub(crate) fn address(
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: String,
    country: String,
    phone: Option<String>,
) -> AddressInput {
    AddressInput {
        name,
        line1,
        line2: line2.unwrap_or_default(),
        city,
        region: region.unwrap_or_default(),
        postal_code,
        country,
        phone: phone.unwrap_or_default(),
    }
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "account/add_address")]
pub async fn add_address(
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: String,
    country: String,
    phone: Option<String>,
) -> Result<i64, AppError> {
    let (shop, principal) = signed_in().await?;
    let input = address(name, line1, line2, city, region, postal_code, country, phone);
    crate::services::accounts::add_address(&shop, &principal, &input).await
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "account/update_address")]
pub async fn update_address(
    id: i64,
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: String,
    country: String,
    phone: Option<String>,
) -> Result<(), AppError> {
    let (shop, principal) = signed_in().await?;
    let input = address(name, line1, line2, city, region, postal_code, country, phone);
    crate::services::accounts::update_address(&shop, &principal, id, &input).await
}

#[server(endpoint = "account/delete_address")]
pub async fn delete_address(id: i64) -> Result<(), AppError> {
    let (shop, principal) = signed_in().await?;
    crate::services::accounts::delete_address(&shop, &principal, id).await
}

/// Turns the account into the owner of a new store, pending until an admin approves it.
#[server(endpoint = "account/open_store")]
pub async fn open_store(store_name: String, description: Option<String>) -> Result<(), AppError> {
    let (shop, principal) = signed_in().await?;
    crate::services::accounts::open_store(&shop, &principal, &store_name, description.as_deref().unwrap_or_default())
        .await?;
    crate::api::redirect::redirect("/admin");
    Ok(())
}
