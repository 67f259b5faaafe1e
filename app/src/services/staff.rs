//! A store's people: the owner lists members and pending invitations, invites an address as
//! staff (a single-use link that works `INVITATION_VALID_DAYS` days, only its hash stored,
//! queued through the outbox), revokes an invitation and removes staff. The invitee accepts at
//! `/join`: signed in as the invited address, or by signing up there. The caller checked the
//! access (`Access::StoreOwner`) for the owner's use cases; `/join` is public, the token decides.
use super::Shop;
use super::account_store::ThrottlePolicy;
use super::catalog_store::StoreError;
use super::errors::store_err;
use super::passwords;
use super::staff_store::{InvitedSignUp, NewInvitation};
use crate::domain::account::{Principal, normalize_email, validate_display_name, validate_password, well_formed_token};
use crate::domain::errors::AppError;
use crate::domain::notification::Message;
use crate::domain::staff::{
    ALREADY_IN_STORE, INVALID_INVITATION, INVITATION_VALID_DAYS, INVITATIONS_PER_HOUR, JoinView, StaffOverview,
    join_view, may_remove,
};

const VALID_SECS: i64 = INVITATION_VALID_DAYS * 24 * 3600;

async fn store_name(shop: &Shop, merchant_id: i64) -> Result<String, AppError> {
    let settings = shop.admin.store_settings(merchant_id).await.map_err(store_err)?;
    settings.map(|s| s.name).ok_or_else(|| AppError::NotFound("No such store.".into()))
}

pub async fn page(shop: &Shop, who: &Principal, merchant_id: i64) -> Result<StaffOverview, AppError> {
    let store_name = store_name(shop, merchant_id).await?;
    let members = shop.staff.members(merchant_id).await.map_err(store_err)?;
    let invitations = shop.staff.pending_invitations(merchant_id, shop.clock.now()).await.map_err(store_err)?;
    Ok(StaffOverview { merchant_id, store_name, members, invitations, viewer_id: who.user_id })
}

/// Invites `email` to work for the store, or sends a fresh link when it was invited already.
pub async fn invite(shop: &Shop, who: &Principal, merchant_id: i64, email: &str) -> Result<String, AppError> {
    let email = normalize_email(email).map_err(|m| AppError::one("email", m))?;
    let members = shop.staff.members(merchant_id).await.map_err(store_err)?;
    if members.iter().any(|m| m.email == email) {
        return Err(AppError::one("email", "This person already works for the store."));
    }
    let now = shop.clock.now();
    let policy =
        ThrottlePolicy { free: INVITATIONS_PER_HOUR, first_lock_secs: 3600, max_lock_secs: 3600, memory_secs: 3600 };
    let claim = shop.accounts.claim_attempt(&format!("invite:{merchant_id}"), &policy, now).await.map_err(store_err)?;
    if !claim.admitted {
        return Err(AppError::RateLimited((claim.locked_until - now).max(1) as u64));
    }
    let store_name = store_name(shop, merchant_id).await?;
    let token = passwords::new_token();
    let hash = passwords::token_hash(&token);
    let invitation = NewInvitation {
        merchant_id,
        email: &email,
        token_hash: &hash,
        invited_by: who.user_id,
        expires_at: now + VALID_SECS,
        now,
    };
    shop.staff.upsert_invitation(&invitation).await.map_err(store_err)?;
    let message =
        Message::StaffInvitation { store_name, accept_url: shop.links.join(&token), valid_days: INVITATION_VALID_DAYS };
    // One message per link (a refreshed invitation is a new link), named by the hash.
    let key = format!("staff-invitation:{hash}");
    super::notifications::enqueue_logged(shop.notifications.as_ref(), &message, &email, &key, now).await;
    Ok(format!("Invitation sent to {email}. The link works for {INVITATION_VALID_DAYS} days."))
}

pub async fn revoke(shop: &Shop, merchant_id: i64, invitation_id: i64) -> Result<(), AppError> {
    match shop.staff.revoke_invitation(merchant_id, invitation_id).await.map_err(store_err)? {
        true => Ok(()),
        false => Err(AppError::NotFound("No such pending invitation in this store.".into())),
    }
}

