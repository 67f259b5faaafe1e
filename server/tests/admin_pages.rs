//! The dashboard's Payments, Settings, Reviews, Users and Ranking pages over real HTTP on the demo
//! shop, on SQLite and PostgreSQL: manual capture (checkout only authorizes; the store captures its
//! own order once, even when the request is retried; a shared order is left to the marketplace;
//! another store cannot), a store's view of a shared payment (only its part's amount, captured,
//! refunded and status), store settings with field errors, a store's reviews only, user search,
//! and the ranking preview that saves nothing.
#[macro_use]
mod support;

use app::domain::admin_pages::{CaptureMode, PaymentList, PaymentRow, SettingsPage, StoreReviews, UserList};
use app::domain::errors::AppError;
use app::domain::ranking_preview::RankingPreview;
use server::store::Database;
use support::{ADMIN, OWNER_A, OWNER_B, SHOPPER, TestApp};

conformance!(multi_thread;
    manual_capture_is_taken_once_by_the_owning_store,
    a_shared_order_is_captured_by_the_marketplace_only,
    a_store_sees_only_its_part_of_a_shared_payment,
    store_settings_are_validated_and_saved,
    reviews_users_and_the_ranking_preview,
);

async fn app(db: Database) -> TestApp {
    support::spawn_app_on(db, app::services::AuthSettings::default()).await
}

async fn payments(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> PaymentList {
    app.call(cookie, "/api/admin/payments", form).await.ok()
}

async fn manual_capture_is_taken_once_by_the_owning_store(db: Database) {
    let app = app(db).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let other = app.login(OWNER_B.0, OWNER_B.1).await;

    // The marketplace switches to manual capture; checkout reads it on every order.
    let res = app.call(&admin, "/api/admin/settings/capture_mode", &[("mode", "later")]).await;
    assert!(res.err().field("mode").unwrap().contains("automatic"));
    app.call(&admin, "/api/admin/settings/capture_mode", &[("mode", "manual")]).await.ok::<()>();
    assert_eq!(app.shop.admin.capture_mode().await.unwrap(), CaptureMode::Manual);

    let number =
        app.paid_guest_order(vec![(app.variant_in_stock(OWNER_A.0, 5).await, 1)], "admin-pages-capture-1", true).await;
    let list = payments(&app, &owner, &[("status", "authorized")]).await;
    assert_eq!(list.capture_mode, CaptureMode::Manual);
    let row = list.page.rows.iter().find(|r| r.order_number == number).expect("the store sees its authorized payment");
    assert_eq!((row.captured_minor, row.store_count), (0, 1));
    assert_eq!(row.share_minor, row.amount_minor, "a single-store order is all the store's");

    // The Overview counts it among the store's open work.
    let dash: app::views::admin::Dashboard = app.call(&owner, "/api/admin/dashboard", &[]).await.ok();
    let todo = dash.todo.expect("a merchant's overview has its open work");
    assert_eq!(todo.to_capture, 1);
    assert!(todo.to_fulfil >= 1);
    let b: app::views::admin::Dashboard = app.call(&other, "/api/admin/dashboard", &[]).await.ok();
    assert_eq!(b.todo.unwrap().to_capture, 0, "store B has no part in it");

    // Store B has no part in the order: it answers like a missing payment.
    let denied = app
        .call(
            &other,
            "/api/admin/payments/capture",
            &[("order_number", &number), ("idempotency_key", "cap-key-b-0001")],
        )
        .await;
    assert!(matches!(denied.err(), AppError::NotFound(_)), "{}", denied.body);
    assert!(payments(&app, &other, &[]).await.page.rows.iter().all(|r| r.order_number != number));

    let form = [("order_number", number.as_str()), ("idempotency_key", "cap-key-a-0001")];
    let captured: PaymentRow = app.call(&owner, "/api/admin/payments/capture", &form).await.ok();
    assert_eq!(captured.status, app::domain::payment::PaymentStatus::Captured);
    assert_eq!(captured.captured_minor, captured.amount_minor);
    // A retried request (same key) answers the same and records nothing more.
    let again: PaymentRow = app.call(&owner, "/api/admin/payments/capture", &form).await.ok();
    assert_eq!(again.captured_minor, captured.amount_minor);
    let events = app
        .db
        .scalar_raw(&format!(
            "SELECT COUNT(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id JOIN orders o ON o.id = p.order_id
             WHERE o.number = '{number}' AND e.kind = 'capture'"
        ))
        .await
        .unwrap();
    assert_eq!(events, 1, "captured once");
    let dash: app::views::admin::Dashboard = app.call(&owner, "/api/admin/dashboard", &[]).await.ok();
    assert_eq!(dash.todo.unwrap().to_capture, 0);
    // A new key on a captured payment is refused with the reason.
    let res = app
        .call(
            &owner,
            "/api/admin/payments/capture",
            &[("order_number", &number), ("idempotency_key", "cap-key-a-0002")],
        )
        .await;
    assert!(res.err().to_string().contains("Only an authorized payment"), "{}", res.body);

    // Back to automatic: checkout captures at once again.
    app.call(&admin, "/api/admin/settings/capture_mode", &[("mode", "automatic")]).await.ok::<()>();
    let paid =
        app.paid_guest_order(vec![(app.variant_in_stock(OWNER_A.0, 5).await, 1)], "admin-pages-capture-2", false).await;
    let list = payments(&app, &owner, &[]).await;
    let row = list.page.rows.iter().find(|r| r.order_number == paid).unwrap();
    assert_eq!(row.captured_minor, row.amount_minor);
}

async fn a_shared_order_is_captured_by_the_marketplace_only(db: Database) {
    let app = app(db).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let (va, vb) = (app.variant_in_stock(OWNER_A.0, 5).await, app.variant_in_stock(OWNER_B.0, 5).await);
    let number = app.paid_guest_order(vec![(va, 1), (vb, 2)], "admin-pages-shared-1", true).await;

    let list = payments(&app, &owner, &[]).await;
    let row = list.page.rows.iter().find(|r| r.order_number == number).unwrap();
    assert_eq!(row.store_count, 2);
    // The store's row carries only its part (the whole order's figures are the marketplace's).
    let part_a = part_total(&app, &number, OWNER_A.0).await;
    assert_eq!((row.amount_minor, row.share_minor), (part_a, part_a), "store A's row is only its part");
    let form = [("order_number", number.as_str()), ("idempotency_key", "cap-shared-a-01")];
    let res = app.call(&owner, "/api/admin/payments/capture", &form).await;
    assert!(res.err().to_string().contains("2 stores"), "{}", res.body);

    // The platform admin's marketplace view lists every payment and captures the whole order.
    let all = payments(&app, &admin, &[("status", "authorized")]).await;
    assert_eq!(all.merchant_id, None);
    let whole = all.page.rows.iter().find(|r| r.order_number == number).unwrap();
    assert_eq!(whole.share_minor, whole.amount_minor);
    let form = [("order_number", number.as_str()), ("idempotency_key", "cap-shared-admin1")];
    let captured: PaymentRow = app.call(&admin, "/api/admin/payments/capture", &form).await.ok();
    assert_eq!(captured.captured_minor, captured.amount_minor);
    // The Payments page renders it for the store, status and all.
    let page = app.get_as(&owner, "/admin/payments").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&number) && page.body.contains("data-testid=\"payment-row\""));
}

