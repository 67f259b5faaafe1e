//! Placing orders against SQLite and PostgreSQL: stock is reserved in the same transaction as the
//! order or nothing is written; a declined card gives the stock back; the same idempotency key
//! never places a second order; concurrent checkouts never oversell.
#[macro_use]
mod support;

use app::domain::errors::AppError;
use app::domain::gateway::TestGateway;
use app::services::checkout::{CheckoutOutcome, CheckoutRequest, CheckoutSettings, place_order};
use server::store::Database;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use support::fixtures::{self, Marketplace, store};

conformance!(multi_thread;
    a_paid_order_reserves_stock_and_records_its_payment,
    a_declined_card_gives_the_stock_back,
    a_short_line_refuses_the_whole_order_and_names_it,
    the_same_key_never_places_a_second_order,
    concurrent_checkouts_never_oversell,
    concurrent_retries_with_one_key_place_one_order,
    unpaid_orders_release_their_stock_once,
    discount_codes_apply_once_within_their_limits,
    a_review_by_a_buyer_is_a_verified_purchase,
    the_review_total_is_what_paying_charges,
    a_store_sees_its_part_and_the_payment_only,
    a_declined_order_gives_its_discount_use_back,
    an_expired_order_gives_its_discount_use_back_once,
    a_guest_order_opens_with_its_key_only,
);

const SUCCEEDS: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";
static NEXT: AtomicU64 = AtomicU64::new(1);

/// Two stores, one product each ("north-lamp" at $25.00, "volt-lamp" at $40.00); returns the
/// variant ids.
async fn shop(db: &Database, stock_a: i64, stock_b: i64) -> (i64, i64) {
    let lamp = |store: &str, stock: i64, price: i64| {
        fixtures::item(&format!("{store}-lamp"))
            .title(format!("{store} Lamp"))
            .sku(format!("{store}-1"))
            .price(price)
            .stock(stock)
    };
    let m = Marketplace::new()
        .store(store("north").sells([lamp("north", stock_a, 2500)]))
        .store(store("volt").sells([lamp("volt", stock_b, 4000)]))
        .build(db)
        .await;
    for slug in ["north-lamp", "volt-lamp"] {
        let stored = db.catalog().product_by_slug(slug).await.unwrap().unwrap();
        assert_eq!(stored.detail.id, m.product(slug).id);
    }
    (m.variant("north-lamp"), m.variant("volt-lamp"))
}

async fn stock(db: &Database, slug: &str) -> i64 {
    db.catalog().product_by_slug(slug).await.unwrap().unwrap().detail.variants[0].stock
}

fn request(lines: Vec<(i64, i64)>, card: &str, key: &str) -> CheckoutRequest {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    support::guest_checkout(lines, card, key, 1_800_000_000, n.to_le_bytes())
}

async fn checkout(db: &Database, req: CheckoutRequest) -> Result<CheckoutOutcome, AppError> {
    place_order(db.orders().as_ref(), &TestGateway, &CheckoutSettings::default(), req).await
}

async fn a_paid_order_reserves_stock_and_records_its_payment(db: Database) {
    let (a, b) = shop(&db, 5, 5).await;
    let out = checkout(&db, request(vec![(a, 2), (b, 1), (a, 1)], SUCCEEDS, "key-paid-0001")).await.unwrap();
    let CheckoutOutcome::Paid { number } = out else { panic!("{out:?}") };
    assert!(number.starts_with("MM-") && number.len() == 15, "{number}");
    assert_eq!((stock(&db, "north-lamp").await, stock(&db, "volt-lamp").await), (2, 4));
    assert_eq!(db.orders().order_totals().await.unwrap(), (1, 1, 2), "one order, one payment: authorize + capture");
}

