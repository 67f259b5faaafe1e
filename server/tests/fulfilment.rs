//! After payment, against SQLite and PostgreSQL: shipping lines with a carrier's tracking number,
//! carrier events folded in time order, cancellations that give stock and money back, refunds
//! bounded by what was captured (also when several run at once), returns within the window, and
//! retried requests that return their first outcome.
#[macro_use]
mod support;

use app::domain::errors::AppError;
use app::domain::gateway::TestGateway;
use app::domain::refund::{LineRefund, RefundRequest};
use app::domain::returns::{ReturnEvent, ReturnWindow};
use app::domain::shipment::ShipmentStatus;
use app::domain::shipment::{LineQuantity, TrackingKind};
use app::domain::tracking::TrackingEvent;
use app::services::checkout::{CheckoutOutcome, CheckoutSettings, place_order};
use app::services::fulfilment::TrackingRecorded;
use app::services::fulfilment::{self as f, CancelRequest, RefundCommand, ReturnAsk, ShipRequest};
use app::services::fulfilment_store::{FulfilmentStore, PartState};
use app::views::orders::OrderView;
use server::store::Database;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use support::fixtures::{self, Marketplace, store};

conformance!(multi_thread;
    shipping_some_lines_then_the_rest,
    bad_shipments_are_refused_and_write_nothing,
    carrier_events_fold_in_time_order_and_deliver_the_part,
    cancelling_before_shipment_gives_stock_and_money_back,
    cancelling_an_authorized_order_voids_it,
    refunds_of_lines_and_parts_stay_within_the_capture,
    concurrent_refunds_never_exceed_the_capture,
    returns_within_the_window_are_approved_received_and_refunded,
    retried_ship_and_refund_return_the_first_outcome,
);

const NOW: i64 = 1_800_000_000;
static NEXT: AtomicU64 = AtomicU64::new(1);

struct Fixture {
    db: Database,
    store: Arc<dyn FulfilmentStore>,
    /// Store A sells a lamp ($25) and a mug ($12); store B a speaker ($40).
    a: i64,
    b: i64,
    lamp: i64,
    mug: i64,
    speaker: i64,
}

async fn fixture(db: Database) -> Fixture {
    let item = |slug: &str, price: i64| fixtures::item(slug).price(price);
    let m = Marketplace::new()
        .store(store("north").sells([item("lamp", 2500), item("mug", 1200)]))
        .store(store("volt").sells([item("speaker", 4000)]))
        .build(&db)
        .await;
    Fixture {
        store: db.fulfilment(),
        db,
        a: m.stores[0],
        b: m.stores[1],
        lamp: m.variant("lamp"),
        mug: m.variant("mug"),
        speaker: m.variant("speaker"),
    }
}

impl Fixture {
    /// A paid order; returns its number.
    async fn order(&self, lines: Vec<(i64, i64)>) -> String {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let key = format!("fulfilment-order-{n:04}");
        let req = support::guest_checkout(lines, "4242 4242 4242 4242", &key, NOW, (n + 7_000).to_le_bytes());
        match place_order(self.db.orders().as_ref(), &TestGateway, &CheckoutSettings::default(), req).await.unwrap() {
            CheckoutOutcome::Paid { number } => number,
            other => panic!("checkout: {other:?}"),
        }
    }

    async fn part(&self, number: &str, merchant: i64) -> PartState {
        self.store.part(number, merchant).await.unwrap().unwrap()
    }

    async fn view(&self, number: &str) -> OrderView {
        app::services::order_views::order_view(self.db.orders().as_ref(), number).await.unwrap().unwrap().1
    }

    async fn line(&self, number: &str, merchant: i64, variant: i64) -> i64 {
        self.part(number, merchant).await.lines.iter().find(|l| l.variant_id == variant).unwrap().line_id
    }