/// The total of `owner`'s store's part of order `number`.
async fn part_total(app: &TestApp, number: &str, owner: &str) -> i64 {
    let store = app.store_of(owner).await;
    app.db
        .scalar_raw(&format!(
            "SELECT p.total_minor FROM order_parts p JOIN orders o ON o.id = p.order_id
             WHERE o.number = '{number}' AND p.merchant_id = {store}"
        ))
        .await
        .unwrap()
}

/// The HTML of order `number`'s row on a Payments page.
fn payment_row_html<'a>(html: &'a str, number: &str) -> &'a str {
    let (_, rest) = html.split_once(&format!("data-order=\"{number}\"")).expect("the order has a row");
    rest.split_once("</tr>").map(|(row, _)| row).unwrap_or(rest)
}

async fn a_store_sees_only_its_part_of_a_shared_payment(db: Database) {
    use app::domain::money::Money;
    use app::domain::payment::PaymentStatus;
    let app = app(db).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let owner_a = app.login(OWNER_A.0, OWNER_A.1).await;
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
    let (va, vb) = (app.variant_in_stock(OWNER_A.0, 5).await, app.variant_in_stock(OWNER_B.0, 5).await);
    // Captured at checkout (automatic capture, the default).
    let number = app.paid_guest_order(vec![(va, 1), (vb, 2)], "admin-pages-parts-1", false).await;
    let (part_a, part_b) = (part_total(&app, &number, OWNER_A.0).await, part_total(&app, &number, OWNER_B.0).await);
    let total = app.db.scalar_raw(&format!("SELECT total_minor FROM orders WHERE number = '{number}'")).await.unwrap();
    assert_eq!(part_a + part_b, total);
    assert_ne!(part_a, part_b, "the test needs parts that tell apart");

    let row_of = |list: PaymentList| list.page.rows.into_iter().find(|r| r.order_number == number);
    let a = row_of(payments(&app, &owner_a, &[]).await).expect("store A lists the shared order");
    assert_eq!(a.store_count, 2);
    assert_eq!((a.amount_minor, a.captured_minor, a.refunded_minor, a.share_minor), (part_a, part_a, 0, part_a));
    assert_eq!(a.status, PaymentStatus::Captured);
    let b = row_of(payments(&app, &owner_b, &[]).await).expect("store B lists it too");
    assert_eq!((b.amount_minor, b.captured_minor), (part_b, part_b));
    let whole = row_of(payments(&app, &admin, &[]).await).expect("the marketplace lists it");
    assert_eq!((whole.amount_minor, whole.captured_minor, whole.share_minor), (total, total, total));
    // The page shows store A its part and neither store B's part nor the order's total.
    let money = |minor| Money::new(minor, a.currency).to_string();
    let page = app.get_as(&owner_a, "/admin/payments").await;
    assert_eq!(page.status, 200);
    let html = payment_row_html(&page.body, &number);
    assert!(html.contains(&money(part_a)), "{html}");
    assert!(!html.contains(&money(part_b)) && !html.contains(&money(total)), "another store's money: {html}");
    let page = app.get_as(&admin, "/admin/payments").await;
    assert!(payment_row_html(&page.body, &number).contains(&money(total)), "the marketplace sees the whole payment");

    // Store B cancels its part (refunded in full): the payment is partially refunded, but that is
    // B's money.
    let cancel = [("number", number.as_str()), ("reason", "Out of stock"), ("idempotency_key", "parts-cancel-b-01")];
    let res = app.call(&owner_b, "/api/admin/order/cancel", &cancel).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let a = row_of(payments(&app, &owner_a, &[]).await).unwrap();
    assert_eq!((a.status, a.refunded_minor), (PaymentStatus::Captured, 0), "B's refund is not A's");
    assert!(row_of(payments(&app, &owner_a, &[("status", "captured")]).await).is_some(), "filtered as shown");
    assert!(row_of(payments(&app, &owner_a, &[("status", "partially_refunded")]).await).is_none());
    let b = row_of(payments(&app, &owner_b, &[("status", "refunded")]).await).expect("B's part is refunded");
    assert_eq!(b.refunded_minor, part_b);
    let whole = row_of(payments(&app, &admin, &[]).await).unwrap();
    assert_eq!((whole.status, whole.refunded_minor), (PaymentStatus::PartiallyRefunded, part_b));
    let html = app.get_as(&owner_a, "/admin/payments").await.body;
    assert!(!payment_row_html(&html, &number).contains(&money(part_b)), "B's refund is not shown to A");
}

