//! Carrier webhooks over real HTTP, on SQLite and PostgreSQL: only correctly signed, fresh
//! requests are recorded; replays and out-of-order events change nothing they should not; the
//! public tracking page shows the result without personal details; the carrier simulator drives
//! a parcel to delivery through the same endpoint.
#[macro_use]
mod support;

use app::domain::address::AddressInput;
use app::domain::gateway::TestGateway;
use app::domain::shipment::LineQuantity;
use app::domain::webhook::{SIGNATURE_HEADER, sign};
use app::services::checkout::{CheckoutOutcome, CheckoutSettings, place_order};
use app::services::fulfilment::{self as f, ShipRequest};
use server::store::Database;
use support::{TestApp, WEBHOOK_SECRET};

conformance!(multi_thread;
    only_signed_fresh_events_are_recorded,
    events_out_of_order_and_replays_end_delivered_and_public,
    the_simulator_delivers_parcels_through_the_webhook,
    store_actions_tell_the_shopper_once,
);

const TRACKING: &str = "1Z999AA10123456784";

/// A paid order from one store of the demo shop, shipped in full with UPS; (app, order number,
/// tracking token).
async fn shipped(db: Database) -> (TestApp, String, String) {
    let app = support::spawn_app_on(db, app::services::AuthSettings::default()).await;
    let (number, merchant) = paid_order(&app, None).await;
    let now = app::services::clock::now();
    let part = app.shop.fulfilment.part(&number, merchant).await.unwrap().unwrap();
    let lines = part.lines.iter().map(|l| LineQuantity { line_id: l.line_id, quantity: l.quantity }).collect();
    let req =
        ShipRequest { carrier: "ups".into(), tracking_number: TRACKING.into(), lines, idempotency_key: None, now };
    f::ship(app.shop.fulfilment.as_ref(), &number, merchant, req).await.unwrap();
    let shipment = app.shop.fulfilment.shipment_by_tracking("ups", TRACKING).await.unwrap().expect("shipment");
    let token =
        app.shop.fulfilment.open_shipments(10).await.unwrap().into_iter().find(|s| s.id == shipment).unwrap().token;
    (app, number, token)
}

/// A paid guest order of one item (from `store` when given); (number, the store's id).
async fn paid_order(app: &TestApp, store: Option<i64>) -> (String, i64) {
    let ids: Vec<i64> = (1..400).collect();
    let variants = app.shop.orders.variants_for_order(&ids).await.unwrap();
    let v = variants
        .iter()
        .find(|v| v.sellable() && v.stock > 1 && store.is_none_or(|s| s == v.merchant_id))
        .expect("a variant in stock");
    let now = app::services::clock::now();
    let key = format!("webhook-test-order-{}", store.unwrap_or(0));
    let mut req = support::guest_checkout(vec![(v.variant_id, 1)], "4242 4242 4242 4242", &key, now, [7; 8]);
    // Grace Hopper in the US, whose details the public tracking page must never show.
    req.email = "grace@example.com".into();
    req.address = AddressInput {
        name: "Grace Hopper".into(),
        line1: "1 Compiler Way".into(),
        city: "Arlington".into(),
        postal_code: "22201".into(),
        country: "US".into(),
        ..Default::default()
    };
    let CheckoutOutcome::Paid { number } =
        place_order(app.shop.orders.as_ref(), &TestGateway, &CheckoutSettings::default(), req).await.unwrap()
    else {
        panic!("not paid")
    };
    (number, v.merchant_id)
}

fn event(id: &str, kind: &str, at: i64, city: &str) -> String {
    serde_json::json!({
        "event_id": id, "tracking_number": TRACKING, "kind": kind, "occurred_at": at,
        "location": city, "description": format!("{kind} in {city}"),
    })
    .to_string()
}

async fn post(app: &TestApp, carrier: &str, body: &str, signature: Option<String>) -> support::Response {
    let mut headers = vec![("Content-Type", "application/json".to_string())];
    if let Some(s) = signature {
        headers.push((SIGNATURE_HEADER, s));
    }
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.request("POST", &format!("/webhooks/carriers/{carrier}"), &headers, body).await
}

fn signed(body: &str, at: i64) -> Option<String> {
    Some(sign(WEBHOOK_SECRET.as_bytes(), at, body.as_bytes()))
}

async fn recorded_events(app: &TestApp, token: &str) -> usize {
    f::public_tracking(app.shop.fulfilment.as_ref(), token).await.unwrap().unwrap().events.len()
}