    async fn ship(
        &self,
        number: &str,
        merchant: i64,
        carrier: &str,
        tracking: &str,
        lines: &[(i64, i64)],
        key: Option<&str>,
    ) -> Result<app::views::orders::ShipOutcome, AppError> {
        let req = ShipRequest {
            carrier: carrier.into(),
            tracking_number: tracking.into(),
            lines: lines
                .iter()
                .map(|(line_id, quantity)| LineQuantity { line_id: *line_id, quantity: *quantity })
                .collect(),
            idempotency_key: key.map(str::to_string),
            now: NOW + 100,
        };
        f::ship(self.store.as_ref(), number, merchant, req).await
    }

    async fn refund(
        &self,
        number: &str,
        merchant: i64,
        request: RefundRequest,
        key: Option<&str>,
    ) -> Result<app::views::orders::RefundOutcome, AppError> {
        let cmd = RefundCommand { request, idempotency_key: key.map(str::to_string), now: NOW + 200 };
        f::refund_part(self.store.as_ref(), &TestGateway, number, merchant, cmd).await
    }

    async fn event(&self, shipment: i64, carrier: &str, id: &str, kind: TrackingKind, at: i64) -> TrackingRecorded {
        let event =
            TrackingEvent { id: id.into(), kind, at, location: Some("Leeds".into()), description: kind.label().into() };
        f::record_tracking_event(self.store.as_ref(), shipment, carrier, &event, at + 5).await.unwrap()
    }

    async fn stock(&self, slug: &str) -> i64 {
        self.db.catalog().product_by_slug(slug).await.unwrap().unwrap().detail.variants[0].stock
    }

    async fn count(&self, table: &str) -> i64 {
        self.db.scalar_raw(&format!("SELECT COUNT(*) FROM {table}")).await.unwrap()
    }
}

fn message(e: AppError) -> String {
    match e {
        AppError::Validation(f) => f.0.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

async fn shipping_some_lines_then_the_rest(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 2), (fx.mug, 1), (fx.speaker, 1)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let mug = fx.line(&number, fx.a, fx.mug).await;
    assert_eq!(f::start_processing(fx.store.as_ref(), &number, fx.a).await.unwrap(), "processing");
    assert_eq!(f::start_processing(fx.store.as_ref(), &number, fx.a).await.unwrap(), "processing", "a retry is fine");

    let first = fx.ship(&number, fx.a, "ups", "1z999aa1 0123456784", &[(lamp, 1)], None).await.unwrap();
    assert_eq!(first.part_status, "partially_shipped");
    assert_eq!(first.shipment.tracking_number, "1Z999AA10123456784", "normalised");
    assert_eq!(first.shipment.status, "label_created");
    assert_eq!(first.shipment.tracking_url.as_deref(), Some("https://www.ups.com/track?tracknum=1Z999AA10123456784"));
    assert_eq!(first.shipment.token.len(), 32);
    assert_eq!(fx.view(&number).await.status, "partially_shipped");

    let second = fx.ship(&number, fx.a, "dhl-express", "1234567890", &[(lamp, 1), (mug, 1)], None).await.unwrap();
    assert_eq!(second.part_status, "shipped");
    assert_ne!(first.shipment.token, second.shipment.token);
    let view = fx.view(&number).await;
    let part = view.parts.iter().find(|p| p.merchant_id == fx.a).unwrap();
    assert_eq!(part.status, "shipped");
    assert_eq!(part.shipments.len(), 2);
    assert_eq!(part.shipments[1].lines.len(), 2);
    assert!(part.lines.iter().all(|l| l.shipped == l.quantity));
    // Store B has not shipped: the order is partly shipped until it does.
    assert_eq!(view.status, "partially_shipped");
    // Store B cannot ship store A's lines.
    let err = fx.ship(&number, fx.b, "usps", "9400111899223197428491", &[(lamp, 1)], None).await.unwrap_err();
    assert!(message(err).contains("not in this order part"));
    let speaker = fx.line(&number, fx.b, fx.speaker).await;
    fx.ship(&number, fx.b, "usps", "9400111899223197428490", &[(speaker, 1)], None).await.unwrap();
    assert_eq!(fx.view(&number).await.status, "shipped");
}

async fn bad_shipments_are_refused_and_write_nothing(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 1), (fx.mug, 2)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let mug = fx.line(&number, fx.a, fx.mug).await;
    let cases: Vec<(&str, &str, Vec<(i64, i64)>, &str)> = vec![
        ("ups", "12345", vec![(lamp, 1)], "A UPS tracking number looks like 1Z"),
        ("pigeon", "12345", vec![(lamp, 1)], "Choose a carrier from the list."),
        ("royal-mail", "AB123456789GB", vec![], "Choose at least one line to ship."),
        ("royal-mail", "AB123456789GB", vec![(mug, 3)], "only 2 are left to ship"),
        ("royal-mail", "AB123456789GB", vec![(lamp, 1), (lamp, 1)], "listed twice"),
        ("royal-mail", "AB123456789GB", vec![(999_999, 1)], "not in this order part"),
    ];
    for (carrier, tracking, lines, want) in cases {
        let err = fx.ship(&number, fx.a, carrier, tracking, &lines, None).await.unwrap_err();
        assert!(message(err.clone()).contains(want), "{carrier} {tracking}: {err:?}");
    }
    assert_eq!((fx.count("shipments").await, fx.count("shipment_lines").await), (0, 0));
    assert_eq!(fx.part(&number, fx.a).await.status.as_str(), "paid");

    fx.ship(&number, fx.a, "royal-mail", "AB123456789GB", &[(lamp, 1)], None).await.unwrap();
    let err = fx.ship(&number, fx.a, "royal-mail", "AB123456780GB", &[(lamp, 1)], None).await.unwrap_err();
    assert_eq!(message(err), "“lamp” has already been shipped.");
    let err = fx.ship(&number, fx.a, "royal-mail", "AB123456789GB", &[(mug, 1)], None).await.unwrap_err();
    assert_eq!(message(err), "This tracking number is already on another shipment.");
    assert_eq!((fx.count("shipments").await, fx.count("shipment_lines").await), (1, 1));
}