async fn store_settings_are_validated_and_saved(db: Database) {
    let app = app(db).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let other = app.login(OWNER_B.0, OWNER_B.1).await;
    let a = app.store_of(OWNER_A.0).await.to_string();

    let page: SettingsPage = app.call(&owner, "/api/admin/settings", &[]).await.ok();
    let before = page.store.unwrap();
    assert_eq!(page.capture_mode, None, "only the platform admin sees the marketplace's settings");

    let bad = [("name", " "), ("description", "Linen"), ("support_email", "help at northwind")];
    let e = app.call(&owner, "/api/admin/settings/store", &bad).await.err();
    assert!(e.field("name").is_some() && e.field("support_email").is_some(), "{e:?}");
    let unchanged: SettingsPage = app.call(&owner, "/api/admin/settings", &[]).await.ok();
    assert_eq!(unchanged.store.unwrap().name, before.name, "nothing written");

    // Store B cannot rename store A.
    let res = app
        .call(
            &other,
            "/api/admin/settings/store",
            &[("merchant_id", &a), ("name", "Taken Over"), ("description", ""), ("support_email", "")],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);

    let good = [
        ("name", "Northwind Home & Linen"),
        ("description", "Linen, lamps."),
        ("support_email", " Help@Northwind.TEST "),
    ];
    app.call(&owner, "/api/admin/settings/store", &good).await.ok::<()>();
    let after: SettingsPage = app.call(&owner, "/api/admin/settings", &[]).await.ok();
    let s = after.store.unwrap();
    assert_eq!((s.name.as_str(), s.support_email.as_str()), ("Northwind Home & Linen", "help@northwind.test"));
    let html = app.get_as(&owner, "/admin/settings").await;
    assert!(html.body.contains("Northwind Home &amp; Linen"), "escaped in the page");
}

