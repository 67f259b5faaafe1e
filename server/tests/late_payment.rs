//! A payment answer that arrives after its order's reservation ran out, on SQLite and PostgreSQL.
//! The sweeper (`release_expired`) has put the stock back on sale and given the discount use
//! back, so the order must not become paid (that would sell the stock twice): it stays expired,
//! the money the gateway took is given back through the gateway (a refund, or the hold voided),
//! or, if the gateway refuses, stays recorded on the payment as owed, and the shopper is told.
#[macro_use]
mod support;

use app::domain::card::CardDetails;
use app::domain::gateway::{GatewayOutcome, PaymentGateway, TestGateway};
use app::domain::idempotency::IdempotencyClaim;
use app::domain::money::{Currency, Money};
use app::domain::order::{OrderStatus, PartStatus};
use app::domain::payment::{DeclineReason, EventOutcome, PaymentEvent, PaymentEventKind, PaymentStatus};
use app::services::checkout::{
    CheckoutOutcome, CheckoutRequest, CheckoutSettings, LATE_REFUND_DUE_MESSAGE, LATE_REFUNDED_MESSAGE,
    LATE_VOIDED_MESSAGE, place_order,
};
use app::services::order_store::{OrderStore, PaymentRecorded, PaymentReversal, PaymentUpdate, PlaceResult};
use server::store::Database;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use support::fixtures::{self, Marketplace, store};

conformance!(multi_thread;
    a_successful_payment_on_an_expired_order_leaves_it_expired,
    a_checkout_that_outlives_its_reservation_is_refunded_not_placed,
    a_late_hold_is_voided_and_a_refused_refund_is_recorded_as_owed,
);

const SUCCEEDS: &str = "4242 4242 4242 4242";
const NOW: i64 = 1_800_000_000;
/// How long checkout reserves the stock in these tests; the sweeper runs just after.
const RESERVATION: i64 = 60;
static NEXT: AtomicU64 = AtomicU64::new(1);

/// One store with one product of `stock`, price 2500; returns its variant id.
async fn shop(db: &Database, stock: i64) -> i64 {
    let lamp = fixtures::item("north-lamp").title("north Lamp").sku("north-1").price(2500).stock(stock);
    Marketplace::new().store(store("north").sells([lamp])).build(db).await.variant("north-lamp")
}

async fn stock(db: &Database) -> i64 {
    db.catalog().product_by_slug("north-lamp").await.unwrap().unwrap().detail.variants[0].stock
}

fn request(lines: Vec<(i64, i64)>, key: &str) -> CheckoutRequest {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    support::guest_checkout(lines, SUCCEEDS, key, NOW, n.to_le_bytes())
}

fn settings() -> CheckoutSettings {
    CheckoutSettings { reservation_secs: RESERVATION, ..CheckoutSettings::default() }
}

/// The test gateway, but so slow that the reservation runs out while it authorizes: the sweeper
/// (another instance's, say) runs in the middle of the call. It may also refuse voids and refunds.
struct SlowGateway {
    orders: Arc<dyn OrderStore>,
    refuse_give_back: bool,
    swept: AtomicU64,
}

impl SlowGateway {
    fn new(db: &Database, refuse_give_back: bool) -> SlowGateway {
        SlowGateway { orders: db.orders(), refuse_give_back, swept: AtomicU64::new(0) }
    }

    fn refused(reference: &str) -> GatewayOutcome {
        GatewayOutcome {
            reference: reference.to_string(),
            outcome: EventOutcome::Declined(DeclineReason::ProcessingError),
        }
    }
}

impl PaymentGateway for SlowGateway {
    fn name(&self) -> &'static str {
        "test"
    }

    fn authorize(&self, card: &CardDetails, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        let orders = self.orders.clone();
        let released = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(orders.release_expired(NOW + RESERVATION + 1))
        })
        .unwrap();
        self.swept.fetch_add(released, Ordering::SeqCst);
        TestGateway.authorize(card, amount, idempotency_key)
    }

    fn capture(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        TestGateway.capture(reference, amount, idempotency_key)
    }

    fn void(&self, reference: &str, idempotency_key: &str) -> GatewayOutcome {
        if self.refuse_give_back {
            return SlowGateway::refused(reference);
        }
        TestGateway.void(reference, idempotency_key)
    }

    fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        if self.refuse_give_back {
            return SlowGateway::refused(reference);
        }
        TestGateway.refund(reference, amount, idempotency_key)
    }
}

/// The order's status, its payment's status and captured/refunded amounts, and the payment's
/// event kinds in order.
async fn state(db: &Database, number: &str) -> (String, String, i64, i64, Vec<String>) {
    let (_, view) =
        app::services::order_views::order_view(db.orders().as_ref(), number).await.unwrap().expect("the order exists");
    let payment = view.payment.expect("the order has a payment");
    let refunded = db
        .scalar_raw(&format!(
            "SELECT p.refunded_minor FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.number = '{number}'"
        ))
        .await
        .unwrap();
    let kinds = payment.events.iter().map(|e| e.kind.clone()).collect();
    (view.status, payment.status, payment.captured.minor, refunded, kinds)
}