async fn carrier_events_fold_in_time_order_and_deliver_the_part(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 1), (fx.mug, 1)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let mug = fx.line(&number, fx.a, fx.mug).await;
    let one = fx.ship(&number, fx.a, "zto", "73100012345678", &[(lamp, 1)], None).await.unwrap().shipment;
    let two = fx.ship(&number, fx.a, "zto", "73100012345679", &[(mug, 1)], None).await.unwrap().shipment;
    assert_eq!(fx.store.shipment_by_tracking("zto", "73100012345678").await.unwrap(), Some(one.id));
    assert_eq!(fx.store.open_shipments(10).await.unwrap().len(), 2);

    // The delivery arrives before an older in-transit scan: delivered stays.
    let t = NOW + 1_000;
    let got = fx.event(one.id, "zto", "z-1", TrackingKind::Delivered, t + 300).await;
    assert_eq!(got, TrackingRecorded::Applied { shipment_status: ShipmentStatus::Delivered });
    let got = fx.event(one.id, "zto", "z-0", TrackingKind::InTransit, t + 100).await;
    assert_eq!(got, TrackingRecorded::Applied { shipment_status: ShipmentStatus::Delivered });
    assert_eq!(fx.event(one.id, "zto", "z-0", TrackingKind::InTransit, t + 100).await, TrackingRecorded::Duplicate);
    let public = f::public_tracking(fx.store.as_ref(), &one.token).await.unwrap().unwrap();
    assert_eq!(public.status, "delivered");
    assert_eq!(public.events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["in_transit", "delivered"]);
    assert_eq!(public.events[0].location.as_deref(), Some("Leeds"));
    assert_eq!(public.version, 2, "each recorded event moves the version; a duplicate does not");
    assert!(f::public_tracking(fx.store.as_ref(), "not-a-token").await.unwrap().is_none());
    // One parcel of two arrived: the part is still only shipped.
    assert_eq!(fx.part(&number, fx.a).await.status.as_str(), "shipped");
    assert_eq!(fx.store.open_shipments(10).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [two.id]);

    fx.event(two.id, "zto", "z-2", TrackingKind::Exception, t + 50).await;
    fx.event(two.id, "zto", "z-3", TrackingKind::Delivered, t + 500).await;
    let part = fx.part(&number, fx.a).await;
    assert_eq!((part.status.as_str(), part.delivered_at), ("delivered", Some(t + 500)));
    let view = fx.view(&number).await;
    assert_eq!(view.status, "delivered");
    assert_eq!(view.parts[0].shipments[1].events.len(), 2);
    // Another carrier's event ids are its own.
    assert!(
        f::record_tracking_event(
            fx.store.as_ref(),
            one.id,
            "ups",
            &TrackingEvent {
                id: "z-1".into(),
                kind: TrackingKind::InTransit,
                at: t,
                location: None,
                description: "x".into(),
            },
            t
        )
        .await
        .is_err(),
        "the shipment is not a UPS one"
    );
}

