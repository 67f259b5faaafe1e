//! Password reset by e-mail, on SQLite and PostgreSQL: the same answer whether or not an account
//! uses the address (and no message for an unknown one); the link from the outbox sets the new
//! password once, signs the account out everywhere and voids its other links; a made-up, used or
//! expired link changes nothing; an address asking too often gets 429 and an inbox gets at most
//! three links an hour.
mod support;

use app::domain::notification::MessageKind;
use app::services::password_reset::{MAILS_PER_ACCOUNT, REQUESTS_PER_ADDRESS, SENT, request, reset};

/// The reset links queued so far, oldest first: their tokens.
async fn links(shop: &app::services::Shop) -> Vec<String> {
    support::mailed_tokens(shop, MessageKind::PasswordReset, None, "token=").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_from_the_outbox_sets_a_new_password_once() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let shop = &app.shop;
        let (email, old) = support::SHOPPER;
        let before = app.login(email, old).await;

        // Unknown and known addresses get the same answer; only the known one gets a message.
        assert_eq!(request(shop, "nobody@example.com", "10.0.0.1").await.unwrap(), SENT);
        assert!(links(shop).await.is_empty(), "no message for an unknown address");
        assert_eq!(request(shop, &email.to_uppercase(), "10.0.0.1").await.unwrap(), SENT);
        assert_eq!(request(shop, email, "10.0.0.1").await.unwrap(), SENT);
        let tokens = links(shop).await;
        assert_eq!(tokens.len(), 2);
        let message = shop
            .notifications
            .list(500)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.kind == MessageKind::PasswordReset)
            .unwrap();
        assert_eq!(message.recipient, email);
        assert!(message.text_body.contains("/reset-password?token="), "{}", message.text_body);

        // A made-up link and a weak password are refused; nothing changes.
        let fake = "ab".repeat(32);
        assert!(reset(shop, &fake, "a long new passphrase 1").await.unwrap_err().field("token").is_some());
        assert!(reset(shop, &tokens[1], "short").await.unwrap_err().field("password").is_some());
        assert_eq!(app.get_as(&before, "/account").await.status, 200, "still signed in");

        // The link works once; the account is signed out everywhere; its other link dies too.
        reset(shop, &tokens[1], "a long new passphrase 1").await.unwrap();
        assert_ne!(app.get_as(&before, "/account").await.status, 200, "the old session ended");
        assert!(reset(shop, &tokens[1], "another long passphrase 2").await.unwrap_err().field("token").is_some());
        assert!(reset(shop, &tokens[0], "another long passphrase 2").await.unwrap_err().field("token").is_some());
        let res = app.post_form("/api/auth/login", &[], &[("email", email), ("password", old)]).await;
        assert!(res.session_cookie().is_none(), "the old password no longer works");
        assert!(app.login(email, "a long new passphrase 1").await.starts_with("mm_session="));
        app.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_throttled_without_locking_the_owner_out() {
    let app = support::spawn_app().await;
    let shop = &app.shop;
    let email = support::SHOPPER.0;
    // One inbox gets at most three links an hour, whoever asks; the answer never changes.
    for i in 0..6 {
        assert_eq!(request(shop, email, &format!("10.1.0.{i}")).await.unwrap(), SENT);
    }
    assert_eq!(links(shop).await.len() as i64, MAILS_PER_ACCOUNT);
    // A link past its hour changes nothing; within it, the links already sent keep working.
    let sent = links(shop).await;
    let later = app::services::Shop {
        clock: std::sync::Arc::new(app::services::clock::FixedClock::at(app::services::clock::now() + 3601)),
        ..shop.clone()
    };
    assert!(reset(&later, &sent[1], "another long passphrase 2").await.unwrap_err().field("token").is_some());
    reset(shop, &sent[1], "a long new passphrase 1").await.unwrap();
    // One address asking too often gets 429, for any email.
    for _ in 0..REQUESTS_PER_ADDRESS {
        request(shop, "someone@example.com", "10.2.0.1").await.unwrap();
    }
    let refused = request(shop, "other@example.com", "10.2.0.1").await.unwrap_err();
    assert!(matches!(refused, app::domain::errors::AppError::RateLimited(_)), "{refused:?}");
}
