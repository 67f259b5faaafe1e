//! Store analytics against SQLite and PostgreSQL: orders placed on known days for two stores (paid,
//! declined, cancelled by the store, partly refunded, outside the period), product views and adds
//! to cart; every figure the analytics read must equal what is computed here from the seeded
//! orders as the order store shows them, and store B's figures never include store A's orders.
#[macro_use]
mod support;

use app::domain::analytics::{Analytics, DaySales, Period, StatusCount, TopProduct, parse_day, period};
use app::domain::gateway::TestGateway;
use app::domain::money::{Currency, Money};
use app::domain::order::PartStatus;
use app::domain::refund::{LineRefund, RefundRequest};
use app::services::analytics::figures;
use app::services::cart_store::{AddOutcome, CartOwner};
use app::services::checkout::{CheckoutOutcome, CheckoutSettings, place_order};
use app::services::fulfilment::{self as f, CancelRequest, RefundCommand};
use app::views::orders::OrderView;
use server::store::Database;
use std::collections::BTreeMap;
use support::fixtures::{self, Marketplace, store};

conformance!(
    figures_match_the_seeded_orders,
    a_period_without_sales_is_all_zeros,
    adding_to_a_cart_is_recorded_once_per_add,
);

const SUCCEEDS: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";
const HOUR: i64 = 3600;

/// 2026-11-10, the first day of the period under test.
fn d0() -> i64 {
    parse_day("2026-11-10").unwrap()
}

fn at(day: i64, hour: i64) -> i64 {
    day * 86_400 + hour * HOUR
}

struct Fixture {
    a: i64,
    b: i64,
    lamp: (i64, i64),  // (product, variant) of store A, 25.00
    vase: (i64, i64),  // store A, 10.00
    chair: (i64, i64), // store B, 40.00
}

async fn stores(db: &Database) -> Fixture {
    let item = |slug: &str, price: i64| fixtures::item(slug).title(format!("The {slug}")).price(price).stock(100);
    let m = Marketplace::new()
        .store(store("north").sells([item("lamp", 2500), item("vase", 1000)]))
        .store(store("harbor").sells([item("chair", 4000)]))
        .build(db)
        .await;
    Fixture { a: m.stores[0], b: m.stores[1], lamp: m.pair("lamp"), vase: m.pair("vase"), chair: m.pair("chair") }
}

async fn order(db: &Database, lines: &[((i64, i64), i64)], card: &str, now: i64, key: &str) -> String {
    let req = support::guest_checkout(
        lines.iter().map(|((_, variant), qty)| (*variant, *qty)).collect(),
        card,
        key,
        now,
        (now as u64 ^ key.len() as u64).to_le_bytes(),
    );
    match place_order(db.orders().as_ref(), &TestGateway, &CheckoutSettings::default(), req).await.unwrap() {
        CheckoutOutcome::Paid { number } | CheckoutOutcome::Declined { number, .. } => number,
        other => panic!("unexpected {other:?}"),
    }
}

async fn view(db: &Database, number: &str) -> OrderView {
    app::services::order_views::order_view(db.orders().as_ref(), number).await.unwrap().unwrap().1
}

async fn user(db: &Database, email: &str) -> i64 {
    fixtures::shopper(db, email, "Shopper").await
}

async fn add(db: &Database, owner: CartOwner<'_>, variant: i64, qty: i64, now: i64) {
    let carts = db.carts();
    let cart = carts.cart_for(owner, now).await.unwrap();
    let outcome = carts.add_item(cart, variant, qty, now).await.unwrap();
    assert!(matches!(outcome, AddOutcome::Added { .. }), "{outcome:?}");
}

/// What happened to a seeded order, as this test knows it.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Paid,
    Declined,
    CancelledByStore,
    /// Paid, then `amount` refunded on one line.
    LineRefunded(i64),
}

async fn analytics(db: &Database, merchant: i64, p: Period) -> Analytics {
    figures(db.analytics().as_ref(), merchant, format!("Store {merchant}"), p).await.unwrap()
}