async fn cancelling_before_shipment_gives_stock_and_money_back(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 2), (fx.mug, 1), (fx.speaker, 1)]).await;
    assert_eq!((fx.stock("lamp").await, fx.stock("mug").await, fx.stock("speaker").await), (18, 19, 19));
    let a_total = fx.part(&number, fx.a).await.total_minor;
    let cancel = |reason: &str, key: &str| CancelRequest {
        reason: reason.into(),
        idempotency_key: Some(key.into()),
        now: NOW + 50,
    };
    let err = f::cancel_part(fx.store.as_ref(), &TestGateway, &number, fx.a, cancel(" ", "cancel-key-001"))
        .await
        .unwrap_err();
    assert_eq!(message(err), "Tell the shopper why this part is cancelled.");
    let done = f::cancel_part(fx.store.as_ref(), &TestGateway, &number, fx.a, cancel("Out of stock", "cancel-key-001"))
        .await
        .unwrap();
    assert_eq!(done.part_status, "cancelled");
    let refund = done.refund.clone().unwrap();
    assert_eq!((refund.amount.minor, refund.status.as_str()), (a_total, "succeeded"));
    // Only store A's stock came back.
    assert_eq!((fx.stock("lamp").await, fx.stock("mug").await, fx.stock("speaker").await), (20, 20, 19));
    let view = fx.view(&number).await;
    assert_eq!(view.status, "paid", "store B's part is still to ship");
    let payment = view.payment.unwrap();
    assert_eq!(payment.status, "partially_refunded");
    assert_eq!(payment.events.last().map(|e| (e.kind.as_str(), e.amount.minor)), Some(("refund", a_total)));
    // A retry with the same key answers the same; nothing is refunded twice, no stock added.
    let again =
        f::cancel_part(fx.store.as_ref(), &TestGateway, &number, fx.a, cancel("Out of stock", "cancel-key-001"))
            .await
            .unwrap();
    assert_eq!(again, done);
    assert_eq!(fx.stock("lamp").await, 20);
    let err = f::cancel_part(fx.store.as_ref(), &TestGateway, &number, fx.a, cancel("Again", "cancel-key-002"))
        .await
        .unwrap_err();
    assert_eq!(message(err), "This part of the order is cancelled, so it cannot be cancelled.");

    // Store B ships, then cannot cancel.
    let speaker = fx.line(&number, fx.b, fx.speaker).await;
    fx.ship(&number, fx.b, "fedex", "123456789012", &[(speaker, 1)], None).await.unwrap();
    let err = f::cancel_part(fx.store.as_ref(), &TestGateway, &number, fx.b, cancel("Too late", "cancel-key-003"))
        .await
        .unwrap_err();
    assert_eq!(message(err), "This part of the order is shipped, so it cannot be cancelled.");
    assert_eq!(fx.stock("speaker").await, 19);

    // Cancelling every part cancels the order.
    let other = fx.order(vec![(fx.mug, 1)]).await;
    f::cancel_part(fx.store.as_ref(), &TestGateway, &other, fx.a, cancel("Damaged", "cancel-key-004")).await.unwrap();
    let view = fx.view(&other).await;
    assert_eq!((view.status.as_str(), view.payment.unwrap().status.as_str()), ("cancelled", "refunded"));
}

