//! Stripe Checkout end to end against `fake-stripe` (a local fake of Stripe's API, hosted page and
//! signed webhooks), on SQLite and PostgreSQL: the shopper is sent to the provider's page, pays
//! there, and the order becomes paid whether the webhook arrives before the browser comes back,
//! after it, or twice; a declined card keeps the order waiting, an abandoned session gives the
//! stock back; refunds, captures and late payments reach the provider once.
mod support;

use app::services::checkout::{CheckoutOutcome, place_order};
use app::services::fulfilment::{CancelRequest, cancel_part};
use fake_stripe::{FakeConfig, FakeStripe, WebhookMode};
use server::store::Database;
use support::{TestApp, guest_checkout};

const SECRET_KEY: &str = "sk_test_fake_0123456789abcdefghij";
const WEBHOOK_SECRET: &str = "whsec_fake_0123456789abcdefghij";

struct Fixture {
    app: TestApp,
    fake: FakeStripe,
    http: reqwest::Client,
}

/// The app on `db` taking payments through Stripe, pointed at a fresh fake whose webhooks come
/// to the app's `/webhooks/payments`.
async fn fixture(db: Database, manual_capture: bool) -> Fixture {
    let fake = FakeStripe::spawn(FakeConfig {
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        webhook_url: None,
    })
    .await;
    let base = fake.base_url.clone();
    let app = support::spawn_app_shaped(db, Default::default(), move |shop, addr| {
        let config = server::stripe::StripeConfig {
            secret_key: SECRET_KEY.into(),
            webhook_secret: WEBHOOK_SECRET.into(),
            api_base: base.clone(),
            checkout_origin: base,
            public_url: format!("http://{addr}"),
        };
        let mut shop = shop;
        shop.gateway = std::sync::Arc::new(server::stripe::Stripe::new(config).unwrap());
        shop
    })
    .await;
    fake.set_webhook_url(Some(format!("http://{}/webhooks/payments", app.addr)));
    if manual_capture {
        app_services_capture_mode(&app, "manual").await;
    }
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Fixture { app, fake, http }
}

async fn app_services_capture_mode(app: &TestApp, mode: &str) {
    app::services::payments::set_capture_mode(&app.shop, mode).await.unwrap();
}

impl Fixture {
    /// Checks out one unit of a variant as a guest; answers (variant, order number, payment page).
    async fn checkout(&self, key: &str) -> (i64, String, String) {
        let variant = self.app.variant_in_stock(support::OWNER_A.0, 3).await;
        let manual = app::services::payments::capture_mode(&self.app.shop).await.unwrap()
            == app::domain::admin_pages::CaptureMode::Manual;
        // No card: the provider's page takes it.
        let mut req = guest_checkout(vec![(variant, 1)], "", key, app::services::clock::now(), random(key));
        req.manual_capture = manual;
        let shop = &self.app.shop;
        let settings = app::services::checkout::CheckoutSettings::default();
        match place_order(shop.orders.as_ref(), shop.gateway.as_ref(), &settings, req).await.unwrap() {
            CheckoutOutcome::Redirect { number, url } => (variant, number, url),
            other => panic!("expected the provider's page, got {other:?}"),
        }
    }

    /// Pays on the fake's hosted page; answers the status and the redirect's Location.
    async fn pay(&self, page: &str, card: &str) -> (u16, String) {
        let res = self.http.post(page).form(&[("card_number", card)]).send().await.unwrap();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        (res.status().as_u16(), location)
    }

    /// The browser coming back: the app's path of `location`.
    async fn come_back(&self, location: &str) -> support::Response {
        let path = location.split_once(&self.app.addr.to_string()).map(|(_, p)| p.to_string()).unwrap();
        self.app.get(&path).await
    }

    async fn scalar(&self, sql: &str) -> i64 {
        self.app.db.scalar_raw(sql).await.unwrap()
    }

    /// The order's stored status ("awaiting_payment", "paid", …).
    async fn order_status(&self, number: &str) -> String {
        let row = self.app.shop.orders.hosted_payment(number).await.unwrap().unwrap();
        row.order_status.as_str().to_string()
    }

    async fn events(&self, number: &str) -> i64 {
        self.scalar(&format!(
            "SELECT COUNT(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id
             JOIN orders o ON o.id = p.order_id WHERE o.number = '{number}'"
        ))
        .await
    }