/// The expected figures for `merchant`, from the orders' views and what the test did to them.
fn expected(
    merchant: i64,
    p: Period,
    seeded: &[(OrderView, Fate)],
) -> (Vec<DaySales>, Vec<StatusCount>, BTreeMap<String, (i64, i64)>) {
    let mut days: BTreeMap<i64, DaySales> =
        (p.from_day..=p.to_day).map(|d| (d, DaySales { day: d, ..Default::default() })).collect();
    let mut statuses: BTreeMap<String, i64> = BTreeMap::new();
    let mut products: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (v, fate) in seeded {
        let day = v.created_at.div_euclid(86_400);
        if day < p.from_day || day > p.to_day {
            continue;
        }
        for part in v.parts.iter().filter(|part| part.merchant_id == merchant) {
            *statuses.entry(part.status.clone()).or_default() += 1;
            let d = days.get_mut(&day).unwrap();
            match fate {
                Fate::Declined => continue,
                Fate::CancelledByStore => {
                    d.gross_minor += part.total.minor;
                    d.refunds_minor += part.total.minor;
                    d.orders += 1;
                    continue;
                }
                Fate::Paid => {
                    d.gross_minor += part.total.minor;
                    d.orders += 1;
                }
                Fate::LineRefunded(amount) => {
                    d.gross_minor += part.total.minor;
                    d.refunds_minor += amount;
                    d.orders += 1;
                }
            }
            for (i, line) in part.lines.iter().enumerate() {
                let refunded = match fate {
                    Fate::LineRefunded(amount) if i == 0 => *amount,
                    _ => 0,
                };
                let e = products.entry(line.title.clone()).or_default();
                e.0 += line.quantity;
                e.1 += line.line_total.minor - refunded;
            }
        }
    }
    let statuses = statuses
        .into_iter()
        .map(|(status, count)| StatusCount { status: PartStatus::parse(&status).expect("a part status"), count })
        .collect();
    (days.into_values().collect(), statuses, products)
}

fn sorted_statuses(mut s: Vec<StatusCount>) -> Vec<StatusCount> {
    s.sort_by(|a, b| a.status.as_str().cmp(b.status.as_str()));
    s
}

