//! Who may open an order, over HTTP against the real router (issue 13): a guest's order opens
//! with its access key (the confirmation link or the browser's cookie), never with its number
//! alone, and answers 404 otherwise; a guest's return request without the key writes nothing;
//! a store in a shared order sees and acts on its own part only.
mod support;

use app::domain::shipment::{LineQuantity, TrackingKind};
use app::views::orders::MerchantOrderView;
use support::{OWNER_A, OWNER_B, Response, TestApp};

fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.all("set-cookie").into_iter().find(|c| c.starts_with(&format!("{name}=")))
}

/// A variant of each store, in stock, that can be bought.
async fn variants_of(app: &TestApp, stores: &[i64]) -> Vec<i64> {
    let ids: Vec<i64> = (1..500).collect();
    let variants = app.shop.orders.variants_for_order(&ids).await.unwrap();
    stores
        .iter()
        .map(|m| {
            variants.iter().find(|v| v.merchant_id == *m && v.sellable() && v.stock > 2).expect("a variant").variant_id
        })
        .collect()
}

struct GuestOrder {
    number: String,
    key: String,
    /// The guest's `mm_last_order=…` pair, ready for a Cookie header.
    cookie: String,
    /// The whole Set-Cookie header.
    set_cookie: String,
    location: String,
}

/// A guest puts one variant of each store in a cart and checks out with plain form posts.
async fn guest_checkout(app: &TestApp, variants: &[i64], idempotency_key: &str) -> GuestOrder {
    let mut cart = String::new();
    for v in variants {
        let res = app.call(&cart, "/api/cart/add", &[("variant_id", &v.to_string()), ("quantity", "1")]).await;
        assert!(res.status < 400, "{} {}", res.status, res.body);
        if let Some(c) = set_cookie(&res, "mm_cart") {
            cart = c.split(';').next().unwrap().to_string();
        }
    }
    let mut form = support::GUEST_CHECKOUT_FORM.to_vec();
    form.push(("idempotency_key", idempotency_key));
    let res = app.call(&cart, "/api/checkout/place", &form).await;
    let number = res.body.trim().trim_matches('"').to_string();
    assert!(number.starts_with("MM-"), "checkout answered {} {}", res.status, res.body);
    let set_cookie =
        set_cookie(&res, "mm_last_order").expect("the guest's browser gets its order's cookie").to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let key = cookie.trim_start_matches("mm_last_order=").to_string();
    let location = res.header("location").unwrap_or_default().to_string();
    GuestOrder { number, key, cookie, set_cookie, location }
}

/// The order's shopper page as the browser renders it, with `cookie`.
async fn page(app: &TestApp, cookie: &str, path: &str) -> Response {
    app.get_as(cookie, path).await
}