/// Removes a staff member: never the caller, never an owner.
pub async fn remove(shop: &Shop, who: &Principal, merchant_id: i64, user_id: i64) -> Result<(), AppError> {
    let members = shop.staff.members(merchant_id).await.map_err(store_err)?;
    let target = members
        .iter()
        .find(|m| m.user_id == user_id)
        .ok_or_else(|| AppError::NotFound("No such member in this store.".into()))?;
    may_remove(who.user_id, target).map_err(|m| AppError::one("form", m))?;
    match shop.staff.remove_staff(merchant_id, user_id).await.map_err(store_err)? {
        true => Ok(()),
        // Became an owner (or left) in between: nothing removed.
        false => Err(AppError::NotFound("No such staff member in this store.".into())),
    }
}

/// What `/join?token=…` shows to `viewer`.
pub async fn join_page(shop: &Shop, token: &str, viewer: Option<&Principal>) -> Result<JoinView, AppError> {
    let token = token.trim();
    if !well_formed_token(token) {
        return Ok(JoinView::Invalid);
    }
    let hash = passwords::token_hash(token);
    let open = shop.staff.open_invitation(&hash, shop.clock.now()).await.map_err(store_err)?;
    Ok(join_view(open, viewer))
}

fn invalid() -> AppError {
    AppError::one("token", INVALID_INVITATION)
}

fn conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(msg) => AppError::one("form", msg),
        other => store_err(other),
    }
}

/// The signed-in invitee joins the store as staff.
pub async fn join(shop: &Shop, who: &Principal, token: &str) -> Result<(), AppError> {
    let token = token.trim();
    if !well_formed_token(token) {
        return Err(invalid());
    }
    let hash = passwords::token_hash(token);
    let now = shop.clock.now();
    // Said plainly before anything changes; the adapter checks both again in its transaction.
    match join_view(shop.staff.open_invitation(&hash, now).await.map_err(store_err)?, Some(who)) {
        JoinView::Invalid => return Err(invalid()),
        JoinView::OtherAccount { invited, .. } => {
            return Err(AppError::one(
                "form",
                format!("This invitation is for {invited}. Sign out, then open the link again."),
            ));
        }
        JoinView::AlreadyInStore { .. } => return Err(AppError::one("form", ALREADY_IN_STORE)),
        JoinView::Join { .. } | JoinView::SignUp { .. } => {}
    }
    match shop.staff.accept_invitation(&hash, who.user_id, &who.email, now).await.map_err(conflict)? {
        Some(_) => Ok(()),
        None => Err(invalid()),
    }
}

/// A visitor signs up through the invitation: the account (with the invited address, verified),
/// its staff membership and its session are made together. Returns the session's cookie token.
pub async fn sign_up(shop: &Shop, token: &str, display_name: &str, password: &str) -> Result<String, AppError> {
    let token = token.trim();
    if !well_formed_token(token) {
        return Err(invalid());
    }
    let hash = passwords::token_hash(token);
    let now = shop.clock.now();
    let Some(open) = shop.staff.open_invitation(&hash, now).await.map_err(store_err)? else {
        return Err(invalid());
    };
    let display_name = validate_display_name(display_name).map_err(|m| AppError::one("display_name", m))?;
    validate_password(password, &open.email).map_err(|m| AppError::one("password", m))?;
    let slot = shop.auth.hash_gate.enter().await.ok_or(AppError::RateLimited(passwords::GATE_RETRY_SECS))?;
    let password_hash = passwords::hash(password.to_string()).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::server()
    })?;
    drop(slot);
    let session = passwords::new_token();
    let sign_up = InvitedSignUp {
        token_hash: &hash,
        display_name: &display_name,
        password_hash: &password_hash,
        session_hash: &passwords::token_hash(&session),
        now,
    };
    match shop.staff.accept_invitation_signing_up(&sign_up).await.map_err(conflict)? {
        Some(_) => Ok(session),
        None => Err(invalid()),
    }
}