async fn a_declined_card_gives_the_stock_back(db: Database) {
    let (a, _) = shop(&db, 3, 3).await;
    let out = checkout(&db, request(vec![(a, 2)], DECLINED, "key-declined-01")).await.unwrap();
    let CheckoutOutcome::Declined { message, .. } = &out else { panic!("{out:?}") };
    assert_eq!(message, "Your card was declined.");
    assert_eq!(stock(&db, "north-lamp").await, 3, "the reservation is released");
    assert_eq!(db.orders().order_totals().await.unwrap(), (1, 1, 1), "the failed attempt is on record");
    // Resubmitting the same request returns the same outcome and writes nothing.
    let again = checkout(&db, request(vec![(a, 2)], DECLINED, "key-declined-01")).await.unwrap();
    assert_eq!(again, out);
    assert_eq!(db.orders().order_totals().await.unwrap(), (1, 1, 1));
}

async fn a_short_line_refuses_the_whole_order_and_names_it(db: Database) {
    let (a, b) = shop(&db, 5, 1).await;
    let err = checkout(&db, request(vec![(a, 2), (b, 3)], SUCCEEDS, "key-short-0001")).await.unwrap_err();
    let message = err.field("form").unwrap_or_default();
    assert!(message.contains("Only 1 of “volt Lamp” left"), "{message}");
    assert_eq!((stock(&db, "north-lamp").await, stock(&db, "volt-lamp").await), (5, 1), "nothing reserved");
    assert_eq!(db.orders().order_totals().await.unwrap(), (0, 0, 0), "nothing written");
    for (lines, card, field) in [
        (vec![(a, 0)], SUCCEEDS, "form"),
        (vec![(a, 100)], SUCCEEDS, "form"),
        (vec![], SUCCEEDS, "form"),
        (vec![(a, 1)], "4242 4242 4242 4241", "card_number"),
        (vec![(999_999, 1)], SUCCEEDS, "form"),
    ] {
        let err = checkout(&db, request(lines.clone(), card, "key-bad-input-1")).await.unwrap_err();
        assert!(err.field(field).is_some(), "{lines:?} {card}: {err:?}");
    }
    assert_eq!(db.orders().order_totals().await.unwrap(), (0, 0, 0));
}

async fn the_same_key_never_places_a_second_order(db: Database) {
    let (a, _) = shop(&db, 5, 5).await;
    let first = checkout(&db, request(vec![(a, 1)], SUCCEEDS, "key-repeat-0001")).await.unwrap();
    let again = checkout(&db, request(vec![(a, 1)], SUCCEEDS, "key-repeat-0001")).await.unwrap();
    assert_eq!(first, again, "the first outcome, same order number");
    assert_eq!(stock(&db, "north-lamp").await, 4);
    assert_eq!(db.orders().order_totals().await.unwrap(), (1, 1, 2));
    let other = checkout(&db, request(vec![(a, 2)], SUCCEEDS, "key-repeat-0001")).await.unwrap_err();
    assert!(matches!(other, AppError::Conflict(_)), "same key, other payload: {other:?}");
    assert_eq!(stock(&db, "north-lamp").await, 4);
}

async fn concurrent_checkouts_never_oversell(db: Database) {
    const K: i64 = 5;
    let (a, _) = shop(&db, K, 5).await;
    let db = Arc::new(db);
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(
                async move { checkout(&db, request(vec![(a, 1)], SUCCEEDS, &format!("key-race-{i:04}"))).await },
            )
        })
        .collect();
    let mut paid = 0;
    let mut sold_out = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(CheckoutOutcome::Paid { .. }) => paid += 1,
            Err(e) if e.field("form").is_some_and(|m| m.contains("sold out")) => sold_out += 1,
            other => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!((paid, sold_out), (K, 32 - K));
    assert_eq!(stock(&db, "north-lamp").await, 0, "never negative");
    assert_eq!(db.orders().order_totals().await.unwrap().0, K);
}