fn shows(res: &Response, number: &str) -> bool {
    res.status == 200 && res.body.contains(r#"data-testid="order-number""#) && res.body.contains(number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_order_opens_with_its_key_and_never_with_its_number_alone() {
    let app = support::spawn_app().await;
    let a = app.store_of(OWNER_A.0).await;
    let variants = variants_of(&app, &[a]).await;
    let order = guest_checkout(&app, &variants, "access-key-http-0001").await;
    let n = order.number.as_str();

    // The cookie holds a 256-bit key, not the number, and is HttpOnly (Secure only when configured).
    assert_eq!(order.key.len(), 64, "{}", order.set_cookie);
    assert!(order.key.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!order.set_cookie.contains(n));
    assert!(order.set_cookie.contains("HttpOnly") && order.set_cookie.contains("SameSite=Lax"));
    assert!(!order.set_cookie.contains("Secure"), "{}", order.set_cookie);
    // The browser goes to the order's page by its key link: the key in the query, not the path.
    assert_eq!(order.location, format!("/orders/{n}?key={}", order.key));

    // It opens with its link, and with the cookie alone.
    assert!(shows(&page(&app, "", &format!("/orders/{n}?key={}", order.key)).await, n));
    assert!(shows(&page(&app, &order.cookie, &format!("/orders/{n}")).await, n));
    let api = app.call("", "/api/orders/get", &[("number", n), ("key", &order.key)]).await;
    assert_eq!(api.status, 200, "{}", api.body);

    // Nothing else opens it, and every refusal is a 404 (whether the order exists is not told).
    let wrong = "0".repeat(64);
    let other = guest_checkout(&app, &variants, "access-key-http-0002").await;
    let refusals: Vec<(&str, String)> = vec![
        ("", format!("/orders/{n}")),
        ("", format!("/orders/{n}?key=")),
        ("", format!("/orders/{n}?key={wrong}")),
        ("", format!("/orders/{n}?key={n}")),
        ("", format!("/orders/{n}?key={}", other.key)),
        (&other.cookie, format!("/orders/{n}")),
    ];
    for (cookie, path) in &refusals {
        let res = page(&app, cookie, path).await;
        assert_eq!(res.status, 404, "{path} with cookie {cookie:?}");
        assert!(!res.body.contains(r#"data-testid="order-number""#), "{path}");
        assert!(!res.body.contains("Grace Guest"), "{path}");
    }
    // The old cookie, which named the order, opens nothing any more.
    let forged = format!("mm_last_order={n}");
    assert_eq!(page(&app, &forged, &format!("/orders/{n}")).await.status, 404);
    for form in [vec![("number", n)], vec![("number", n), ("key", wrong.as_str())]] {
        let res = app.call("", "/api/orders/get", &form).await;
        assert_eq!(res.status, 404, "{form:?}: {}", res.body);
    }
    let res = app.call(&forged, "/api/orders/get", &[("number", n)]).await;
    assert_eq!(res.status, 404, "a forged cookie: {}", res.body);
    // Store A ships this guest's order and sees its number, but the number opens nothing.
    let owner_a = app.login(OWNER_A.0, OWNER_A.1).await;
    assert_eq!(page(&app, &owner_a, &format!("/orders/{n}")).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_cookie_is_secure_when_cookies_are() {
    let auth = app::services::AuthSettings { cookie_secure: true, ..Default::default() };
    let app = support::spawn_app_with(auth).await;
    let a = app.store_of(OWNER_A.0).await;
    let variants = variants_of(&app, &[a]).await;
    let order = guest_checkout(&app, &variants, "access-key-http-0003").await;
    assert!(order.set_cookie.contains("; Secure"), "{}", order.set_cookie);
}

/// Store A ships the guest's part and the carrier delivers it.
async fn deliver(app: &TestApp, number: &str, store: i64) -> i64 {
    use app::services::fulfilment as f;
    let now = app::services::clock::now();
    let part = app.shop.fulfilment.part(number, store).await.unwrap().unwrap();
    let line = part.lines[0].line_id;
    let ship = f::ShipRequest {
        carrier: "dhl-express".into(),
        tracking_number: "1234567890".into(),
        lines: vec![LineQuantity { line_id: line, quantity: 1 }],
        idempotency_key: None,
        now,
    };
    let shipped = f::ship(app.shop.fulfilment.as_ref(), number, store, ship).await.unwrap();
    let delivered = app::domain::tracking::TrackingEvent {
        id: "access-delivered".into(),
        kind: TrackingKind::Delivered,
        at: now,
        location: None,
        description: "Delivered".into(),
    };
    f::record_tracking_event(app.shop.fulfilment.as_ref(), shipped.shipment.id, "dhl-express", &delivered, now)
        .await
        .unwrap();
    line
}

async fn returns(app: &TestApp) -> i64 {
    app.db.scalar_raw("SELECT COUNT(*) FROM returns").await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_return_needs_the_key_and_nothing_is_written_without_it() {
    let app = support::spawn_app().await;
    let (a, b) = (app.store_of(OWNER_A.0).await, app.store_of(OWNER_B.0).await);
    let variants = variants_of(&app, &[a, b]).await;
    let order = guest_checkout(&app, &variants, "access-key-http-0004").await;
    let n = order.number.as_str();
    let line = deliver(&app, n, a).await;
    let merchant = a.to_string();
    let lines = format!("{line}:1");
    let ask = |key: Option<&'static str>| {
        let mut form = vec![
            ("number", n.to_string()),
            ("merchant_id", merchant.clone()),
            ("lines[0]", lines.clone()),
            ("reason", "Too big".to_string()),
        ];
        if let Some(k) = key {
            form.push(("key", k.to_string()));
        }
        form
    };
    let send = |cookie: String, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&cookie, "/api/orders/return", &form).await
        }
    };
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
    let refused = [
        ("no key", String::new(), ask(None)),
        ("a wrong key", String::new(), ask(Some("00000000000000000000000000000000000000000000000000000000000000ff"))),
        ("a cookie naming the order", format!("mm_last_order={n}"), ask(None)),
        ("the other store in the order", owner_b, ask(None)),
    ];
    for (who, cookie, form) in refused {
        let res = send(cookie, form).await;
        assert_eq!(res.status, 404, "{who}: {}", res.body);
        assert_eq!(returns(&app).await, 0, "{who}: nothing written");
    }
    // With the key (the order page's hidden field), or the browser's cookie, it goes through.
    let key = order.key.clone();
    let mut with_key = ask(None);
    with_key.push(("key", key));
    let res = send(String::new(), with_key).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(returns(&app).await, 1);
    let page = app.get_as("", &format!("/orders/{n}?key={}", order.key)).await;
    assert!(page.body.contains("Too big") || page.body.contains("Requested"), "the return shows on the page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_sees_and_acts_on_its_own_part_only() {
    let app = support::spawn_app().await;
    let (a, b) = (app.store_of(OWNER_A.0).await, app.store_of(OWNER_B.0).await);
    let variants = variants_of(&app, &[a, b]).await;
    let order = guest_checkout(&app, &variants, "access-key-http-0005").await;
    let n = order.number.as_str();
    let part_a = app.shop.fulfilment.part(n, a).await.unwrap().unwrap();
    let part_b = app.shop.fulfilment.part(n, b).await.unwrap().unwrap();
    let a_line = part_a.lines[0].line_id;
    let (a_title, b_title) = (part_a.lines[0].title.clone(), part_b.lines[0].title.clone());
    assert_ne!(a_title, b_title);
    let (_, whole) = app::services::order_views::order_view(app.shop.orders.as_ref(), n).await.unwrap().unwrap();
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;

    // B's view: its line and totals, the address to ship to; nothing of A's part or the order's total.
    let res = app.call(&owner_b, "/api/admin/order", &[("number", n)]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let seen: MerchantOrderView = serde_json::from_str(&res.body).unwrap();
    assert_eq!(seen.part.merchant_id, b);
    assert_eq!(seen.part.lines.iter().map(|l| l.title.clone()).collect::<Vec<_>>(), vec![b_title.clone()]);
    assert_eq!(seen.ship_to.name, "Grace Guest");
    let payment = seen.payment.clone().expect("the payment as it stands for B");
    assert_eq!((payment.status.as_str(), payment.captured), ("captured", seen.part.total));
    assert!(!res.body.contains(&a_title), "A's line: {}", res.body);
    assert!(!res.body.contains(&format!("\"minor\":{}", whole.total.minor)), "the order's total: {}", res.body);
    let page = app.get_as(&owner_b, &format!("/admin/orders/{n}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&b_title) && !page.body.contains(&a_title), "B's page shows B's line only");
    // B's queue shows B's part total, not the order's.
    let queue = app.call(&owner_b, "/api/admin/orders", &[]).await;
    assert!(queue.body.contains(n) && !queue.body.contains(&format!("\"minor\":{}", whole.total.minor)));

    // B cannot act on A's lines: not ship, refund, act for A, or ask to return them.
    let shipments = || app.db.scalar_raw("SELECT COUNT(*) FROM shipments");
    let refunds = || app.db.scalar_raw("SELECT COUNT(*) FROM refunds");
    let line = format!("{a_line}:1");
    let ship =
        [("number", n), ("carrier", "dhl-express"), ("tracking_number", "1234567891"), ("lines[0]", line.as_str())];
    let res = app.call(&owner_b, "/api/admin/order/ship", &ship).await;
    assert!(res.status >= 400 && res.status != 500, "{} {}", res.status, res.body);
    let refund_line = format!("{a_line}:1.00");
    let res = app.call(&owner_b, "/api/admin/order/refund", &[("number", n), ("lines[0]", refund_line.as_str())]).await;
    assert!(res.status >= 400 && res.status != 500, "{} {}", res.status, res.body);
    let a_id = a.to_string();
    let mut as_a = ship.to_vec();
    as_a.push(("merchant_id", a_id.as_str()));
    assert_eq!(app.call(&owner_b, "/api/admin/order/ship", &as_a).await.status, 403);
    let cancel = [("merchant_id", a_id.as_str()), ("number", n), ("reason", "Not mine")];
    assert_eq!(app.call(&owner_b, "/api/admin/order/cancel", &cancel).await.status, 403);
    assert_eq!(shipments().await.unwrap(), 0, "nothing shipped");
    assert_eq!(refunds().await.unwrap(), 0, "nothing refunded");
    assert_eq!(app.shop.fulfilment.part(n, a).await.unwrap().unwrap().status.as_str(), "paid", "A's part untouched");
    // Nor open the shopper's page of the order, which lists every store's lines.
    assert_eq!(app.get_as(&owner_b, &format!("/orders/{n}")).await.status, 404);
}
