//! End-to-end checks of the fake over real HTTP: the API, the hosted page and webhooks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use fake_stripe::{FakeConfig, FakeStripe, WebhookMode};
use serde_json::Value;

const KEY: &str = "sk_test_fake_0123456789abcdef";
const WHSEC: &str = "whsec_test_secret";

/// What the test's webhook receiver got: (headers, body) per POST.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, Bytes)>>>);

impl Received {
    fn all(&self) -> Vec<(HeaderMap, Bytes)> {
        self.0.lock().unwrap().clone()
    }
}

/// A tiny webhook endpoint on a free port, answering 200 to everything.
async fn receiver() -> (String, Received) {
    let received = Received::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
            sink.0.lock().unwrap().push((headers, body));
            "ok"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

struct Harness {
    fake: FakeStripe,
    http: reqwest::Client,
    received: Received,
}

impl Harness {
    async fn new() -> Harness {
        let (url, received) = receiver().await;
        let fake = FakeStripe::spawn(FakeConfig {
            secret_key: KEY.into(),
            webhook_secret: WHSEC.into(),
            webhook_url: Some(url),
        })
        .await;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap();
        Harness { fake, http, received }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.base_url)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.unwrap();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        (status, headers, json)
    }

    async fn post_with(&self, path: &str, params: &[(&str, &str)], key: Option<&str>) -> (u16, HeaderMap, Value) {
        let mut req = self
            .http
            .post(self.url(path))
            .bearer_auth(KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(params).unwrap());
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        self.send(req).await
    }

    async fn post(&self, path: &str, params: &[(&str, &str)]) -> (u16, Value) {
        let (s, _, v) = self.post_with(path, params, None).await;
        (s, v)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.send(self.http.get(self.url(path)).bearer_auth(KEY)).await;
        (s, v)
    }

    /// A $39.98 session (2 × $19.99) with the given extra params.
    async fn session(&self, extra: &[(&str, &str)]) -> Value {
        let mut params = vec![
            ("mode", "payment"),
            ("success_url", "http://shop.test/checkout/done?session_id={CHECKOUT_SESSION_ID}"),
            ("cancel_url", "http://shop.test/cart"),
            ("client_reference_id", "order-A1"),
            ("customer_email", "ada<x>@example.com"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "1999"),
            ("line_items[0][price_data][product_data][name]", "Tea <b>pot</b>"),
            ("line_items[0][quantity]", "2"),
            ("metadata[order]", "A1"),
            ("payment_intent_data[metadata][order]", "A1"),
        ];
        params.extend_from_slice(extra);
        let (status, body) = self.post("/v1/checkout/sessions", &params).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn pay(&self, session_id: &str, card: &str) -> (u16, Option<String>, String) {
        let resp = self
            .http
            .post(self.url(&format!("/pay/{session_id}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("card_number", card), ("expiry", "12 / 34"), ("cvc", "123")]).unwrap())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        (status, location, resp.text().await.unwrap())
    }

    /// Polls (up to 3 s, in 50 ms steps) until the receiver holds `n` posts.
    async fn wait_for_posts(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        for _ in 0..60 {
            if self.received.all().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received.all()
    }
}

fn error_of(body: &Value) -> (&str, &str, &str) {
    let e = &body["error"];
    (e["type"].as_str().unwrap_or(""), e["code"].as_str().unwrap_or(""), e["param"].as_str().unwrap_or(""))
}

/// Verifies a `Stripe-Signature` header the way a receiver must: recompute with its `t`.
fn verify(headers: &HeaderMap, body: &[u8]) -> Value {
    let header = headers["stripe-signature"].to_str().unwrap();
    let t: i64 = header.split(',').find_map(|p| p.strip_prefix("t=")).unwrap().parse().unwrap();
    assert_eq!(header, FakeStripe::sign(WHSEC, t, body), "signature must verify");
    assert_ne!(header, FakeStripe::sign("whsec_wrong", t, body));
    assert_eq!(headers["content-type"].to_str().unwrap().split(';').next(), Some("application/json"));
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn requires_the_api_key_and_validates_params() {
    let h = Harness::new().await;
    let path = "/v1/checkout/sessions";
    let (status, _, body) = h.send(h.http.post(h.url(path)).body("mode=payment")).await;
    assert_eq!(status, 401);
    assert_eq!(error_of(&body).0, "invalid_request_error");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("You did not provide an API key."));

    let (status, _, body) = h.send(h.http.post(h.url(path)).bearer_auth("sk_test_wrongwrongwrong9876")).await;
    assert_eq!(status, 401);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Invalid API Key provided: sk_test_*") && message.ends_with("9876"), "{message}");
    assert!(!message.contains("wrongwrong"), "the key must be masked: {message}");

    let (status, body) = h.post(path, &[("success_url", "http://shop.test/ok")]).await;
    assert_eq!((status, error_of(&body)), (400, ("invalid_request_error", "parameter_missing", "mode")));
    let (status, body) = h.post(path, &[("mode", "bogus")]).await;
    assert_eq!((status, error_of(&body).2), (400, "mode"));
    let (status, body) = h.post(path, &[("mode", "payment")]).await;
    assert_eq!((status, error_of(&body).2), (400, "success_url"));
    let (status, body) = h.post(path, &[("mode", "payment"), ("sucess_url", "x")]).await;
    assert_eq!((status, error_of(&body).1), (400, "parameter_unknown"));

    let soon =
        (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 600).to_string();
    let (status, body) = h
        .post(
            path,
            &[
                ("mode", "payment"),
                ("success_url", "http://shop.test/ok"),
                ("expires_at", &soon),
                ("line_items[0][price_data][currency]", "usd"),
                ("line_items[0][price_data][unit_amount]", "1999"),
                ("line_items[0][price_data][product_data][name]", "Tea"),
                ("line_items[0][quantity]", "1"),
            ],
        )
        .await;
    assert_eq!((status, error_of(&body).2), (400, "expires_at"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("30 minutes"));

    let (status, body) = h.get("/v1/checkout/sessions/cs_test_nope").await;
    assert_eq!((status, error_of(&body).1), (404, "resource_missing"));
    let (status, body) = h.get("/v1/payment_intents/pi_nope").await;
    assert_eq!((status, error_of(&body).1), (404, "resource_missing"));
    let (status, _) = h.get("/v1/customers").await;
    assert_eq!(status, 404);
    assert!(h.fake.requests().iter().any(|r| r.status == 401 && r.path == path));
}

#[tokio::test]
async fn pays_on_the_hosted_page_and_delivers_one_signed_event() {
    let h = Harness::new().await;
    let session = h.session(&[]).await;
    let id = session["id"].as_str().unwrap();
    assert!(id.starts_with("cs_test_") && id.len() >= 32, "{id}");
    assert_eq!(session["object"], "checkout.session");
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["amount_total"], 3998);
    assert_eq!(session["currency"], "usd");
    assert_eq!(session["metadata"]["order"], "A1");
    assert_eq!(session["payment_intent"], Value::Null);
    assert_eq!(session["url"], format!("{}/pay/{id}", h.fake.base_url));
    let (status, fetched) = h.get(&format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!((status, &fetched), (200, &session));

    let page = h.http.get(session["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("39.98 USD") && page.contains("name=\"card_number\"") && page.contains(">Pay</button>"));
    assert!(page.contains("ada&lt;x&gt;@example.com") && page.contains("Tea &lt;b&gt;pot&lt;/b&gt;"), "escaped");
    assert!(page.contains("href=\"http://shop.test/cart\">Cancel and return"));

    let (status, _, page) = h.pay(id, "4000 0000 0000 0002").await;
    assert_eq!(status, 402);
    assert!(page.contains("Your card was declined."));
    let (status, _, page) = h.pay(id, "").await;
    assert_eq!(status, 400);
    assert!(page.contains("Enter a card number."));
    assert_eq!(h.get(&format!("/v1/checkout/sessions/{id}")).await.1["status"], "open");
    assert!(h.fake.deliveries().is_empty() && h.received.all().is_empty());

    let (status, location, _) = h.pay(id, "4242 4242 4242 4242").await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some(format!("http://shop.test/checkout/done?session_id={id}").as_str()));
    // BeforeRedirect: the event was answered before the shopper was redirected.
    let posts = h.received.all();
    assert_eq!(posts.len(), 1);
    let event = verify(&posts[0].0, &posts[0].1);
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["object"], "event");
    assert_eq!(event["api_version"], "2024-06-20");
    let object = &event["data"]["object"];
    assert_eq!(
        (&object["id"], &object["status"], &object["payment_status"]),
        (&session["id"], &"complete".into(), &"paid".into())
    );
    let deliveries = h.fake.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!((deliveries[0].event_id.as_str(), deliveries[0].status), (event["id"].as_str().unwrap(), 200));

    let (_, paid) = h.get(&format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!(
        (&paid["status"], &paid["payment_status"], &paid["url"]),
        (&"complete".into(), &"paid".into(), &Value::Null)
    );
    let pi_id = paid["payment_intent"].as_str().unwrap();
    assert_eq!(object["payment_intent"], pi_id);
    let (_, expanded) = h.get(&format!("/v1/checkout/sessions/{id}?expand%5B%5D=payment_intent")).await;
    let pi = &expanded["payment_intent"];
    assert_eq!((&pi["id"], &pi["status"], &pi["amount_received"]), (&pi_id.into(), &"succeeded".into(), &3998.into()));
    assert_eq!(pi["metadata"]["order"], "A1");
    assert!(pi["latest_charge"].as_str().unwrap().starts_with("ch_"));

    // Paying again (a double submit, or the back button) redirects without a second payment.
    let (status, _, _) = h.pay(id, "4242424242424242").await;
    assert_eq!(status, 303);
    let again = h.http.get(h.url(&format!("/pay/{id}"))).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(h.fake.deliveries().len(), 1);
}

#[tokio::test]
async fn twice_mode_sends_the_identical_event_twice() {
    let h = Harness::new().await;
    h.fake.set_webhook_mode(WebhookMode::Twice);
    let session = h.session(&[]).await;
    let (status, _, _) = h.pay(session["id"].as_str().unwrap(), "4242424242424242").await;
    assert_eq!(status, 303);
    let posts = h.received.all();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].1, posts[1].1, "same body");
    verify(&posts[1].0, &posts[1].1);
    let d = h.fake.deliveries();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].event_id, d[1].event_id);
}

#[tokio::test]
async fn after_redirect_and_never_modes() {
    let h = Harness::new().await;
    let control = h.http.post(h.url("/_fake/webhook-mode")).form_body("mode=after");
    assert_eq!(control.send().await.unwrap().status().as_u16(), 200);
    let session = h.session(&[]).await;
    let (status, _, _) = h.pay(session["id"].as_str().unwrap(), "5555555555554444").await;
    assert_eq!(status, 303);
    assert!(h.received.all().is_empty(), "the redirect comes first");
    assert_eq!(h.wait_for_posts(1).await.len(), 1);

    h.fake.set_webhook_mode(WebhookMode::Never);
    let session = h.session(&[]).await;
    assert_eq!(h.pay(session["id"].as_str().unwrap(), "4242424242424242").await.0, 303);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(h.received.all().len(), 1);
    let log: Value = h.http.get(h.url("/_fake/deliveries")).send().await.unwrap().json_value().await;
    assert_eq!(log.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn idempotency_keys_replay_and_refunds_are_bounded() {
    let h = Harness::new().await;
    let session = h.session(&[]).await;
    let id = session["id"].as_str().unwrap();
    h.pay(id, "4242424242424242").await;
    let pi = h.get(&format!("/v1/checkout/sessions/{id}")).await.1["payment_intent"].as_str().unwrap().to_string();

    let params = [("payment_intent", pi.as_str()), ("amount", "1000")];
    let (s1, _, first) = h.post_with("/v1/refunds", &params, Some("refund-A1-1")).await;
    let (s2, headers, second) = h.post_with("/v1/refunds", &params, Some("refund-A1-1")).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(first, second);
    assert!(first["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!((&first["amount"], &first["status"]), (&1000.into(), &"succeeded".into()));
    assert_eq!(headers["idempotent-replayed"], "true");
    let (_, list) = h.get(&format!("/v1/refunds?payment_intent={pi}")).await;
    assert_eq!((&list["object"], list["data"].as_array().unwrap().len()), (&"list".into(), 1));

    let (status, _, body) =
        h.post_with("/v1/refunds", &[("payment_intent", &pi), ("amount", "999")], Some("refund-A1-1")).await;
    assert_eq!((status, error_of(&body).0), (400, "idempotency_error"));

    let (status, body) = h.post("/v1/refunds", &[("payment_intent", &pi), ("amount", "3000")]).await;
    assert_eq!((status, error_of(&body).1), (400, "amount_too_large"));
    assert_eq!(body["error"]["message"], "Refund amount ($30.00) is greater than unrefunded amount on charge ($29.98)");
    let (status, rest) = h.post("/v1/refunds", &[("payment_intent", &pi)]).await;
    assert_eq!((status, &rest["amount"]), (200, &2998.into()));
    let (status, body) = h.post("/v1/refunds", &[("payment_intent", &pi), ("amount", "1")]).await;
    assert_eq!((status, error_of(&body).1), (400, "charge_already_refunded"));
    let (_, list) = h.get(&format!("/v1/refunds?payment_intent={pi}")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["data"][0]["id"], rest["id"], "newest first");

    // A request that failed validation is not saved: the corrected retry under the key runs.
    let (status, _, _) = h.post_with("/v1/checkout/sessions", &[("mode", "payment")], Some("create-1")).await;
    assert_eq!(status, 400);
    let good = [
        ("mode", "payment"),
        ("success_url", "http://shop.test/ok"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][price_data][product_data][name]", "Tea"),
        ("line_items[0][quantity]", "1"),
    ];
    let (_, _, a) = h.post_with("/v1/checkout/sessions", &good, Some("create-1")).await;
    let (_, _, b) = h.post_with("/v1/checkout/sessions", &good, Some("create-1")).await;
    assert_eq!(a["id"], b["id"]);
    let log = h.fake.requests();
    assert_eq!(log.iter().filter(|r| r.idempotency_key.as_deref() == Some("create-1")).count(), 3);
    assert_eq!(log.iter().filter(|r| r.idempotent_replayed).count(), 2);
}

#[tokio::test]
async fn manual_capture_authorises_then_captures_or_cancels() {
    let h = Harness::new().await;
    let manual = [("payment_intent_data[capture_method]", "manual")];
    let session = h.session(&manual).await;
    let id = session["id"].as_str().unwrap();
    assert_eq!(h.pay(id, "4242424242424242").await.0, 303);
    let (_, paid) = h.get(&format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!((&paid["status"], &paid["payment_status"]), (&"complete".into(), &"unpaid".into()));
    let pi = paid["payment_intent"].as_str().unwrap().to_string();
    let (_, intent) = h.get(&format!("/v1/payment_intents/{pi}")).await;
    assert_eq!(intent["status"], "requires_capture");
    assert_eq!((&intent["amount_capturable"], &intent["amount_received"]), (&3998.into(), &0.into()));
    assert_eq!(intent["capture_method"], "manual");

    let (status, _) = h.post("/v1/refunds", &[("payment_intent", &pi)]).await;
    assert_eq!(status, 400, "nothing captured, nothing to refund");
    let capture = format!("/v1/payment_intents/{pi}/capture");
    let (status, body) = h.post(&capture, &[("amount_to_capture", "4000")]).await;
    assert_eq!((status, error_of(&body).1), (400, "amount_too_large"));
    let (status, captured) = h.post(&capture, &[("amount_to_capture", "1999")]).await;
    assert_eq!(status, 200);
    assert_eq!(captured["status"], "succeeded");
    assert_eq!((&captured["amount_received"], &captured["amount_capturable"]), (&1999.into(), &0.into()));
    let (status, body) = h.post(&capture, &[]).await;
    assert_eq!((status, error_of(&body).1), (400, "payment_intent_unexpected_state"));
    let (status, body) = h.post(&format!("/v1/payment_intents/{pi}/cancel"), &[]).await;
    assert_eq!((status, error_of(&body).1), (400, "payment_intent_unexpected_state"));

    let session = h.session(&manual).await;
    let id = session["id"].as_str().unwrap();
    h.pay(id, "4242424242424242").await;
    let pi = h.get(&format!("/v1/checkout/sessions/{id}")).await.1["payment_intent"].as_str().unwrap().to_string();
    let (status, canceled) = h.post(&format!("/v1/payment_intents/{pi}/cancel"), &[]).await;
    assert_eq!((status, &canceled["status"], &canceled["amount_capturable"]), (200, &"canceled".into(), &0.into()));
}

#[tokio::test]
async fn sessions_expire_on_request_and_on_time() {
    let h = Harness::new().await;
    let session = h.session(&[]).await;
    let id = session["id"].as_str().unwrap();
    let (status, expired) = h.post(&format!("/v1/checkout/sessions/{id}/expire"), &[]).await;
    assert_eq!((status, &expired["status"]), (200, &"expired".into()));
    let (status, body) = h.post(&format!("/v1/checkout/sessions/{id}/expire"), &[]).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("status of `expired`"));
    let page = h.http.get(h.url(&format!("/pay/{id}"))).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 410);
    assert!(page.text().await.unwrap().contains("This payment page has expired."));
    assert_eq!(h.pay(id, "4242424242424242").await.0, 410);
    let posts = h.wait_for_posts(1).await;
    assert_eq!(verify(&posts[0].0, &posts[0].1)["type"], "checkout.session.expired");

    let later = h.session(&[]).await;
    let later_id = later["id"].as_str().unwrap();
    h.fake.advance_clock(25 * 60 * 60);
    let posts = h.wait_for_posts(2).await;
    assert_eq!(posts.len(), 2, "the ticker expires the session");
    let event = verify(&posts[1].0, &posts[1].1);
    assert_eq!(
        (&event["type"], &event["data"]["object"]["id"]),
        (&"checkout.session.expired".into(), &later_id.into())
    );
    assert_eq!(h.get(&format!("/v1/checkout/sessions/{later_id}")).await.1["status"], "expired");
}

/// Small conveniences over reqwest without its `json`/`form` features.
trait FormBody {
    fn form_body(self, body: &'static str) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_body(self, body: &'static str) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded").body(body)
    }
}

trait JsonValue {
    async fn json_value(self) -> Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}