async fn concurrent_retries_with_one_key_place_one_order(db: Database) {
    const K: i64 = 5;
    let (a, _) = shop(&db, K, 5).await;
    let db = Arc::new(db);
    // 16 shoppers, each sending their request twice at once with the same key.
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let db = db.clone();
            let key = format!("key-twice-{:04}", i / 2);
            tokio::spawn(async move { (i / 2, checkout(&db, request(vec![(a, 1)], SUCCEEDS, &key)).await) })
        })
        .collect();
    let mut numbers: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for t in tasks {
        let (shopper, result) = t.await.unwrap();
        match result {
            Ok(CheckoutOutcome::Paid { number } | CheckoutOutcome::Processing { number }) => {
                numbers.entry(shopper).or_default().push(number)
            }
            Ok(other) => panic!("unexpected: {other:?}"),
            Err(_) => {}
        }
    }
    let (orders, payments, _) = db.orders().order_totals().await.unwrap();
    assert_eq!(orders, K, "one order per shopper who got stock, none twice");
    assert_eq!(payments, K);
    assert_eq!(stock(&db, "north-lamp").await, 0);
    for (shopper, got) in numbers {
        assert!(got.windows(2).all(|w| w[0] == w[1]), "shopper {shopper} saw two orders: {got:?}");
    }
}

async fn unpaid_orders_release_their_stock_once(db: Database) {
    let (a, _) = shop(&db, 4, 4).await;
    let orders = db.orders();
    // An order reserved but never paid (the process died before the gateway answered).
    let variants = orders.variants_for_order(&[a]).await.unwrap();
    let v = &variants[0];
    let order = fixtures::reserved_order("MM-0000000000AA", v, 2, None);
    let claim = app::domain::idempotency::IdempotencyClaim {
        scope: "checkout".into(),
        key: "key-expiry-0001".into(),
        fingerprint: "f".into(),
    };
    let placed = orders.place_order(&order, &claim).await.unwrap();
    assert!(matches!(placed, app::services::order_store::PlaceResult::Placed { .. }));
    assert_eq!(stock(&db, "north-lamp").await, 2);
    assert_eq!(orders.release_expired(999).await.unwrap(), 0, "not due yet");
    // Two sweepers at once (two server instances): the stock comes back exactly once.
    let (x, y) = tokio::join!(orders.release_expired(1_001), orders.release_expired(1_001));
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(stock(&db, "north-lamp").await, 4);
    assert_eq!(orders.release_expired(5_000).await.unwrap(), 0);
}

async fn discount_codes_apply_once_within_their_limits(db: Database) {
    use app::domain::checkout::{DiscountCode, DiscountKind};
    use app::domain::money::{Currency, Money};
    let (a, _) = shop(&db, 50, 5).await;
    let orders = db.orders();
    let code = |code: &str, kind, limit, expires| DiscountCode {
        code: code.into(),
        kind,
        min_spend: Some(Money::new(3000, Currency::USD)),
        expires_at: expires,
        usage_limit: limit,
        times_used: 0,
        merchant_id: None,
        disabled: false,
    };
    orders.create_discount_code(&code("TENOFF", DiscountKind::Percent { bps: 1000 }, Some(2), None), 1).await.unwrap();
    orders
        .create_discount_code(
            &code("OLD5", DiscountKind::Fixed { amount: Money::new(500, Currency::USD) }, None, Some(10)),
            1,
        )
        .await
        .unwrap();
    let with = |lines: Vec<(i64, i64)>, code: &str, key: &str| {
        let mut r = request(lines, SUCCEEDS, key);
        r.discount_code = code.into();
        r
    };
    // 2 × $25 = $50 − 10 % = $45 (+ free standard shipping over $50? no: the discount is on items).
    let out = checkout(&db, with(vec![(a, 2)], " tenoff ", "key-discount-01")).await.unwrap();
    assert!(matches!(out, CheckoutOutcome::Paid { .. }), "{out:?}");
    let refused = |e: AppError| e.field("discount_code").unwrap_or_default();
    let below = checkout(&db, with(vec![(a, 1)], "TENOFF", "key-discount-02")).await.unwrap_err();
    assert!(refused(below).contains("at least $30.00"));
    let expired = checkout(&db, with(vec![(a, 2)], "OLD5", "key-discount-03")).await.unwrap_err();
    assert!(refused(expired).contains("expired"));
    let unknown = checkout(&db, with(vec![(a, 2)], "NOPE", "key-discount-04")).await.unwrap_err();
    assert!(refused(unknown).contains("not a discount code"));
    // The limit of 2 holds under concurrency: of 6 shoppers at once, exactly one more gets it.
    let db = Arc::new(db);
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(
                async move { checkout(&db, with(vec![(a, 2)], "TENOFF", &format!("key-discount-r{i}"))).await },
            )
        })
        .collect();
    let mut paid = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(CheckoutOutcome::Paid { .. }) => paid += 1,
            Err(e) => assert!(refused(e).contains("used up"), "refused for the limit"),
            Ok(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(paid, 1);
    assert_eq!(db.orders().discount_code("TENOFF").await.unwrap().unwrap().times_used, 2);
}

