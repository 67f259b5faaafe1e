//! E-mail verification, on SQLite and PostgreSQL: a sign-up queues a link; opening a store is
//! refused (service and HTTP) until the link's button confirms the address; opening the link
//! (GET) changes nothing; a link works once, for a day, and confirming voids the account's other
//! links; sending again is throttled per account; the demo seed's accounts and `create-admin`'s
//! are verified from the start.
mod support;

use app::domain::errors::AppError;
use app::domain::notification::MessageKind;
use app::services::email_verification::{RESENDS_PER_HOUR, VERIFY_FIRST, confirm};
use support::TestApp;

/// The verification links queued to `email`, oldest first: their tokens.
async fn links_to(shop: &app::services::Shop, email: &str) -> Vec<String> {
    support::mailed_tokens(shop, MessageKind::EmailVerification, Some(email), "/verify-email?token=").await
}

/// Signs up through the real endpoint; the Cookie header.
async fn sign_up(app: &TestApp, email: &str) -> String {
    let form = [("email", email), ("display_name", "New Seller"), ("password", "a long new passphrase 1")];
    let res = app.post_form("/api/auth/register", &[], &form).await;
    res.session_cookie().unwrap_or_else(|| panic!("sign-up failed: {} {}", res.status, res.body))
}

async fn verified(app: &TestApp, email: &str) -> bool {
    app.shop.accounts.user_by_email(email).await.unwrap().unwrap().email_verified
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_confirms_its_address_before_opening_a_store() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let email = "new.seller@example.com";
        let cookie = sign_up(&app, email).await;
        let tokens = links_to(&app.shop, email).await;
        assert_eq!(tokens.len(), 1, "the sign-up sent one link");
        assert!(!verified(&app, email).await);

        // Refused while unverified, with a message that says what to do; no store is made.
        let open = app.call(&cookie, "/api/account/open_store", &[("store_name", "Fresh Pots")]).await;
        assert_eq!(open.err().field("form").as_deref(), Some(VERIFY_FIRST));
        assert_eq!(app.db.scalar_raw("SELECT COUNT(*) FROM merchants WHERE name = 'Fresh Pots'").await.unwrap(), 0);
        let account = app.get_as(&cookie, "/account").await;
        assert!(account.body.contains("Your e-mail is not verified"), "{}", account.body);

        // Opening the link (what a mail scanner does) shows a button and changes nothing.
        let page = app.get(&format!("/verify-email?token={}", tokens[0])).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Confirm my e-mail"));
        assert!(!verified(&app, email).await, "a GET confirms nothing");

        // The button confirms (a plain form: redirected to the account page), once.
        let res = app.post_form("/api/auth/verify_email", &[("Accept", "text/html")], &[("token", &tokens[0])]).await;
        assert!(matches!(res.status, 302 | 303), "{} {}", res.status, res.body);
        assert_eq!(res.header("location"), Some("/account?verified=1"));
        assert!(verified(&app, email).await);
        let again = app.post_form("/api/auth/verify_email", &[], &[("token", &tokens[0])]).await;
        assert!(again.err().field("token").is_some());
        assert!(!app.get_as(&cookie, "/account").await.body.contains("Your e-mail is not verified"));

        let open = app.call(&cookie, "/api/account/open_store", &[("store_name", "Fresh Pots")]).await;
        assert_eq!(open.status, 200, "{}", open.body);
        assert_eq!(app.db.scalar_raw("SELECT COUNT(*) FROM merchants WHERE name = 'Fresh Pots'").await.unwrap(), 1);
        app.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_expire_die_together_and_resending_is_throttled() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let email = "slow.reader@example.com";
        let cookie = sign_up(&app, email).await;
        for _ in 0..RESENDS_PER_HOUR {
            let res = app.call(&cookie, "/api/account/resend_verification", &[]).await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
        let refused = app.call(&cookie, "/api/account/resend_verification", &[]).await;
        assert!(matches!(refused.err(), AppError::RateLimited(_)));
        let tokens = links_to(&app.shop, email).await;
        assert_eq!(tokens.len() as i64, 1 + RESENDS_PER_HOUR);

        // A made-up link, and a real one after its day, confirm nothing.
        assert!(confirm(&app.shop, "zz").await.unwrap_err().field("token").is_some());
        let tomorrow = app::services::Shop {
            clock: std::sync::Arc::new(app::services::clock::FixedClock::at(app::services::clock::now() + 86_401)),
            ..app.shop.clone()
        };
        assert!(confirm(&tomorrow, &tokens[1]).await.unwrap_err().field("token").is_some());
        assert!(!verified(&app, email).await);

        // One link confirms; the account's others die with it.
        confirm(&app.shop, &tokens[2]).await.unwrap();
        assert!(verified(&app, email).await);
        assert!(confirm(&app.shop, &tokens[1]).await.is_err());
        let res = app.call(&cookie, "/api/account/resend_verification", &[]).await;
        assert!(res.err().field("form").is_some_and(|m| m.contains("already confirmed")));
        app.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_accounts_are_verified_from_the_start() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        for (email, _) in [support::ADMIN, support::OWNER_A, support::SHOPPER] {
            assert!(verified(&app, email).await, "{email} from the demo seed");
        }
        app::services::accounts::create_admin(&app.shop, "ops@example.com", "a long new passphrase 1").await.unwrap();
        assert!(verified(&app, "ops@example.com").await, "create-admin");
        assert!(links_to(&app.shop, "ops@example.com").await.is_empty(), "no link for an operator's account");
        app.db.close().await;
    }
}