async fn figures_match_the_seeded_orders(db: Database) {
    let fx = stores(&db).await;
    let d = d0();
    let usd = |m: i64| Money::new(m, Currency::USD);
    let mut seeded: Vec<(String, Fate)> = Vec::new();
    // Day 0: two orders of A, the first shared with B.
    seeded.push((order(&db, &[(fx.lamp, 2), (fx.chair, 1)], SUCCEEDS, at(d, 10), "k-order-01").await, Fate::Paid));
    seeded.push((order(&db, &[(fx.vase, 3)], SUCCEEDS, at(d, 15), "k-order-02").await, Fate::Paid));
    // Day 1: B alone. Day 2: A paid, and A declined (cancelled, never paid).
    seeded.push((order(&db, &[(fx.chair, 2)], SUCCEEDS, at(d + 1, 9), "k-order-03").await, Fate::Paid));
    seeded.push((order(&db, &[(fx.lamp, 1), (fx.vase, 1)], SUCCEEDS, at(d + 2, 23), "k-order-04").await, Fate::Paid));
    seeded.push((order(&db, &[(fx.lamp, 1)], DECLINED, at(d + 2, 12), "k-order-05").await, Fate::Declined));
    // Day 3: A cancels its part after payment. Day 4: A refunds 10.00 of a line.
    let cancelled = order(&db, &[(fx.vase, 1)], SUCCEEDS, at(d + 3, 0), "k-order-06").await;
    f::cancel_part(
        db.fulfilment().as_ref(),
        &TestGateway,
        &cancelled,
        fx.a,
        CancelRequest { reason: "Broken in the stockroom".into(), idempotency_key: None, now: at(d + 3, 1) },
    )
    .await
    .unwrap();
    seeded.push((cancelled, Fate::CancelledByStore));
    let refunded = order(&db, &[(fx.lamp, 2)], SUCCEEDS, at(d + 4, 8), "k-order-07").await;
    let line_id = view(&db, &refunded).await.parts[0].lines[0].id;
    let request = RefundRequest::Lines(vec![LineRefund { line_id, amount: Some(usd(1000)) }]);
    f::refund_part(
        db.fulfilment().as_ref(),
        &TestGateway,
        &refunded,
        fx.a,
        RefundCommand { request, idempotency_key: None, now: at(d + 5, 8) },
    )
    .await
    .unwrap();
    seeded.push((refunded, Fate::LineRefunded(1000)));
    // Outside the period: the day before and the day after.
    seeded.push((order(&db, &[(fx.lamp, 4), (fx.chair, 1)], SUCCEEDS, at(d - 1, 23), "k-order-08").await, Fate::Paid));
    seeded.push((order(&db, &[(fx.vase, 5)], SUCCEEDS, at(d + 7, 0), "k-order-09").await, Fate::Paid));

    // Views: one per shopper and product, on the day of the latest view.
    let (u1, u2) = (user(&db, "one@example.com").await, user(&db, "two@example.com").await);
    let catalog = db.catalog();
    catalog.record_view(u1, fx.lamp.0, at(d + 1, 5)).await.unwrap();
    catalog.record_view(u1, fx.vase.0, at(d + 1, 6)).await.unwrap();
    catalog.record_view(u1, fx.vase.0, at(d + 2, 6)).await.unwrap();
    catalog.record_view(u2, fx.vase.0, at(d - 5, 6)).await.unwrap(); // before the period
    catalog.record_view(u2, fx.chair.0, at(d, 6)).await.unwrap(); // store B's
    // Adds to cart: three of A's in the period (one line added to twice), one after, one of B's.
    add(&db, CartOwner::User(u1), fx.lamp.1, 1, at(d + 1, 7)).await;
    add(&db, CartOwner::Guest("guest-hash-1"), fx.vase.1, 1, at(d + 2, 7)).await;
    add(&db, CartOwner::Guest("guest-hash-1"), fx.vase.1, 2, at(d + 2, 8)).await;
    add(&db, CartOwner::Guest("guest-hash-1"), fx.lamp.1, 1, at(d + 9, 8)).await;
    add(&db, CartOwner::User(u2), fx.chair.1, 1, at(d + 6, 8)).await;

    let mut views = Vec::new();
    for (number, fate) in &seeded {
        views.push((view(&db, number).await, *fate));
    }
    let p = period(Some("2026-11-10"), Some("2026-11-16"), d + 20).unwrap();
    assert_eq!(p.days(), 7);

    // Store A.
    let a = analytics(&db, fx.a, p).await;
    let (days, statuses, products) = expected(fx.a, p, &views);
    assert_eq!(a.days, days, "revenue per day of A");
    assert_eq!(a.gross_minor, days.iter().map(|d| d.gross_minor).sum::<i64>());
    assert_eq!(a.refunds_minor, days.iter().map(|d| d.refunds_minor).sum::<i64>());
    let revenue: i64 = days.iter().map(|d| d.revenue_minor()).sum();
    assert_eq!(a.revenue_minor, revenue);
    // Paid orders of A: day 0 ×2, day 2 ×1, day 3 (cancelled after payment), day 4.
    assert_eq!(a.orders, 5);
    assert_eq!(days.iter().map(|d| d.orders).collect::<Vec<_>>(), vec![2, 0, 1, 1, 1, 0, 0]);
    assert_eq!(a.average_order_minor, Some((revenue + 2) / 5));
    assert_eq!(sorted_statuses(a.by_status.clone()), statuses, "orders by status of A");
    // The declined order and the store's cancellation are both cancelled; six parts in all.
    assert_eq!(statuses.iter().find(|s| s.status == PartStatus::Cancelled).map(|s| s.count), Some(2));
    assert_eq!(a.by_status.iter().map(|s| s.count).sum::<i64>(), 6);
    // Top products: the lamp (2 + 1 + 2 units, less the 10.00 refund), then the vase (3 + 1; the
    // cancelled one does not count).
    assert_eq!(products["The lamp"], (5, 5 * 2500 - 1000));
    assert_eq!(products["The vase"], (4, 4 * 1000));
    assert_eq!(
        a.top,
        vec![
            TopProduct { product_id: fx.lamp.0, title: "The lamp".into(), units: 5, revenue_minor: 11_500 },
            TopProduct { product_id: fx.vase.0, title: "The vase".into(), units: 4, revenue_minor: 4000 },
        ]
    );
    assert_eq!((a.funnel.views, a.funnel.adds, a.funnel.orders), (2, 3, 5));
    assert_eq!(a.currency, Currency::USD);

    // Cross-check against the database directly.
    let sql = |q: String| {
        let db = db.clone();
        async move { db.scalar_raw(&q).await.unwrap() }
    };
    let (start, end) = (p.start(), p.end());
    let paid_total = sql(format!(
        "SELECT CAST(COALESCE(SUM(p.total_minor), 0) AS BIGINT) FROM order_parts p JOIN orders o ON o.id = p.order_id
         WHERE p.merchant_id = {} AND o.created_at >= {start} AND o.created_at < {end} AND o.status <> 'payment_failed'",
        fx.a
    ))
    .await;
    assert_eq!(a.gross_minor, paid_total);

    // Store B: only its own parts, products, views and adds.
    let b = analytics(&db, fx.b, p).await;
    let (days, statuses, _) = expected(fx.b, p, &views);
    assert_eq!(b.days, days, "revenue per day of B");
    assert_eq!(b.orders, 2);
    assert_eq!(b.refunds_minor, 0);
    assert_eq!(sorted_statuses(b.by_status.clone()), statuses);
    assert_eq!(statuses, vec![StatusCount { status: PartStatus::Paid, count: 2 }]);
    assert_eq!(
        b.top,
        vec![TopProduct { product_id: fx.chair.0, title: "The chair".into(), units: 3, revenue_minor: 12_000 }]
    );
    assert_eq!((b.funnel.views, b.funnel.adds, b.funnel.orders), (1, 1, 2));
    assert!(b.top.iter().all(|t| t.product_id == fx.chair.0));

    // One day only: day 0.
    let one = analytics(&db, fx.a, period(Some("2026-11-10"), Some("2026-11-10"), d + 20).unwrap()).await;
    assert_eq!(one.days.len(), 1);
    assert_eq!(one.orders, 2);
    assert_eq!(one.days[0], days_of(&views, fx.a, d));
}