async fn cancelling_an_authorized_order_voids_it(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.mug, 1)]).await;
    // A payment only authorized (as a gateway that captures later would leave it).
    let sql = format!(
        "UPDATE payments SET status = 'authorized', captured_minor = 0
         WHERE order_id = (SELECT id FROM orders WHERE number = '{number}')"
    );
    fx.db.execute_raw(&sql).await.unwrap();
    let req = CancelRequest { reason: "Cannot source it".into(), idempotency_key: None, now: NOW };
    let done = f::cancel_part(fx.store.as_ref(), &TestGateway, &number, fx.a, req).await.unwrap();
    assert!(done.voided && done.refund.is_none(), "{done:?}");
    let payment = fx.view(&number).await.payment.unwrap();
    assert_eq!(payment.status, "voided");
    assert_eq!(payment.events.last().map(|e| e.kind.as_str()), Some("void"));
    assert_eq!(fx.stock("mug").await, 20);
}

async fn refunds_of_lines_and_parts_stay_within_the_capture(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 1), (fx.mug, 1)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let mug = fx.line(&number, fx.a, fx.mug).await;
    let whole = fx.refund(&number, fx.a, RefundRequest::WholePart, None).await.unwrap_err();
    assert!(message(whole).contains("cancel it instead"));
    fx.ship(&number, fx.a, "sf-express", "SF1234567890123", &[(lamp, 1), (mug, 1)], None).await.unwrap();
    let part = fx.part(&number, fx.a).await;
    let ledger = f::ledger(&part).unwrap();
    let mug_paid = ledger.lines.iter().find(|l| l.line_id == mug).unwrap().paid;

    let usd = |minor| Some(app::domain::money::Money::new(minor, mug_paid.currency));
    let err = fx
        .refund(
            &number,
            fx.a,
            RefundRequest::Lines(vec![LineRefund { line_id: mug, amount: usd(mug_paid.minor + 1) }]),
            None,
        )
        .await
        .unwrap_err();
    assert!(message(err).starts_with("You can refund at most"), "per line");
    let first = fx
        .refund(&number, fx.a, RefundRequest::Lines(vec![LineRefund { line_id: mug, amount: usd(500) }]), None)
        .await
        .unwrap();
    assert_eq!((first.amount.minor, first.status.as_str(), first.part_status.as_str()), (500, "succeeded", "shipped"));
    let rest =
        fx.refund(&number, fx.a, RefundRequest::Lines(vec![LineRefund { line_id: mug, amount: None }]), None).await;
    assert_eq!(rest.unwrap().amount.minor, mug_paid.minor - 500);
    let err =
        fx.refund(&number, fx.a, RefundRequest::Lines(vec![LineRefund { line_id: mug, amount: None }]), None).await;
    assert!(message(err.unwrap_err()).contains("has already been refunded in full"));
    let last = fx.refund(&number, fx.a, RefundRequest::WholePart, None).await.unwrap();
    assert_eq!(last.amount.minor, part.total_minor - mug_paid.minor, "the lamp and shipping");
    assert_eq!(last.part_status, "refunded");
    let err = message(fx.refund(&number, fx.a, RefundRequest::WholePart, None).await.unwrap_err());
    assert!(err.starts_with("Nothing is left to refund on this order part"), "{err}");
    let view = fx.view(&number).await;
    let payment = view.payment.unwrap();
    assert_eq!((payment.status.as_str(), view.status.as_str()), ("refunded", "refunded"));
    let refunded: i64 = payment.events.iter().filter(|e| e.kind == "refund").map(|e| e.amount.minor).sum();
    assert_eq!(refunded, payment.captured.minor);
    assert_eq!(view.parts[0].refunded.minor, part.total_minor);
}