async fn paid_parts(db: &Database, number: &str) -> i64 {
    db.scalar_raw(&format!(
        "SELECT COUNT(*) FROM order_parts p JOIN orders o ON o.id = p.order_id
         WHERE o.number = '{number}' AND p.status <> 'cancelled'"
    ))
    .await
    .unwrap()
}

/// The storage port on its own: an order placed with a discount code, expired by the sweeper,
/// then a successful payment recorded for it.
async fn a_successful_payment_on_an_expired_order_leaves_it_expired(db: Database) {
    let variant = shop(&db, 4).await;
    fixtures::fixed_discount(&db, "LATE", 1).await;
    let orders = db.orders();
    let v = orders.variants_for_order(&[variant]).await.unwrap().remove(0);
    let order = fixtures::reserved_order("MM-00000000LATE", &v, 2, Some(("LATE", 500)));
    let total = order.total_minor;
    let claim = IdempotencyClaim { scope: "checkout".into(), key: "key-late-store-01".into(), fingerprint: "f".into() };
    let PlaceResult::Placed { order_id, payment_id } = orders.place_order(&order, &claim).await.unwrap() else {
        panic!("not placed")
    };
    assert_eq!((stock(&db).await, fixtures::times_used(&db, "LATE").await), (2, 1), "reserved and counted");
    assert_eq!(orders.release_expired(1_001).await.unwrap(), 1);
    assert_eq!((stock(&db).await, fixtures::times_used(&db, "LATE").await), (4, 0), "given back by the sweeper");

    // The gateway's answer comes now: authorized and captured.
    let usd = Money::new(total, Currency::USD);
    let reference = Some("tg_ch_00000000000000aa".to_string());
    let late = PaymentUpdate {
        order_id,
        payment_id,
        events: vec![
            PaymentEvent::authorization(usd, 1_002, EventOutcome::Succeeded, reference.clone(), "key-late-store-01"),
            PaymentEvent::succeeded(PaymentEventKind::Capture, usd, 1_002, reference.clone(), "key-late-store-01-c"),
        ],
        payment_status: PaymentStatus::Captured,
        captured_minor: total,
        gateway_reference: reference.clone(),
        order_status: OrderStatus::Paid,
        part_status: PartStatus::Paid,
        release_stock: false,
        outcome: "succeeded".into(),
        claim: claim.clone(),
        now: 1_002,
    };
    let recorded = orders.record_payment(&late).await.unwrap();
    assert_eq!(recorded, PaymentRecorded::OrderClosed { status: Some(OrderStatus::Expired) });
    assert_eq!(orders.order_status(order_id).await.unwrap().unwrap().1, OrderStatus::Expired, "not paid");
    assert_eq!(paid_parts(&db, "MM-00000000LATE").await, 0, "no store is asked to ship it");
    assert_eq!(stock(&db).await, 4, "the stock stays back on sale, not taken again or returned twice");
    assert_eq!(fixtures::times_used(&db, "LATE").await, 0, "the use given back is not given back (or taken) again");
    // The money the gateway took is on record, so it is owed back until a refund is recorded.
    let (status, payment, captured, refunded, kinds) = state(&db, "MM-00000000LATE").await;
    assert_eq!((status.as_str(), payment.as_str(), captured, refunded), ("expired", "captured", total, 0));
    assert_eq!(kinds, ["authorize", "capture"]);
    let outcome = db
        .scalar_raw("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'key-late-store-01' AND outcome IS NULL")
        .await
        .unwrap();
    assert_eq!(outcome, 1, "a retry is not told the order was paid");

    orders
        .record_reversal(&PaymentReversal {
            payment_id,
            events: vec![PaymentEvent::succeeded(PaymentEventKind::Refund, usd, 1_003, reference, "key-late-r")],
            payment_status: PaymentStatus::Refunded,
            refunded_minor: total,
            outcome: "reservation_expired_refunded".into(),
            claim,
            now: 1_003,
        })
        .await
        .unwrap();
    let (status, payment, _, refunded, kinds) = state(&db, "MM-00000000LATE").await;
    assert_eq!((status.as_str(), payment.as_str(), refunded), ("expired", "refunded", total));
    assert_eq!(kinds, ["authorize", "capture", "refund"]);
    assert_eq!((stock(&db).await, fixtures::times_used(&db, "LATE").await), (4, 0), "still untouched");
    // The code's one use is free again, and the stock sells once.
    let mut next = request(vec![(variant, 4)], "key-late-store-02");
    next.discount_code = "late".into();
    let out = place_order(orders.as_ref(), &TestGateway, &settings(), next).await.unwrap();
    assert!(matches!(out, CheckoutOutcome::Paid { .. }), "{out:?}");
    assert_eq!((stock(&db).await, fixtures::times_used(&db, "LATE").await), (0, 1));
}