async fn only_signed_fresh_events_are_recorded(db: Database) {
    let (app, _, token) = shipped(db).await;
    let now = app::services::clock::now();
    let body = event("evt-1", "picked_up", now - 60, "Louisville, KY");
    let refused = [
        ("no signature", post(&app, "ups", &body, None).await),
        ("wrong secret", post(&app, "ups", &body, Some(sign(b"not-the-secret-at-all", now, body.as_bytes()))).await),
        ("tampered body", post(&app, "ups", &body.replace("Louisville", "Lexington"), signed(&body, now)).await),
        ("ten minutes old", post(&app, "ups", &body, signed(&body, now - 600)).await),
        ("garbage header", post(&app, "ups", &body, Some("v1=abc".into())).await),
    ];
    for (what, res) in refused {
        assert_eq!(res.status, 401, "{what}: {}", res.body);
        assert!(res.body.contains("error"), "{what}: says why");
    }
    assert_eq!(recorded_events(&app, &token).await, 0, "nothing recorded from refused requests");

    let huge = "x".repeat(70 * 1024);
    assert_eq!(post(&app, "ups", &huge, signed(&huge, now)).await.status, 413);
    assert_eq!(post(&app, "acme-post", &body, signed(&body, now)).await.status, 404, "unknown carrier");
    let junk = "{\"event_id\": 1}";
    assert_eq!(post(&app, "ups", junk, signed(junk, now)).await.status, 400, "malformed body");
    let bad_kind = body.replace("picked_up", "teleported");
    let res = post(&app, "ups", &bad_kind, signed(&bad_kind, now)).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("kind must be one of"), "{}", res.body);
    let other = body.replace(TRACKING, "1Z999AA10123456785");
    let res = post(&app, "ups", &other, signed(&other, now)).await;
    assert_eq!(res.status, 404, "unknown shipment: {}", res.body);
    assert_eq!(recorded_events(&app, &token).await, 0);

    let res = post(&app, "ups", &body, signed(&body, now)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("\"shipment_status\":\"picked_up\""), "{}", res.body);
    assert_eq!(recorded_events(&app, &token).await, 1);
}

async fn events_out_of_order_and_replays_end_delivered_and_public(db: Database) {
    let (app, number, token) = shipped(db).await;
    let now = app::services::clock::now();
    let delivered = event("evt-9", "delivered", now - 100, "Evanston, IL");
    let older = event("evt-5", "in_transit", now - 5000, "Chicago, IL");
    assert_eq!(post(&app, "ups", &delivered, signed(&delivered, now)).await.status, 200);
    let res = post(&app, "ups", &older, signed(&older, now)).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("\"shipment_status\":\"delivered\""),
        "a late, older scan keeps it delivered: {}",
        res.body
    );
    let replay = post(&app, "ups", &delivered, signed(&delivered, now)).await;
    assert_eq!(replay.status, 200);
    assert!(replay.body.contains("duplicate"), "{}", replay.body);
    assert_eq!(recorded_events(&app, &token).await, 2, "the replay recorded nothing");

    let (_, view) = app::services::order_views::order_view(app.shop.orders.as_ref(), &number).await.unwrap().unwrap();
    assert_eq!(view.parts[0].status, "delivered");
    let outbox = app.shop.notifications.list(50).await.unwrap();
    let delivered: Vec<_> = outbox.iter().filter(|m| m.kind.as_str() == "delivered").collect();
    assert_eq!(delivered.len(), 1, "the shopper is told once, however often the carrier repeats itself");
    assert_eq!(delivered[0].recipient, "grace@example.com");
    assert!(delivered[0].text_body.contains(&format!("/track/{token}")), "{}", delivered[0].text_body);

    let page = app.get(&format!("/track/{token}")).await;
    assert_eq!(page.status, 200, "{}", page.body.split("<main").nth(1).unwrap_or_default());
    let main = page.body.split("<main").nth(1).unwrap_or_default().split("</main>").next().unwrap_or_default();
    assert!(main.contains("Delivered"), "status shown: {main}");
    assert!(page.body.contains("Chicago, IL") && page.body.contains("Evanston, IL"), "city-level events");
    for private in ["Grace", "Hopper", "grace@example.com", "Compiler Way", "22201"] {
        assert!(!page.body.contains(private), "the public page leaks {private}");
    }
    assert_eq!(app.get("/track/NOTATOKEN0000").await.status, 404);
}