async fn a_review_by_a_buyer_is_a_verified_purchase(db: Database) {
    use app::services::review_store::NewReview;
    let (a, _) = shop(&db, 5, 5).await;
    let buyer = fixtures::shopper(&db, "buyer@example.com", "Buyer").await;
    let browser = fixtures::shopper(&db, "browser@example.com", "Buyer").await;
    let mut req = request(vec![(a, 1)], SUCCEEDS, "key-verified-01");
    req.user_id = Some(buyer);
    assert!(matches!(checkout(&db, req).await.unwrap(), CheckoutOutcome::Paid { .. }));
    let product = db.catalog().product_by_slug("north-lamp").await.unwrap().unwrap().detail.id;
    for (user_id, expected) in [(buyer, true), (browser, false)] {
        let review = NewReview { product_id: product, user_id, rating: 4, body: String::new() };
        db.reviews().create_review(&review, 1).await.unwrap();
        let stored = db.reviews().review_by_author(product, user_id).await.unwrap().unwrap();
        assert_eq!(stored.verified_purchase, expected, "user {user_id}");
    }
}

async fn the_review_total_is_what_paying_charges(db: Database) {
    use app::domain::checkout::{DiscountCode, DiscountKind, ShippingSpeed};
    use app::services::checkout::price;
    let (a, b) = shop(&db, 5, 5).await;
    let orders = db.orders();
    let ids = orders.variants_for_order(&[a, b]).await.unwrap();
    let north = ids.iter().find(|v| v.variant_id == a).unwrap().merchant_id;
    let percent = DiscountCode {
        code: "FIVE".into(),
        kind: DiscountKind::Percent { bps: 500 },
        min_spend: None,
        expires_at: None,
        usage_limit: None,
        times_used: 0,
        merchant_id: None,
        disabled: false,
    };
    orders.create_discount_code(&percent, 1).await.unwrap();
    let settings = CheckoutSettings::default();
    let lines = vec![(a, 1), (b, 2)];
    let speeds = vec![(north, ShippingSpeed::Express)];
    let standard = price(orders.as_ref(), &settings, &lines, &[], gb(), "", 1_800_000_000).await.unwrap().quote;
    let chosen = price(orders.as_ref(), &settings, &lines, &speeds, gb(), "five", 1_800_000_000).await.unwrap().quote;
    assert!(chosen.shipping.minor > standard.shipping.minor, "express costs more: {chosen:?}");
    assert_eq!(chosen.discount.minor, (2500 + 2 * 4000) * 5 / 100, "5 % of the items");
    assert_eq!(chosen.discount_code.as_deref(), Some("FIVE"));
    assert_eq!(orders.order_totals().await.unwrap(), (0, 0, 0), "pricing writes nothing");
    let bad = price(orders.as_ref(), &settings, &lines, &speeds, gb(), "NOPE", 1_800_000_000).await.err();
    assert!(bad.and_then(|e| e.field("discount_code")).is_some(), "an unknown code is refused");

    let mut req = request(lines, SUCCEEDS, "key-quote-00001");
    req.speeds = speeds;
    req.discount_code = "five".into();
    let CheckoutOutcome::Paid { number } = checkout(&db, req).await.unwrap() else { panic!("not paid") };
    let (_, view) = app::services::order_views::order_view(orders.as_ref(), &number).await.unwrap().unwrap();
    assert_eq!(view.total, chosen.total, "the charge is the total the review showed");
    assert_eq!(view.payment.unwrap().captured, chosen.total);
}