async fn reviews_users_and_the_ranking_preview(db: Database) {
    let app = app(db).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let shopper = app.login(SHOPPER.0, SHOPPER.1).await;
    let a = app.store_of(OWNER_A.0).await;

    // Reviews: only the store's own products; a review answered leaves "Waiting for a reply".
    // (`total` is the store's review count whatever the filter: the list no longer counts rows.)
    let all: StoreReviews = app.call(&owner, "/api/admin/reviews", &[]).await.ok();
    let expected = app
        .db
        .scalar_raw(&format!(
            "SELECT COUNT(*) FROM product_reviews r JOIN products p ON p.id = r.product_id WHERE p.merchant_id = {a}"
        ))
        .await
        .unwrap();
    assert_eq!(all.total, expected);
    assert!(all.total > 0, "the demo shop has reviews of store A");
    let open: StoreReviews = app.call(&owner, "/api/admin/reviews", &[("unanswered", "true")]).await.ok();
    assert!(open.page.rows.iter().all(|r| r.reply.is_none()));
    if let Some(first) = open.page.rows.first() {
        let id = first.id.to_string();
        app.call(&owner, "/api/reviews/reply", &[("review_id", &id), ("reply", "Thank you!")]).await.ok::<()>();
        let after: StoreReviews = app.call(&owner, "/api/admin/reviews", &[("unanswered", "true")]).await.ok();
        assert!(after.page.rows.iter().all(|r| r.id != first.id), "the answered review left the filter");
        // The page of All that starts at that review.
        let from = (first.id + 1).to_string();
        let all: StoreReviews = app.call(&owner, "/api/admin/reviews", &[("before", &from)]).await.ok();
        let answered = all.page.rows.iter().find(|r| r.id == first.id).expect("still listed under All");
        assert_eq!(answered.reply.as_deref(), Some("Thank you!"));
    }
    assert_eq!(app.call(&shopper, "/api/admin/reviews", &[]).await.status, 403);

    // Users: by part of the email, case-insensitive, with the role's store.
    let found: UserList = app.call(&admin, "/api/admin/users", &[("q", "NORTHWIND")]).await.ok();
    assert!(found.total >= 1);
    assert!(
        found.rows.iter().all(|u| u.email.contains("northwind") || u.display_name.to_lowercase().contains("northwind"))
    );
    assert!(found.rows.iter().any(|u| u.store_role.map(|r| r.as_str()) == Some("owner")));
    let none: UserList = app.call(&admin, "/api/admin/users", &[("q", "%")]).await.ok();
    assert_eq!(none.total, 0, "a LIKE wildcard is taken literally");

    // Ranking preview: the saved weights change nothing; freshness only reorders; nothing saved.
    let saved = app.shop.catalog.ranking_weights().await.unwrap();
    let w = |s: app::domain::ranking::Signal| saved.get(s).to_string();
    use app::domain::ranking::Signal as S;
    let same = [
        ("q", "lamp".to_string()),
        ("text_relevance", w(S::TextRelevance)),
        ("rating", w(S::Rating)),
        ("sales", w(S::Sales)),
        ("freshness", w(S::Freshness)),
        ("availability", w(S::Availability)),
        ("affinity", w(S::Affinity)),
    ];
    let form: Vec<(&str, &str)> = same.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p: RankingPreview = app.call(&admin, "/api/admin/ranking_preview", &form).await.ok();
    assert!(!p.rows.is_empty());
    assert_eq!(p.changed, 0);
    let fresh = [
        ("q", "lamp"),
        ("text_relevance", "0"),
        ("rating", "10"),
        ("sales", "0"),
        ("freshness", "0"),
        ("availability", "0"),
        ("affinity", "0"),
    ];
    let p: RankingPreview = app.call(&admin, "/api/admin/ranking_preview", &fresh).await.ok();
    assert!(p.rows.windows(2).all(|w| w[0].score_after >= w[1].score_after), "best first by the proposed weights");
    assert_eq!(app.shop.catalog.ranking_weights().await.unwrap(), saved, "a preview saves nothing");
    let bad = [
        ("q", "lamp"),
        ("text_relevance", "-1"),
        ("rating", "1"),
        ("sales", "1"),
        ("freshness", "1"),
        ("availability", "1"),
        ("affinity", "1"),
    ];
    assert!(app.call(&admin, "/api/admin/ranking_preview", &bad).await.err().field("text_relevance").is_some());
    let html = app.get_as(&admin, "/admin/ranking?q=lamp&rating=10&text_relevance=0").await;
    assert_eq!(html.status, 200);
    assert!(html.body.contains("data-testid=\"preview-row\""), "the preview renders without JavaScript");
}
