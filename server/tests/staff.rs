//! Staff invitations, on SQLite and PostgreSQL: an owner invites an address (inviting again
//! refreshes the one pending invitation and kills the old link); the invitee signs up through the
//! e-mailed link (account, membership and session at once, the address verified) and lands as
//! staff, who get 403 on the owner's pages; an existing account joins when signed in as the
//! invited address, and is told why not otherwise (another address, already in a store, address
//! taken); revoked, used and expired links say so; owners remove staff but not themselves; and a
//! store sends at most 50 invitations an hour.
mod support;

use app::domain::account::StoreRole;
use app::domain::errors::AppError;
use app::domain::notification::MessageKind;
use app::domain::staff::{INVITATIONS_PER_HOUR, JoinView, StaffOverview};
use support::{ADMIN, OWNER_A, OWNER_B, SHOPPER, TestApp};

/// The invitation links queued to `email` so far, oldest first: their tokens.
async fn links_to(shop: &app::services::Shop, email: &str) -> Vec<String> {
    support::mailed_tokens(shop, MessageKind::StaffInvitation, Some(email), "/join?token=").await
}

async fn invite(app: &TestApp, owner: &str, email: &str) -> support::Response {
    app.call(owner, "/api/admin/staff/invite", &[("email", email)]).await
}

async fn join_view(app: &TestApp, cookie: &str, token: &str) -> JoinView {
    app.call(cookie, "/api/staff/join_page", &[("token", token)]).await.ok()
}