async fn a_store_sees_its_part_and_the_payment_only(db: Database) {
    let (a, b) = shop(&db, 5, 5).await;
    let orders = db.orders();
    let ids = orders.variants_for_order(&[a, b]).await.unwrap();
    let merchant = |v: i64| ids.iter().find(|x| x.variant_id == v).unwrap().merchant_id;
    let (north, volt) = (merchant(a), merchant(b));
    let CheckoutOutcome::Paid { number } =
        checkout(&db, request(vec![(a, 2), (b, 1)], SUCCEEDS, "key-merchant-001")).await.unwrap()
    else {
        panic!("not paid")
    };
    checkout(&db, request(vec![(b, 1)], DECLINED, "key-merchant-002")).await.unwrap();

    use app::domain::paging::Cursor;
    use app::services::order_store::PartFilter;
    let all = PartFilter::default();
    let queue = orders.parts_of_merchant(north, &all, Cursor::Newest, 50).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].number.as_str(), queue[0].items), (number.as_str(), 2));
    assert_eq!((queue[0].status.as_str(), queue[0].payment_status.as_deref()), ("paid", Some("captured")));
    let volt_queue = orders.parts_of_merchant(volt, &all, Cursor::Newest, 50).await.unwrap();
    assert_eq!(volt_queue.len(), 2, "the paid order and the declined attempt");
    let paid = PartFilter { status: Some(app::domain::order::PartStatus::Paid), search: None };
    assert_eq!(orders.parts_of_merchant(volt, &paid, Cursor::Newest, 50).await.unwrap().len(), 1);
    assert_eq!(volt_queue.iter().filter(|p| p.payment_status.as_deref() == Some("failed")).count(), 1);

    let (_, view) = app::services::order_views::order_view(orders.as_ref(), &number).await.unwrap().unwrap();
    let total = view.total;
    let seen = app::services::order_views::merchant_view(view.clone(), north).unwrap();
    assert_eq!(seen.part.merchant_id, north);
    assert_eq!(seen.part.lines.len(), 1);
    assert_eq!(seen.part.total, queue[0].total);
    assert_eq!(seen.other_stores, 1);
    // Was: the store saw the whole order's payment (amount = order total, every event). A store
    // sees only what was taken for its own part (issue 13): the order's total is another
    // store's business too.
    let payment = seen.payment.clone().unwrap();
    assert_eq!((payment.status.as_str(), payment.captured), ("captured", seen.part.total));
    assert!(payment.captured.minor < total.minor, "not the whole order's {total}");
    let shown = serde_json::to_string(&seen).unwrap();
    assert!(!shown.contains("volt"), "nothing of the other store's part: {shown}");
    assert!(!shown.contains(&format!("\"minor\":{}", total.minor)), "not the order's total: {shown}");
    let volt_seen = app::services::order_views::merchant_view(view.clone(), volt).unwrap();
    assert_eq!(volt_seen.part.lines.len(), 1);
    assert_eq!(volt_seen.part.lines[0].title, "volt Lamp");
    assert!(!serde_json::to_string(&volt_seen).unwrap().contains("north"), "B sees nothing of A's part");
    assert!(app::services::order_views::merchant_view(view, 999_999).is_none(), "a store with no part sees nothing");
}