async fn the_simulator_delivers_parcels_through_the_webhook(db: Database) {
    use server::simulator::{SimulatorOptions, run};
    let (app, number, token) = shipped(db).await;
    let secrets = server::webhooks::CarrierSecrets::parse(&format!("*={WEBHOOK_SECRET}")).unwrap();
    let options = SimulatorOptions {
        url: format!("http://{}", app.addr),
        exceptions: true,
        out_of_order: true,
        ..Default::default()
    };
    let posted = run(app.shop.fulfilment.as_ref(), &secrets, &options).await.unwrap();
    assert_eq!(posted, 7, "picked up, two hubs, out for delivery, a failed attempt, again, delivered");
    let tracking = f::public_tracking(app.shop.fulfilment.as_ref(), &token).await.unwrap().unwrap();
    assert_eq!(tracking.status, "delivered", "scrambled arrival, same end: {tracking:?}");
    assert!(tracking.events.iter().any(|e| e.kind == "exception"));
    let (_, view) = app::services::order_views::order_view(app.shop.orders.as_ref(), &number).await.unwrap().unwrap();
    assert_eq!(view.parts[0].status, "delivered");
    // A second run finds nothing on its way and posts nothing.
    assert_eq!(run(app.shop.fulfilment.as_ref(), &secrets, &options).await.unwrap(), 0);
}

async fn store_actions_tell_the_shopper_once(db: Database) {
    use support::OWNER_A;
    let app = support::spawn_app_on(db, app::services::AuthSettings::default()).await;
    let store = app.store_of(OWNER_A.0).await;
    let (number, _) = paid_order(&app, Some(store)).await;
    let line = app.shop.fulfilment.part(&number, store).await.unwrap().unwrap().lines[0].line_id;
    let cookie = app.login(OWNER_A.0, OWNER_A.1).await;
    let ship_line = format!("{line}:1");
    let ship = [
        ("number", number.as_str()),
        ("carrier", "ups"),
        ("tracking_number", TRACKING),
        ("lines[0]", ship_line.as_str()),
        ("idempotency_key", "notice-ship-key-0001"),
    ];
    for _ in 0..2 {
        let res = app.call(&cookie, "/api/admin/order/ship", &ship).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let refund_line = format!("{line}:1.00");
    let refund =
        [("number", number.as_str()), ("lines[0]", refund_line.as_str()), ("idempotency_key", "notice-refund-01")];
    let res = app.call(&cookie, "/api/admin/order/refund", &refund).await;
    assert_eq!(res.status, 200, "{}", res.body);
    // The parcel arrives; the shopper returns it; the store approves (twice: a resubmitted form).
    let now = app::services::clock::now();
    let delivered = event("notice-evt-1", "delivered", now - 60, "Arlington, VA");
    assert_eq!(post(&app, "ups", &delivered, signed(&delivered, now)).await.status, 200);
    let ask = app::services::fulfilment::ReturnAsk {
        lines: vec![LineQuantity { line_id: line, quantity: 1 }],
        reason: "Too small".into(),
        now,
    };
    let window = app::domain::returns::ReturnWindow::default();
    let return_id = f::request_return(app.shop.fulfilment.as_ref(), window, &number, store, ask).await.unwrap();
    for _ in 0..2 {
        let res = app.call(&cookie, "/api/admin/return/approve", &[("return_id", &return_id.to_string())]).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    let outbox = app.shop.notifications.list(50).await.unwrap();
    let of = |kind: &str| outbox.iter().filter(|m| m.kind.as_str() == kind).collect::<Vec<_>>();
    assert_eq!(of("delivered").len(), 1);
    assert_eq!(of("return_decision").len(), 1, "one decision message for a resubmitted approval");
    assert!(
        of("return_decision")[0].subject.to_lowercase().contains("approved"),
        "{}",
        of("return_decision")[0].subject
    );
    assert_eq!(of("shipped").len(), 1, "a retried ship tells the shopper once");
    assert!(of("shipped")[0].text_body.contains("/track/"), "with the tracking link");
    assert!(of("shipped")[0].html_body.contains(TRACKING));
    assert_eq!(of("refund_issued").len(), 1);
    assert!(of("refund_issued")[0].text_body.contains("$1.00"), "{}", of("refund_issued")[0].text_body);
    assert!(outbox.iter().all(|m| m.recipient == "grace@example.com"), "every message goes to the shopper");
}
