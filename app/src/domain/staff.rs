//! A store's people: its members (owner and staff), the invitations its owner sends, and what the
//! invitation page shows to whoever opens its link. Pure rules; the use cases are in
//! `services::staff`, the storage behind `services::staff_store`.
use super::account::{Principal, StoreRole};
use serde::{Deserialize, Serialize};

/// How long an invitation link works.
pub const INVITATION_VALID_DAYS: i64 = 7;
/// Invitations one store may send an hour: enough for a team, too few to spam with.
pub const INVITATIONS_PER_HOUR: i64 = 50;

/// One person who works for the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
    pub role: StoreRole,
}

/// An invitation not accepted (nor revoked) yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub expires_at: i64,
    /// Past `expires_at`: the link no longer works; inviting again sends a fresh one.
    pub expired: bool,
}

/// `/admin/staff`: who works for the store and who has been asked to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOverview {
    pub merchant_id: i64,
    pub store_name: String,
    pub members: Vec<Member>,
    pub invitations: Vec<PendingInvitation>,
    /// The caller: owners are never offered a button to remove themselves.
    pub viewer_id: i64,
}

/// Whether `actor` may remove `target` from the store: only staff go, never an owner (the
/// actor included), so a store always keeps its owner.
pub fn may_remove(actor_user_id: i64, target: &Member) -> Result<(), &'static str> {
    if target.user_id == actor_user_id {
        return Err("You cannot remove yourself from your store.");
    }
    if target.role == StoreRole::Owner {
        return Err("An owner cannot be removed here.");
    }
    Ok(())
}

/// An open invitation, as its link finds it (unused, unexpired).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenInvitation {
    pub merchant_id: i64,
    pub store_name: String,
    pub email: String,
}

/// What `/join?token=…` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinView {
    /// Unknown, used, revoked or expired: one message for all (nothing to learn from which).
    Invalid,
    /// Nobody is signed in: a sign-up form for the invited address.
    SignUp { store_name: String, email: String },
    /// Signed in as the invited address: a button to join.
    Join { store_name: String },
    /// Signed in as someone else.
    OtherAccount { store_name: String, invited: String, signed_in_as: String },
    /// Signed in as the invited address, which already works for a store (one store per account).
    AlreadyInStore { store_name: String, current_store: String },
}

/// The message for every link that does not work (any more).
pub const INVALID_INVITATION: &str =
    "This invitation link has expired, was used already or was withdrawn. Ask the store's owner to invite you again.";

pub const ALREADY_IN_STORE: &str = "Your account already belongs to a store; an account works for one store only. Use another e-mail address, or leave your current store first.";

/// Decides the join page from the invitation (if its link is open) and the visitor.
pub fn join_view(invitation: Option<OpenInvitation>, viewer: Option<&Principal>) -> JoinView {
    let Some(inv) = invitation else { return JoinView::Invalid };
    match viewer {
        None => JoinView::SignUp { store_name: inv.store_name, email: inv.email },
        Some(p) if p.email != inv.email => {
            JoinView::OtherAccount { store_name: inv.store_name, invited: inv.email, signed_in_as: p.email.clone() }
        }
        Some(p) => match &p.store {
            Some(s) => JoinView::AlreadyInStore { store_name: inv.store_name, current_store: s.merchant_name.clone() },
            None => JoinView::Join { store_name: inv.store_name },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::{MerchantStatus, StoreMembership};

    fn member(user_id: i64, role: StoreRole) -> Member {
        Member { user_id, display_name: "M".into(), email: "m@x.test".into(), role }
    }

    #[test]
    fn owners_remove_staff_but_never_themselves_or_an_owner() {
        assert!(may_remove(1, &member(2, StoreRole::Staff)).is_ok());
        assert!(may_remove(1, &member(1, StoreRole::Owner)).unwrap_err().contains("yourself"));
        assert!(may_remove(1, &member(1, StoreRole::Staff)).unwrap_err().contains("yourself"));
        assert!(may_remove(1, &member(3, StoreRole::Owner)).unwrap_err().contains("owner"));
    }

    fn principal(email: &str, store: Option<&str>) -> Principal {
        Principal {
            user_id: 9,
            email: email.into(),
            display_name: "P".into(),
            is_admin: false,
            store: store.map(|name| StoreMembership {
                merchant_id: 3,
                merchant_name: name.into(),
                merchant_slug: "s".into(),
                merchant_status: MerchantStatus::Active,
                role: StoreRole::Owner,
            }),
            email_verified: true,
        }
    }

    #[test]
    fn the_join_page_depends_on_the_link_and_the_visitor() {
        let inv = || Some(OpenInvitation { merchant_id: 1, store_name: "Shop".into(), email: "ann@x.test".into() });
        assert_eq!(join_view(None, None), JoinView::Invalid);
        assert_eq!(join_view(None, Some(&principal("ann@x.test", None))), JoinView::Invalid);
        assert_eq!(join_view(inv(), None), JoinView::SignUp { store_name: "Shop".into(), email: "ann@x.test".into() });
        assert_eq!(
            join_view(inv(), Some(&principal("ann@x.test", None))),
            JoinView::Join { store_name: "Shop".into() }
        );
        assert!(matches!(join_view(inv(), Some(&principal("bob@x.test", None))), JoinView::OtherAccount { .. }));
        assert_eq!(
            join_view(inv(), Some(&principal("ann@x.test", Some("Other")))),
            JoinView::AlreadyInStore { store_name: "Shop".into(), current_store: "Other".into() }
        );
    }
}