async fn a_declined_order_gives_its_discount_use_back(db: Database) {
    let (a, _) = shop(&db, 10, 10).await;
    fixtures::fixed_discount(&db, "ONCE", 1).await;
    let with = |card: &str, key: &str| {
        let mut r = request(vec![(a, 1)], card, key);
        r.discount_code = "once".into();
        r
    };
    let declined = checkout(&db, with(DECLINED, "key-once-declined")).await.unwrap();
    assert!(matches!(declined, CheckoutOutcome::Declined { .. }), "{declined:?}");
    assert_eq!(fixtures::times_used(&db, "ONCE").await, 0, "the declined order gave its use back");
    // A retry of the declined request returns the first outcome and gives nothing back twice.
    assert_eq!(checkout(&db, with(DECLINED, "key-once-declined")).await.unwrap(), declined);
    assert_eq!(fixtures::times_used(&db, "ONCE").await, 0);
    // The next shopper gets the one use, and the one after does not.
    let paid = checkout(&db, with(SUCCEEDS, "key-once-paid-01")).await.unwrap();
    assert!(matches!(paid, CheckoutOutcome::Paid { .. }), "{paid:?}");
    assert_eq!(fixtures::times_used(&db, "ONCE").await, 1);
    let late = checkout(&db, with(SUCCEEDS, "key-once-paid-02")).await.unwrap_err();
    assert!(late.field("discount_code").unwrap_or_default().contains("used up"), "{late:?}");
}

async fn an_expired_order_gives_its_discount_use_back_once(db: Database) {
    use app::domain::idempotency::IdempotencyClaim;
    use app::domain::payment::{PaymentEvent, PaymentStatus};
    use app::services::order_store::{PaymentUpdate, PlaceResult};
    let (a, _) = shop(&db, 10, 10).await;
    let orders = db.orders();
    // Limit 2: one paying shopper holds a use throughout, so a use given back twice would show.
    fixtures::fixed_discount(&db, "TWICE", 2).await;
    let mut paying = request(vec![(a, 1)], SUCCEEDS, "key-twice-paid-1");
    paying.discount_code = "TWICE".into();
    assert!(matches!(checkout(&db, paying).await.unwrap(), CheckoutOutcome::Paid { .. }));
    // An order reserved with the code but never paid (the process died before the gateway
    // answered): the same write checkout makes, reserved until 1 000.
    let v = orders.variants_for_order(&[a]).await.unwrap().remove(0);
    let order = fixtures::reserved_order("MM-0000000000AB", &v, 1, Some(("TWICE", 500)));
    let claim = IdempotencyClaim { scope: "checkout".into(), key: "key-twice-expiry".into(), fingerprint: "f".into() };
    let PlaceResult::Placed { order_id, payment_id } = orders.place_order(&order, &claim).await.unwrap() else {
        panic!("not placed")
    };
    assert_eq!(fixtures::times_used(&db, "TWICE").await, 2, "both uses taken");
    assert_eq!(orders.release_expired(999).await.unwrap(), 0, "not due yet");
    assert_eq!(fixtures::times_used(&db, "TWICE").await, 2);
    // Two sweepers at once, then another later: the use comes back exactly once.
    let (x, y) = tokio::join!(orders.release_expired(1_001), orders.release_expired(1_001));
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(orders.release_expired(5_000).await.unwrap(), 0);
    assert_eq!(fixtures::times_used(&db, "TWICE").await, 1, "given back once, the paying shopper's use kept");
    // The gateway's late "declined" for the expired order gives nothing back a second time.
    let usd = app::domain::money::Money::new(order.total_minor, app::domain::money::Currency::USD);
    let late = PaymentUpdate {
        order_id,
        payment_id,
        events: vec![PaymentEvent::authorization(
            usd,
            1_002,
            app::domain::payment::EventOutcome::Declined(app::domain::payment::DeclineReason::CardDeclined),
            None,
            "key-twice-expiry",
        )],
        payment_status: PaymentStatus::Failed,
        captured_minor: 0,
        gateway_reference: None,
        order_status: app::domain::order::OrderStatus::PaymentFailed,
        part_status: app::domain::order::PartStatus::Cancelled,
        release_stock: true,
        outcome: "card_declined".into(),
        claim,
        now: 1_002,
    };
    orders.record_payment(&late).await.unwrap();
    assert_eq!(fixtures::times_used(&db, "TWICE").await, 1, "still once");
    // So the next shopper can use the code, and the one after cannot.
    let mut next = request(vec![(a, 1)], SUCCEEDS, "key-twice-paid-2");
    next.discount_code = "TWICE".into();
    assert!(matches!(checkout(&db, next).await.unwrap(), CheckoutOutcome::Paid { .. }));
    let mut last = request(vec![(a, 1)], SUCCEEDS, "key-twice-paid-3");
    last.discount_code = "TWICE".into();
    assert!(checkout(&db, last).await.unwrap_err().field("discount_code").unwrap_or_default().contains("used up"));
}

