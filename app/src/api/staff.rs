//! A store's people: the owner's `/admin/staff` page (members, pending invitations, invite,
//! revoke, remove; its owner or the platform admin naming it, never its staff), and the public
//! `/join` page where an invitation's link is accepted (the token decides, not the caller).
use crate::domain::errors::AppError;
use crate::domain::staff::{JoinView, StaffOverview};
use leptos::prelude::*;

/// `/admin/staff`, for the platform admin acting for `store` (a merchant's own page otherwise).
#[cfg(feature = "ssr")]
fn back_to_staff(store: i64, note: &str) {
    crate::api::redirect::redirect(&format!("/admin/staff?store={store}&done={note}"));
}

#[server(endpoint = "admin/staff")]
pub async fn staff_page(merchant_id: Option<i64>) -> Result<StaffOverview, AppError> {
    let (who, store) = super::guard::store_owner(merchant_id).await?;
    crate::services::staff::page(&super::guard::shop()?, &who, store).await
}

#[server(endpoint = "admin/staff/invite")]
pub async fn invite_staff(merchant_id: Option<i64>, email: String) -> Result<String, AppError> {
    let (who, store) = super::guard::store_owner(merchant_id).await?;
    let sent = crate::services::staff::invite(&super::guard::shop()?, &who, store, &email).await?;
    back_to_staff(store, "invited");
    Ok(sent)
}

#[server(endpoint = "admin/staff/revoke")]
pub async fn revoke_invitation(merchant_id: Option<i64>, invitation_id: i64) -> Result<(), AppError> {
    let (_, store) = super::guard::store_owner(merchant_id).await?;
    crate::services::staff::revoke(&super::guard::shop()?, store, invitation_id).await?;
    back_to_staff(store, "revoked");
    Ok(())
}

#[server(endpoint = "admin/staff/remove")]
pub async fn remove_staff(merchant_id: Option<i64>, user_id: i64) -> Result<(), AppError> {
    let (who, store) = super::guard::store_owner(merchant_id).await?;
    crate::services::staff::remove(&super::guard::shop()?, &who, store, user_id).await?;
    back_to_staff(store, "removed");
    Ok(())
}

/// What the invitation page shows to this visitor (anyone: the token is the secret).
#[server(endpoint = "staff/join_page")]
pub async fn join_page(token: String) -> Result<JoinView, AppError> {
    use super::guard::{Access, guard, shop};
    let viewer = guard(Access::Anyone).await?;
    crate::services::staff::join_page(&shop()?, &token, viewer.as_ref()).await
}

/// The signed-in invitee joins the store, then lands in its dashboard.
#[server(endpoint = "staff/join")]
pub async fn join_store(token: String) -> Result<(), AppError> {
    use super::guard::{Access, require, shop};
    let who = require(Access::SignedIn).await?;
    crate::services::staff::join(&shop()?, &who, &token).await?;
    crate::api::redirect::redirect("/admin");
    Ok(())
}

/// A visitor signs up through the invitation: account, membership and session at once.
#[server(endpoint = "staff/join_sign_up")]
pub async fn join_sign_up(token: String, display_name: String, password: String) -> Result<(), AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    let session = crate::services::staff::sign_up(&shop()?, &token, &display_name, &password).await?;
    // Any earlier session in this browser is left to expire; the new account's replaces the cookie.
    signed_in(&session, Some("/admin")).await;
    Ok(())
}