/// Through the checkout service: the sweeper runs while the gateway authorizes (automatic
/// capture), so the charge is refunded and the shopper told; a retry answers the same.
async fn a_checkout_that_outlives_its_reservation_is_refunded_not_placed(db: Database) {
    let variant = shop(&db, 5).await;
    fixtures::fixed_discount(&db, "SLOW", 1).await;
    let gateway = SlowGateway::new(&db, false);
    let orders = db.orders();
    let mut req = request(vec![(variant, 2)], "key-late-auto-001");
    req.discount_code = "slow".into();
    let out = place_order(orders.as_ref(), &gateway, &settings(), req).await.unwrap();
    let CheckoutOutcome::Declined { number, message } = &out else { panic!("{out:?}") };
    assert_eq!(message, LATE_REFUNDED_MESSAGE);
    assert_eq!(gateway.swept.load(Ordering::SeqCst), 1, "the sweeper expired the order mid-payment");
    let (status, payment, captured, refunded, kinds) = state(&db, number).await;
    assert_eq!((status.as_str(), payment.as_str()), ("expired", "refunded"), "not paid; the charge given back");
    assert_eq!(refunded, captured, "refunded in full");
    assert!(captured > 0);
    assert_eq!(kinds, ["authorize", "capture", "refund"]);
    assert_eq!(paid_parts(&db, number).await, 0);
    assert_eq!(stock(&db).await, 5, "the stock is back on sale once");
    assert_eq!(fixtures::times_used(&db, "SLOW").await, 0, "the code's use is given back once");
    let totals = orders.order_totals().await.unwrap();

    // A retry of the same checkout is told the same and writes nothing.
    let mut again = request(vec![(variant, 2)], "key-late-auto-001");
    again.discount_code = "slow".into();
    let repeat = place_order(orders.as_ref(), &gateway, &settings(), again).await.unwrap();
    assert_eq!(repeat, out);
    assert_eq!(orders.order_totals().await.unwrap(), totals);

    // Nothing oversells: the next shopper can buy all five with the code.
    let mut next = request(vec![(variant, 5)], "key-late-auto-002");
    next.discount_code = "slow".into();
    let paid = place_order(orders.as_ref(), &TestGateway, &settings(), next).await.unwrap();
    assert!(matches!(paid, CheckoutOutcome::Paid { .. }), "{paid:?}");
    assert_eq!((stock(&db).await, fixtures::times_used(&db, "SLOW").await), (0, 1));
}

/// Manual capture: the late hold is voided. A gateway that refuses to give the money back leaves
/// the charge on the expired order's payment (what a refund is owed for) and says so.
async fn a_late_hold_is_voided_and_a_refused_refund_is_recorded_as_owed(db: Database) {
    let variant = shop(&db, 5).await;
    let orders = db.orders();
    let mut held = request(vec![(variant, 1)], "key-late-hold-001");
    held.manual_capture = true;
    let out = place_order(orders.as_ref(), &SlowGateway::new(&db, false), &settings(), held).await.unwrap();
    let CheckoutOutcome::Declined { number, message } = &out else { panic!("{out:?}") };
    assert_eq!(message, LATE_VOIDED_MESSAGE);
    let (status, payment, captured, refunded, kinds) = state(&db, number).await;
    assert_eq!((status.as_str(), payment.as_str(), captured, refunded), ("expired", "voided", 0, 0));
    assert_eq!(kinds, ["authorize", "void"]);
    assert_eq!(stock(&db).await, 5);

    let stubborn = SlowGateway::new(&db, true);
    let out = place_order(orders.as_ref(), &stubborn, &settings(), request(vec![(variant, 3)], "key-late-owed-001"))
        .await
        .unwrap();
    let CheckoutOutcome::Declined { number, message } = &out else { panic!("{out:?}") };
    assert_eq!(message, LATE_REFUND_DUE_MESSAGE);
    let (status, payment, captured, refunded, kinds) = state(&db, number).await;
    assert_eq!((status.as_str(), payment.as_str(), refunded), ("expired", "captured", 0), "owed back");
    assert!(captured > 0);
    assert_eq!(kinds, ["authorize", "capture"]);
    assert_eq!(paid_parts(&db, number).await, 0);
    assert_eq!(stock(&db).await, 5, "the stock is not sold to this expired order");
    let retry = place_order(orders.as_ref(), &stubborn, &settings(), request(vec![(variant, 3)], "key-late-owed-001"))
        .await
        .unwrap();
    assert_eq!(retry, out);
}