async fn a_guest_order_opens_with_its_key_only(db: Database) {
    use app::services::checkout::place_order_with_key;
    use app::services::passwords::token_hash;
    let (a, _) = shop(&db, 10, 10).await;
    let orders = db.orders();
    let place =
        |req| async { place_order_with_key(orders.as_ref(), &TestGateway, &CheckoutSettings::default(), req).await };
    let first = place(request(vec![(a, 1)], SUCCEEDS, "key-guest-00001")).await.unwrap();
    let CheckoutOutcome::Paid { number } = &first.outcome else { panic!("{first:?}") };
    let key = first.guest_key.clone().expect("a guest gets a key");
    assert_eq!(key.len(), 64, "256 bits, hex");
    assert!(orders.guest_key_opens(number, &token_hash(&key)).await.unwrap());
    assert!(!orders.guest_key_opens(number, &key).await.unwrap(), "the key itself is not what is stored");
    assert!(!orders.guest_key_opens(number, &token_hash(&"0".repeat(64))).await.unwrap(), "a wrong key");
    assert!(!orders.guest_key_opens(number, &token_hash(number)).await.unwrap(), "the number is no key");
    // Another guest's key does not open this order, nor this key theirs.
    let other = place(request(vec![(a, 1)], SUCCEEDS, "key-guest-00002")).await.unwrap();
    let CheckoutOutcome::Paid { number: other_number } = &other.outcome else { panic!("{other:?}") };
    let other_key = other.guest_key.clone().unwrap();
    assert_ne!(other_key, key);
    assert!(!orders.guest_key_opens(number, &token_hash(&other_key)).await.unwrap());
    assert!(!orders.guest_key_opens(other_number, &token_hash(&key)).await.unwrap());
    // A retry of the same checkout gets the same order and a key of its own; the first (already
    // in the receipt) still opens it.
    let again = place(request(vec![(a, 1)], SUCCEEDS, "key-guest-00001")).await.unwrap();
    assert_eq!(again.outcome, first.outcome);
    let second_key = again.guest_key.expect("the retry gets a key");
    assert_ne!(second_key, key);
    assert!(orders.guest_key_opens(number, &token_hash(&second_key)).await.unwrap());
    assert!(orders.guest_key_opens(number, &token_hash(&key)).await.unwrap());
    // A signed-in shopper's order has no key: their account opens it.
    let user_id = fixtures::shopper(&db, "keyless@example.com", "Keyless").await;
    let mut mine = request(vec![(a, 1)], SUCCEEDS, "key-signed-in-01");
    mine.user_id = Some(user_id);
    let placed = place(mine).await.unwrap();
    assert_eq!(placed.guest_key, None);
    let CheckoutOutcome::Paid { number: theirs } = &placed.outcome else { panic!("{placed:?}") };
    let mut theirs_id = None;
    for id in 1..=20 {
        if orders.order_status(id).await.unwrap().is_some_and(|(n, _)| &n == theirs) {
            theirs_id = Some(id);
        }
    }
    let theirs_id = theirs_id.expect("the signed-in order's id");
    let forced = token_hash(&"f".repeat(64));
    assert!(!orders.add_access_key(theirs_id, &forced, 1).await.unwrap(), "no key is added to it");
    assert!(!orders.guest_key_opens(theirs, &forced).await.unwrap());
    assert!(!orders.guest_key_opens(theirs, &token_hash(&key)).await.unwrap());
}

/// A destination in Great Britain (no region).
fn gb() -> app::services::checkout::Destination<'static> {
    app::services::checkout::Destination { country: "GB", region: "" }
}