async fn role_of(app: &TestApp, email: &str) -> Option<(i64, StoreRole)> {
    let user = app.shop.accounts.user_by_email(email).await.unwrap()?;
    app.shop.accounts.membership(user.id).await.unwrap().map(|m| (m.merchant_id, m.role))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitee_signs_up_through_the_link_and_works_as_staff() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let store_a = app.store_of(OWNER_A.0).await;
        let owner = app.login(OWNER_A.0, OWNER_A.1).await;
        let hire = "new.hire@example.com";

        // Inviting twice (in another case) keeps one pending invitation; the first link dies.
        assert_eq!(invite(&app, &owner, "New.Hire@Example.com").await.status, 200);
        let res = invite(&app, &owner, hire).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let tokens = links_to(&app.shop, hire).await;
        assert_eq!(tokens.len(), 2, "one message per link");
        let page: StaffOverview = app.call(&owner, "/api/admin/staff", &[]).await.ok();
        assert_eq!(page.invitations.len(), 1, "{page:?}");
        assert_eq!(page.invitations[0].email, hire);
        assert_eq!(join_view(&app, "", &tokens[0]).await, JoinView::Invalid);
        let message = app.shop.notifications.list(500).await.unwrap();
        let message = message.iter().find(|m| m.kind == MessageKind::StaffInvitation).unwrap();
        assert!(message.subject.contains("Northwind Home"), "{}", message.subject);

        // The page the link opens, as a browser without JavaScript sees it.
        let html = app.get(&format!("/join?token={}", tokens[1])).await;
        assert_eq!(html.status, 200);
        assert!(html.body.contains("Create account and join") && html.body.contains(hire), "{}", html.body);
        let dead = app.get(&format!("/join?token={}", tokens[0])).await;
        assert!(dead.body.contains("expired, was used already or was withdrawn"), "{}", dead.body);

        // A weak password is refused and nothing is made; then the sign-up goes through.
        let weak = [("token", tokens[1].as_str()), ("display_name", "New Hire"), ("password", "short")];
        let res = app.post_form("/api/staff/join_sign_up", &[], &weak).await;
        assert!(res.err().field("password").is_some());
        assert!(app.shop.accounts.user_by_email(hire).await.unwrap().is_none());
        let form =
            [("token", tokens[1].as_str()), ("display_name", "New Hire"), ("password", "a long new passphrase 1")];
        let res = app.post_form("/api/staff/join_sign_up", &[("Accept", "text/html")], &form).await;
        assert!(matches!(res.status, 302 | 303), "{} {}", res.status, res.body);
        assert_eq!(res.header("location"), Some("/admin"));
        let staff = res.session_cookie().expect("signed in");
        assert_eq!(role_of(&app, hire).await, Some((store_a, StoreRole::Staff)));
        assert!(app.shop.accounts.user_by_email(hire).await.unwrap().unwrap().email_verified, "the link proved it");

        // Staff get 403 on the owner's pages and keep the rest of the dashboard.
        for path in ["/admin/settings", "/admin/earnings", "/admin/staff"] {
            let res = app.get_as(&staff, path).await;
            assert_eq!(res.status, 403, "{path}");
            assert!(res.body.contains("data-testid=\"forbidden\""), "{path}");
        }
        assert_eq!(app.get_as(&staff, "/admin/orders").await.status, 200);
        let nav = app.get_as(&staff, "/admin/orders").await.body;
        assert!(!nav.contains("href=\"/admin/settings\"") && !nav.contains("href=\"/admin/earnings\""));
        assert!(app.get_as(&owner, "/admin/orders").await.body.contains("href=\"/admin/staff\""));

        // The link works once.
        let again = app.post_form("/api/staff/join_sign_up", &[], &form).await;
        assert!(again.err().field("token").is_some());

        // The owner sees the new member, cannot remove themselves, and removes the staff member.
        let page: StaffOverview = app.call(&owner, "/api/admin/staff", &[]).await.ok();
        assert!(page.invitations.is_empty());
        let member = page.members.iter().find(|m| m.email == hire).expect("listed");
        assert_eq!(member.role, StoreRole::Staff);
        let me = page.members.iter().find(|m| m.email == OWNER_A.0).unwrap().user_id.to_string();
        let res = app.call(&owner, "/api/admin/staff/remove", &[("user_id", &me)]).await;
        assert!(res.err().field("form").is_some_and(|m| m.contains("yourself")));
        // Another store's owner cannot remove A's staff (B acts for B, where there is no such member).
        let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
        let id = member.user_id.to_string();
        assert_eq!(app.call(&owner_b, "/api/admin/staff/remove", &[("user_id", &id)]).await.status, 404);
        let res = app.call(&owner, "/api/admin/staff/remove", &[("user_id", &id)]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(role_of(&app, hire).await, None);
        assert_eq!(role_of(&app, OWNER_A.0).await, Some((store_a, StoreRole::Owner)));
        app.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_accounts_join_when_signed_in_as_the_invited_address() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let store_a = app.store_of(OWNER_A.0).await;
        let owner = app.login(OWNER_A.0, OWNER_A.1).await;
        let shopper = app.login(SHOPPER.0, SHOPPER.1).await;
        let admin = app.login(ADMIN.0, ADMIN.1).await;

        // Signed in as someone else: told whose invitation it is; joining is refused.
        assert_eq!(invite(&app, &owner, SHOPPER.0).await.status, 200);
        let token = links_to(&app.shop, SHOPPER.0).await.pop().unwrap();
        assert!(matches!(join_view(&app, &admin, &token).await, JoinView::OtherAccount { .. }));
        let res = app.call(&admin, "/api/staff/join", &[("token", &token)]).await;
        assert!(res.err().field("form").is_some_and(|m| m.contains(SHOPPER.0)));
        // Not signed in, the address already has an account: sign in first, nothing is made.
        let form = [("token", token.as_str()), ("display_name", "Dup"), ("password", "a long new passphrase 1")];
        let res = app.post_form("/api/staff/join_sign_up", &[], &form).await;
        assert!(res.err().field("form").is_some_and(|m| m.contains("already exists")), "{}", res.body);
        // The invited account joins.
        assert!(matches!(join_view(&app, &shopper, &token).await, JoinView::Join { .. }));
        let res = app.call(&shopper, "/api/staff/join", &[("token", &token)]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(role_of(&app, SHOPPER.0).await, Some((store_a, StoreRole::Staff)));

        // One store per account: B's owner is told so, and the invitation stays pending.
        let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
        assert_eq!(invite(&app, &owner, OWNER_B.0).await.status, 200);
        let token = links_to(&app.shop, OWNER_B.0).await.pop().unwrap();
        assert!(matches!(join_view(&app, &owner_b, &token).await, JoinView::AlreadyInStore { .. }));
        let res = app.call(&owner_b, "/api/staff/join", &[("token", &token)]).await;
        assert!(res.err().field("form").is_some_and(|m| m.contains("already belongs to a store")));
        assert_ne!(role_of(&app, OWNER_B.0).await.map(|r| r.0), Some(store_a));

        // Revoked: the link stops working; a made-up one never worked.
        let page: StaffOverview = app.call(&owner, "/api/admin/staff", &[]).await.ok();
        let id = page.invitations.iter().find(|i| i.email == OWNER_B.0).unwrap().id.to_string();
        assert_eq!(app.call(&owner_b, "/api/admin/staff/revoke", &[("invitation_id", &id)]).await.status, 404);
        assert_eq!(app.call(&owner, "/api/admin/staff/revoke", &[("invitation_id", &id)]).await.status, 200);
        assert_eq!(join_view(&app, "", &token).await, JoinView::Invalid);
        assert_eq!(join_view(&app, "", "not-a-token").await, JoinView::Invalid);

        // Expired after 7 days.
        assert_eq!(invite(&app, &owner, "later@example.com").await.status, 200);
        let token = links_to(&app.shop, "later@example.com").await.pop().unwrap();
        let later = app::services::Shop {
            clock: std::sync::Arc::new(app::services::clock::FixedClock::at(
                app::services::clock::now() + 7 * 86_400 + 1,
            )),
            ..app.shop.clone()
        };
        assert_eq!(app::services::staff::join_page(&later, &token, None).await.unwrap(), JoinView::Invalid);
        let res = app::services::staff::sign_up(&later, &token, "Later", "a long new passphrase 1").await;
        assert!(res.unwrap_err().field("token").is_some());
        app.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_sends_at_most_fifty_invitations_an_hour() {
    let app = support::spawn_app().await;
    let cookie = app.login(OWNER_A.0, OWNER_A.1).await;
    let token = cookie.trim_start_matches("mm_session=");
    let now = app::services::clock::now();
    let (owner, _) = app::services::accounts::principal_for_token(&app.shop, token, now).await.unwrap().unwrap();
    let store = app.store_of(OWNER_A.0).await;
    for i in 0..INVITATIONS_PER_HOUR {
        app::services::staff::invite(&app.shop, &owner, store, &format!("p{i}@example.com")).await.unwrap();
    }
    let refused = app::services::staff::invite(&app.shop, &owner, store, "one-more@example.com").await.unwrap_err();
    assert!(matches!(refused, AppError::RateLimited(_)), "{refused:?}");
    // Another store is not held back by A's invitations.
    let res = invite(&app, &app.login(OWNER_B.0, OWNER_B.1).await, "b-hire@example.com").await;
    assert_eq!(res.status, 200, "{}", res.body);
}