fn days_of(views: &[(OrderView, Fate)], merchant: i64, day: i64) -> DaySales {
    expected(merchant, Period { from_day: day, to_day: day }, views).0[0]
}

async fn a_period_without_sales_is_all_zeros(db: Database) {
    let fx = stores(&db).await;
    order(&db, &[(fx.lamp, 1)], SUCCEEDS, at(d0(), 10), "k-zero-01").await;
    let p = period(Some("2026-01-01"), Some("2026-01-31"), d0()).unwrap();
    let a = analytics(&db, fx.a, p).await;
    assert_eq!(a.days.len(), 31);
    assert!(a.days.iter().all(|d| *d == DaySales { day: d.day, ..Default::default() }));
    assert_eq!((a.revenue_minor, a.orders, a.average_order_minor), (0, 0, None));
    assert!(a.by_status.is_empty() && a.top.is_empty());
    assert_eq!(a.funnel.rates(), [None, None, None]);
}

async fn adding_to_a_cart_is_recorded_once_per_add(db: Database) {
    let fx = stores(&db).await;
    let u = user(&db, "adder@example.com").await;
    add(&db, CartOwner::User(u), fx.lamp.1, 2, at(d0(), 1)).await;
    add(&db, CartOwner::User(u), fx.lamp.1, 1, at(d0(), 2)).await;
    // A refused add (over the per-line limit) records nothing.
    let carts = db.carts();
    let cart = carts.cart_for(CartOwner::User(u), at(d0(), 3)).await.unwrap();
    let _ = carts.add_item(cart, fx.lamp.1, 100, at(d0(), 3)).await;
    let rows = |q: &str| {
        let db = db.clone();
        let q = q.to_string();
        async move { db.scalar_raw(&q).await.unwrap() }
    };
    assert_eq!(rows("SELECT COUNT(*) FROM cart_adds").await, 2);
    assert_eq!(rows("SELECT CAST(SUM(quantity) AS BIGINT) FROM cart_adds").await, 3);
    assert_eq!(
        rows(&format!("SELECT COUNT(*) FROM cart_adds WHERE user_id = {u} AND merchant_id = {}", fx.a)).await,
        2
    );
}