async fn concurrent_refunds_never_exceed_the_capture(db: Database) {
    let fx = Arc::new(fixture(db).await);
    let number = fx.order(vec![(fx.lamp, 2), (fx.mug, 2)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let mug = fx.line(&number, fx.a, fx.mug).await;
    fx.ship(&number, fx.a, "jd-logistics", "JDVA00123456789", &[(lamp, 2), (mug, 2)], None).await.unwrap();
    let total = fx.part(&number, fx.a).await.total_minor;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (fx, number) = (fx.clone(), number.clone());
        tasks.push(tokio::spawn(async move {
            let currency = app::domain::money::Currency::USD;
            let request = match i % 3 {
                0 => RefundRequest::WholePart,
                1 => RefundRequest::Lines(vec![LineRefund { line_id: lamp, amount: None }]),
                _ => RefundRequest::Lines(vec![LineRefund {
                    line_id: mug,
                    amount: Some(app::domain::money::Money::new(900, currency)),
                }]),
            };
            fx.refund(&number, fx.a, request, Some(&format!("race-refund-{i:03}"))).await
        }));
    }
    let mut succeeded = 0;
    for t in tasks {
        if let Ok(outcome) = t.await.unwrap() {
            assert_eq!(outcome.status, "succeeded");
            succeeded += outcome.amount.minor;
        }
    }
    assert!(succeeded > 0 && succeeded <= total, "{succeeded} of {total}");
    let payment = fx.view(&number).await.payment.unwrap();
    let events: i64 = payment.events.iter().filter(|e| e.kind == "refund").map(|e| e.amount.minor).sum();
    assert_eq!(events, succeeded);
    assert!(events <= payment.captured.minor);
    let part = fx.part(&number, fx.a).await;
    assert_eq!(part.refunded_minor, succeeded);
    assert!(part.lines.iter().map(|l| l.refunded_minor).sum::<i64>() <= succeeded);
}

async fn returns_within_the_window_are_approved_received_and_refunded(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 2), (fx.mug, 1)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let mug = fx.line(&number, fx.a, fx.mug).await;
    let ask = |lines: Vec<(i64, i64)>, reason: &str, now: i64| ReturnAsk {
        lines: lines.into_iter().map(|(line_id, quantity)| LineQuantity { line_id, quantity }).collect(),
        reason: reason.into(),
        now,
    };
    let w = ReturnWindow::default();
    let store = fx.store.as_ref();
    let err = f::request_return(store, w, &number, fx.a, ask(vec![(lamp, 1)], "Too big", NOW)).await.unwrap_err();
    assert_eq!(message(err), "You can return items once they have been delivered.");
    let parcel = fx.ship(&number, fx.a, "china-post", "EA123456789CN", &[(lamp, 2), (mug, 1)], None).await.unwrap();
    let delivered = NOW + 86_400;
    fx.event(parcel.shipment.id, "china-post", "cp-1", TrackingKind::Delivered, delivered).await;
    assert_eq!(fx.part(&number, fx.a).await.status.as_str(), "delivered");

    let late = w.closes_at(delivered) + 1;
    let err = f::request_return(store, w, &number, fx.a, ask(vec![(lamp, 1)], "Too big", late)).await.unwrap_err();
    assert!(message(err).starts_with("The return window for this order closed on"));
    let err = f::request_return(store, w, &number, fx.a, ask(vec![(lamp, 3)], "Too big", delivered)).await;
    assert!(message(err.unwrap_err()).contains("only 2 are left to return"));
    assert_eq!(fx.count("returns").await, 0);

    // One lamp back: approved, received (back in stock), refunded.
    let id = f::request_return(store, w, &number, fx.a, ask(vec![(lamp, 1)], "Too big", delivered + 10)).await.unwrap();
    let err = f::refund_return(store, &TestGateway, fx.a, id, NOW).await.unwrap_err();
    assert_eq!(message(err), "This return is requested, so it cannot be refunded.");
    let err = f::decide_return(store, fx.b, id, ReturnEvent::Approve, None, NOW).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "another store's return");
    let r = f::decide_return(store, fx.a, id, ReturnEvent::Approve, None, NOW).await.unwrap();
    assert_eq!(r.status.as_str(), "approved");
    assert_eq!(
        f::decide_return(store, fx.a, id, ReturnEvent::Approve, None, NOW).await.unwrap().status.as_str(),
        "approved"
    );
    let stock_before = fx.stock("lamp").await;
    f::decide_return(store, fx.a, id, ReturnEvent::Receive, None, NOW).await.unwrap();
    f::decide_return(store, fx.a, id, ReturnEvent::Receive, None, NOW).await.unwrap();
    assert_eq!(fx.stock("lamp").await, stock_before + 1, "received once, restocked once");
    let part = fx.part(&number, fx.a).await;
    let lamp_paid = f::ledger(&part).unwrap().lines.iter().find(|l| l.line_id == lamp).unwrap().paid.minor;
    let refund = f::refund_return(store, &TestGateway, fx.a, id, NOW).await.unwrap();
    assert_eq!((refund.amount.minor, refund.status.as_str()), (lamp_paid / 2, "succeeded"));
    assert_eq!(
        f::refund_return(store, &TestGateway, fx.a, id, NOW).await.unwrap(),
        refund,
        "asked twice, refunded once"
    );
    let view = fx.view(&number).await;
    let part_view = &view.parts[0];
    assert_eq!(part_view.returns.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(), ["refunded"]);
    assert_eq!(view.payment.unwrap().status, "partially_refunded");

    // A rejected return needs a reason, and frees its items to be asked for again.
    let id = f::request_return(store, w, &number, fx.a, ask(vec![(lamp, 1), (mug, 1)], "Changed my mind", delivered))
        .await
        .unwrap();
    let err = f::request_return(store, w, &number, fx.a, ask(vec![(mug, 1)], "Again", delivered)).await.unwrap_err();
    assert_eq!(message(err), "“mug” has already been returned.");
    let err = f::decide_return(store, fx.a, id, ReturnEvent::Reject, Some(" ".into()), NOW).await.unwrap_err();
    assert_eq!(message(err), "Tell the shopper why the return is rejected.");
    let r = f::decide_return(store, fx.a, id, ReturnEvent::Reject, Some("Used".into()), NOW).await.unwrap();
    assert_eq!((r.status.as_str(), r.rejection_reason.as_deref()), ("rejected", Some("Used")));
    let err = f::decide_return(store, fx.a, id, ReturnEvent::Receive, None, NOW).await.unwrap_err();
    assert_eq!(message(err), "This return is rejected, so it cannot be marked as received.");
    f::request_return(store, w, &number, fx.a, ask(vec![(mug, 1)], "Again", delivered)).await.unwrap();
}

