//! The signed-in user's own account: password, addresses, opening a store.
#[cfg(feature = "ssr")]
use crate::domain::account::Principal;
use crate::domain::address::{AddressEdit, AddressInput};
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

/// An address form's fields; the form posts them flat (`name=…&line1=…`), as a plain HTML form does.
#[server(endpoint = "account/add_address")]
pub async fn add_address(#[server(flatten)] address: AddressInput) -> Result<i64, AppError> {
    let (shop, principal) = signed_in().await?;
    crate::services::accounts::add_address(&shop, &principal, &address).await
}

#[server(endpoint = "account/update_address")]
pub async fn update_address(#[server(flatten)] edit: AddressEdit) -> Result<(), AppError> {
    let (shop, principal) = signed_in().await?;
    crate::services::accounts::update_address(&shop, &principal, edit.id, &edit.address).await
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

/// Sends the e-mail verification link again (only while unverified; a few times an hour).
#[server(endpoint = "account/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let (shop, principal) = signed_in().await?;
    crate::services::email_verification::resend(&shop, &principal).await?;
    // Without JavaScript the page says so from its address.
    crate::api::redirect::redirect("/account?sent=1");
    Ok(())
}
