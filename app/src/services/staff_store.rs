//! The storage port for a store's people: members, and the invitations an owner sends. Every
//! query that touches a store's people takes the store's id, so scoping is not optional.
use super::catalog_store::StoreError;
use crate::domain::staff::{Member, OpenInvitation, PendingInvitation};
use async_trait::async_trait;

/// An invitation to create or refresh.
#[derive(Clone, Debug)]
pub struct NewInvitation<'a> {
    pub merchant_id: i64,
    /// Normalised (`domain::account::normalize_email`).
    pub email: &'a str,
    pub token_hash: &'a str,
    pub invited_by: i64,
    pub expires_at: i64,
    pub now: i64,
}

/// A sign-up through an invitation: the account to create and its first session.
#[derive(Clone, Debug)]
pub struct InvitedSignUp<'a> {
    pub token_hash: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub session_hash: &'a str,
    pub now: i64,
}

#[async_trait]
pub trait StaffStore: Send + Sync + 'static {
    /// The store's members, owners first, then by name.
    async fn members(&self, merchant_id: i64) -> Result<Vec<Member>, StoreError>;
    /// The store's invitations not accepted yet (expired ones included), newest first.
    async fn pending_invitations(&self, merchant_id: i64, now: i64) -> Result<Vec<PendingInvitation>, StoreError>;
    /// Creates the pending invitation of this address to this store, or refreshes the one there is
    /// (new token, new expiry): one statement, so inviting twice never makes two.
    async fn upsert_invitation(&self, invitation: &NewInvitation<'_>) -> Result<(), StoreError>;
    /// Deletes a pending invitation of the store; `false` when there is none with that id.
    async fn revoke_invitation(&self, merchant_id: i64, invitation_id: i64) -> Result<bool, StoreError>;
    /// Removes a member whose role is staff; `false` when the store has no such staff member.
    async fn remove_staff(&self, merchant_id: i64, user_id: i64) -> Result<bool, StoreError>;
    /// The invitation behind a token when it is pending and unexpired at `now`.
    async fn open_invitation(&self, token_hash: &str, now: i64) -> Result<Option<OpenInvitation>, StoreError>;
    /// An existing account (whose address is `email`) accepts: in one transaction the invitation
    /// is claimed (pending, unexpired, for `email`), the account joins the store as staff and its
    /// address counts as verified. None: the link does not work (nothing changes); Conflict when
    /// the account already belongs to a store (nothing changes either).
    async fn accept_invitation(
        &self,
        token_hash: &str,
        user_id: i64,
        email: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError>;
    /// A new account accepts: in one transaction the invitation is claimed, the account is
    /// created with the invited address (verified: the link proved it), joins the store as staff
    /// and gets its first session. None: the link does not work; Conflict when the address
    /// already has an account. Answers (user id, store id).
    async fn accept_invitation_signing_up(&self, sign_up: &InvitedSignUp<'_>)
    -> Result<Option<(i64, i64)>, StoreError>;
}