async fn retried_ship_and_refund_return_the_first_outcome(db: Database) {
    let fx = fixture(db).await;
    let number = fx.order(vec![(fx.lamp, 2)]).await;
    let lamp = fx.line(&number, fx.a, fx.lamp).await;
    let key = Some("ship-key-0000001");
    let first = fx.ship(&number, fx.a, "royal-mail", "AB123456789GB", &[(lamp, 1)], key).await.unwrap();
    let again = fx.ship(&number, fx.a, "royal-mail", "AB123456789GB", &[(lamp, 1)], key).await.unwrap();
    assert_eq!(again.shipment.id, first.shipment.id);
    assert_eq!(fx.count("shipments").await, 1);
    let err = fx.ship(&number, fx.a, "royal-mail", "AB123456780GB", &[(lamp, 1)], key).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "same key, other request: {err:?}");
    fx.ship(&number, fx.a, "royal-mail", "AB123456780GB", &[(lamp, 1)], Some("ship-key-0000002")).await.unwrap();
    // The retry of the first request after everything shipped still gets its first outcome.
    let late = fx.ship(&number, fx.a, "royal-mail", "AB123456789GB", &[(lamp, 1)], key).await.unwrap();
    assert_eq!(late.shipment.id, first.shipment.id);
    assert_eq!(fx.count("shipments").await, 2);

    let events = fx.count("payment_events").await;
    let whole = Some("refund-key-000001");
    let refund = fx.refund(&number, fx.a, RefundRequest::WholePart, whole).await.unwrap();
    assert_eq!(refund.part_status, "refunded");
    assert_eq!(fx.refund(&number, fx.a, RefundRequest::WholePart, whole).await.unwrap(), refund);
    assert_eq!(fx.count("payment_events").await, events + 1);
    assert_eq!(fx.count("refunds").await, 1);
}