    async fn stock(&self, variant: i64) -> i64 {
        self.scalar(&format!("SELECT stock FROM product_variants WHERE id = {variant}")).await
    }

    /// Calls to the fake's API on `path` (prefix) that did something (not replays).
    fn calls(&self, method: &str, path: &str) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(path) && r.status < 300 && !r.idempotent_replayed)
            .count()
    }
}

fn random(key: &str) -> [u8; 8] {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    (nanos ^ key.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))).to_le_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_before_the_redirect_after_it_and_twice_all_pay_the_order_once() {
    for db in support::engines().await {
        let f = fixture(db, false).await;
        let mut delivered = 0;
        for (mode, key) in [
            (WebhookMode::BeforeRedirect, "stripe-before-0001"),
            (WebhookMode::AfterRedirect, "stripe-after-00001"),
            (WebhookMode::Twice, "stripe-twice-00001"),
        ] {
            f.fake.set_webhook_mode(mode);
            let (variant, number, page) = f.checkout(key).await;
            assert!(page.starts_with(&f.fake.base_url), "sent to the provider's page: {page}");
            assert_eq!(f.order_status(&number).await, "awaiting_payment", "{mode:?}: not paid before paying");
            let reserved = f.stock(variant).await;

            // A retried checkout (same key) goes to the same page and creates no second session.
            let again = f.checkout(key).await;
            assert_eq!((again.1.as_str(), again.2.as_str()), (number.as_str(), page.as_str()), "{mode:?}");

            let (status, location) = f.pay(&page, "4242 4242 4242 4242").await;
            assert_eq!(status, 303, "{mode:?}");
            assert!(location.contains("/api/checkout/return?session_id=cs_"), "{location}");
            if mode != WebhookMode::AfterRedirect {
                assert_eq!(f.order_status(&number).await, "paid", "{mode:?}: the webhook paid it before the return");
            }
            let back = f.come_back(&location).await;
            assert!(matches!(back.status, 302 | 303), "{mode:?}: {} {}", back.status, back.body);
            assert_eq!(back.header("location"), Some(format!("/orders/{number}").as_str()), "{mode:?}");
            assert_eq!(f.order_status(&number).await, "paid", "{mode:?}");
            // The late webhook arrives (and finds the order paid already).
            delivered += if mode == WebhookMode::Twice { 2 } else { 1 };
            for _ in 0..50 {
                if f.fake.deliveries().len() >= delivered {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            // Authorization + capture, once, whichever order they came in.
            assert_eq!(f.events(&number).await, 2, "{mode:?}: settled once");
            assert_eq!(f.stock(variant).await, reserved, "{mode:?}: the stock stays sold");
            let captured = f
                .scalar(&format!(
                    "SELECT p.captured_minor FROM payments p JOIN orders o ON o.id = p.order_id
                     WHERE o.number = '{number}' AND p.status = 'captured'"
                ))
                .await;
            let total = f.scalar(&format!("SELECT total_minor FROM orders WHERE number = '{number}'")).await;
            assert_eq!(captured, total, "{mode:?}");
            // One confirmation to the shopper and one new-order mail to the store, however many
            // reports came.
            for kind in ["order_confirmation", "new_order"] {
                let queued = f
                    .scalar(&format!(
                        "SELECT COUNT(*) FROM outbox WHERE kind = '{kind}' AND dedupe_key LIKE '%{number}%'"
                    ))
                    .await;
                assert_eq!(queued, 1, "{mode:?} {kind}");
            }
        }
        assert_eq!(f.calls("POST", "/v1/checkout/sessions"), 3, "one session per checkout, retries included");
        let deliveries = f.fake.deliveries();
        assert!(deliveries.iter().all(|d| d.status == 200), "{deliveries:?}");
        assert_eq!(deliveries.len(), 4, "once, once (after), twice: {deliveries:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_keeps_the_order_waiting_and_an_abandoned_one_gives_the_stock_back() {
    for db in support::engines().await {
        let f = fixture(db, false).await;
        let (variant, number, page) = f.checkout("stripe-declined-001").await;
        let reserved = f.stock(variant).await;
        let (status, _) = f.pay(&page, "4000 0000 0000 0002").await;
        assert_eq!(status, 402, "the provider's page says the card was declined");
        assert_eq!(f.order_status(&number).await, "awaiting_payment", "the shopper may try another card");
        assert_eq!(f.fake.deliveries().len(), 0);

        // The shopper gives up; the session ends (here: closed at once through the API, as the
        // provider does when it runs out) and its webhook gives the stock back.
        let id = page.rsplit('/').next().unwrap();
        let res = f
            .http
            .post(format!("{}/v1/checkout/sessions/{id}/expire", f.fake.base_url))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        for _ in 0..50 {
            if f.order_status(&number).await != "awaiting_payment" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(f.order_status(&number).await, "payment_failed");
        assert_eq!(f.stock(variant).await, reserved + 1, "the stock is back on sale");

        // With no webhook at all, the reservation window still gives the stock back.
        f.fake.set_webhook_mode(WebhookMode::Never);
        let (variant, number, _) = f.checkout("stripe-abandoned-01").await;
        let held = f.stock(variant).await;
        let now = app::services::clock::now();
        assert_eq!(f.app.shop.orders.release_expired(now + 60).await.unwrap(), 0, "still within the window");
        let window = app::domain::hosted_payment::session_window(now, 15 * 60).1 - now;
        assert!(f.app.shop.orders.release_expired(now + window + 1).await.unwrap() >= 1);
        assert_eq!(f.order_status(&number).await, "expired");
        assert_eq!(f.stock(variant).await, held + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_and_captures_reach_the_provider_once() {
    for db in support::engines().await {
        // Automatic capture: "cancel and refund" pressed twice (one idempotency key) refunds once.
        let f = fixture(db, false).await;
        let (_, number, page) = f.checkout("stripe-refund-0001").await;
        let (_, location) = f.pay(&page, "4242424242424242").await;
        f.come_back(&location).await;
        let merchant = f.app.shop.orders.order(&number).await.unwrap().unwrap().order.parts[0].merchant_id;
        let cancel = || CancelRequest {
            reason: "Out of stock".into(),
            idempotency_key: Some("cancel-press-00001".into()),
            now: app::services::clock::now(),
        };
        let shop = &f.app.shop;
        let first =
            cancel_part(shop.fulfilment.as_ref(), shop.gateway.as_ref(), &number, merchant, cancel()).await.unwrap();
        let second =
            cancel_part(shop.fulfilment.as_ref(), shop.gateway.as_ref(), &number, merchant, cancel()).await.unwrap();
        assert_eq!(first, second, "the second press answers like the first");
        let refund = first.refund.expect("the captured money is refunded");
        assert_eq!(refund.status, "succeeded");
        assert_eq!(f.calls("POST", "/v1/refunds"), 1, "one refund at the provider");
        let res = f.http.get(format!("{}/v1/refunds", f.fake.base_url)).bearer_auth(SECRET_KEY).send().await.unwrap();
        let list: serde_json::Value = res.json().await.unwrap();
        let refunded: i64 = list["data"].as_array().unwrap().iter().map(|r| r["amount"].as_i64().unwrap()).sum();
        assert_eq!(refunded, refund.amount.minor, "the provider refunded what the dashboard says");

        // Manual capture: paid means authorized; the Payments page's capture takes it once.
        let g = fixture(support::sqlite().await, true).await;
        let (_, number, page) = g.checkout("stripe-manual-00001").await;
        let (_, location) = g.pay(&page, "4242424242424242").await;
        g.come_back(&location).await;
        assert_eq!(g.order_status(&number).await, "paid");
        let authorized = g
            .scalar(&format!(
                "SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id
                 WHERE o.number = '{number}' AND p.status = 'authorized'"
            ))
            .await;
        assert_eq!(authorized, 1, "held, not taken");
        for _ in 0..2 {
            app::services::payments::capture(&g.app.shop, None, true, &number, "capture-press-0001").await.unwrap();
        }
        assert_eq!(g.calls("POST", "/v1/payment_intents/"), 1, "one capture at the provider");
        let captured = g
            .scalar(&format!(
                "SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id
                 WHERE o.number = '{number}' AND p.status = 'captured'"
            ))
            .await;
        assert_eq!(captured, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_after_the_reservation_ran_out_is_refunded_at_the_provider() {
    let f = fixture(support::sqlite().await, false).await;
    let (variant, number, page) = f.checkout("stripe-late-000001").await;
    let held = f.stock(variant).await;
    let now = app::services::clock::now();
    f.app.shop.orders.release_expired(now + 24 * 3600).await.unwrap();
    assert_eq!(f.order_status(&number).await, "expired");
    let (status, location) = f.pay(&page, "4242424242424242").await;
    assert_eq!(status, 303);
    let back = f.come_back(&location).await;
    assert_eq!(back.header("location"), Some("/checkout?payment=failed"), "{}", back.body);
    assert_eq!(f.order_status(&number).await, "expired", "never paid: its stock went back on sale");
    assert_eq!(f.stock(variant).await, held + 1);
    assert_eq!(f.calls("POST", "/v1/refunds"), 1, "the money went back once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_must_be_signed_recent_and_are_acted_on_once() {
    let f = fixture(support::sqlite().await, false).await;
    let url = format!("http://{}/webhooks/payments", f.app.addr);
    let body = r#"{"id":"evt_test_1","object":"event","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#;
    let now = app::services::clock::now();
    let post = |signature: Option<String>| {
        let mut req = f.http.post(&url).header("content-type", "application/json").body(body);
        if let Some(s) = signature {
            req = req.header("Stripe-Signature", s);
        }
        req.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 401, "unsigned");
    assert_eq!(
        post(Some(fake_stripe::sign("whsec_wrong_secret_000000", now, body.as_bytes()))).await.unwrap().status(),
        401
    );
    let stale = fake_stripe::sign(WEBHOOK_SECRET, now - 3600, body.as_bytes());
    assert_eq!(post(Some(stale)).await.unwrap().status(), 401, "a replay an hour later");
    let good = fake_stripe::sign(WEBHOOK_SECRET, now, body.as_bytes());
    let first = post(Some(good.clone())).await.unwrap();
    assert_eq!(first.status(), 200);
    assert!(first.text().await.unwrap().contains("ignored"));
    let again = post(Some(good)).await.unwrap();
    assert_eq!(again.status(), 200);
    assert!(again.text().await.unwrap().contains("duplicate"), "the same event id is acted on once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_naming_no_session_changes_nothing_and_sends_the_browser_to_the_checkout() {
    let f = fixture(support::sqlite().await, false).await;
    for id in ["cs_test_nosuchsession0000", "cs_test_../../v1/refunds", "x"] {
        let res = f.app.get(&format!("/api/checkout/return?session_id={}", support::encode(id))).await;
        assert_eq!(res.status, 302, "{id}: {}", res.body);
        assert_eq!(res.header("location"), Some("/checkout?payment=unconfirmed"), "{id}");
    }
    assert_eq!(f.calls("POST", "/v1/"), 0, "nothing was asked of the provider but reads");
}

/// Signed (so past the signature check) bodies that are wrong in every way a parser can meet, and
/// session ids that are not: never a 5xx, and no order changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_signed_webhooks_never_answer_5xx() {
    let f = fixture(support::sqlite().await, false).await;
    let (_, number, _) = f.checkout("stripe-hostile-0001").await;
    let now = app::services::clock::now();
    let long = "é".repeat(5000);
    let bodies = [
        String::new(),
        "null".into(),
        "[]".into(),
        "{\"id\":1e308,\"type\":[],\"data\":null}".into(),
        "{\"id\":\"evt_h1\",\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"object\":\"checkout.session\",\"id\":\"../../v1/refunds\"}}}".into(),
        format!("{{\"id\":\"evt_h2\",\"type\":\"checkout.session.completed\",\"data\":{{\"object\":{{\"object\":\"checkout.session\",\"id\":\"{long}\"}}}}}}"),
        "{\"id\":\"evt_h3\",\"type\":\"checkout.session.expired\",\"data\":{\"object\":{\"object\":\"checkout.session\",\"id\":\"cs_test_nosuchsession0000\"}}}".into(),
        "{\"id\":\"\u{0}\",\"type\":\"\u{0}\",\"data\":{\"object\":{\"object\":\"checkout.session\",\"id\":null}}}".into(),
    ];
    let url = format!("http://{}/webhooks/payments", f.app.addr);
    for body in &bodies {
        let sig = fake_stripe::sign(WEBHOOK_SECRET, now, body.as_bytes());
        for signature in [Some(sig.as_str()), None, Some("t=1,v1=zz"), Some("t=,v1=,v1=\u{e9}")] {
            let mut req = f.http.post(&url).body(body.clone());
            if let Some(s) = signature {
                req = req.header("Stripe-Signature", s);
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert!(status < 500, "{body:?} with {signature:?}: {status}");
        }
    }
    assert_eq!(f.order_status(&number).await, "awaiting_payment", "nothing changed the waiting order");
}
