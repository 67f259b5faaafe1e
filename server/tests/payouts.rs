//! Marketplace money over real HTTP on the demo shop, on SQLite and PostgreSQL: every figure of a
//! store's balance moves by exactly what its orders and refunds say (captured at checkout, shared
//! with another store, partially refunded twice, cancelled after capture, and with manual capture:
//! left authorized, captured later, cancelled before capture), at the commission frozen on each
//! part when it was placed; payouts are recorded once per key, never above what is owed (also when
//! two are recorded at once), only by the platform admin; the ledger CSV is the store's own. A
//! shared order's part cancelled before a manual capture is neither captured nor earned.
#[macro_use]
mod support;

use app::domain::payouts::{Balance, CommissionRate, Earnings, PayoutRecord, PayoutsOverview};
use server::store::Database;
use support::{ADMIN, OWNER_A, OWNER_B, TestApp};

conformance!(multi_thread;
    balances_move_by_exactly_what_the_orders_and_refunds_say,
    payouts_are_recorded_once_and_never_above_what_is_owed,
);

async fn app(db: Database) -> TestApp {
    support::spawn_app_on(db, app::services::AuthSettings::default()).await
}

async fn earnings(app: &TestApp, cookie: &str, store: i64) -> Earnings {
    app.call(cookie, "/api/admin/earnings", &[("merchant_id", &store.to_string())]).await.ok()
}

/// The store's USD balance; all zero before its first captured sale (the demo's order history
/// has no payments, so it is not in any ledger).
async fn usd(app: &TestApp, cookie: &str, store: i64) -> Balance {
    let e = earnings(app, cookie, store).await;
    let usd = app::domain::money::Currency::USD;
    e.balances.into_iter().find(|b| b.currency == usd).unwrap_or(Balance::zero(usd))
}

fn amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// What a part adds to its store's balance, from the order itself: (sales, refunds, commission).
/// The commission is on the untaxed share of what is left after refunds (`tax` from the part).
async fn part_figures(app: &TestApp, number: &str, store: i64, rate: CommissionRate) -> (i64, i64, i64) {
    let part = app.shop.fulfilment.part(number, store).await.unwrap().unwrap();
    let tax = app
        .db
        .scalar_raw(&format!(
            "SELECT op.tax_minor FROM order_parts op JOIN orders o ON o.id = op.order_id
             WHERE o.number = '{number}' AND op.merchant_id = {store}"
        ))
        .await
        .unwrap();
    let net = part.total_minor - part.refunded_minor;
    (part.total_minor, part.refunded_minor, rate.on_untaxed(net, part.total_minor, tax))
}

async fn balances_move_by_exactly_what_the_orders_and_refunds_say(db: Database) {
    let app = app(db).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let owner_a = app.login(OWNER_A.0, OWNER_A.1).await;
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
    let (a, b) = (app.store_of(OWNER_A.0).await, app.store_of(OWNER_B.0).await);
    let (va, vb) = (app.variant_in_stock(OWNER_A.0, 20).await, app.variant_in_stock(OWNER_B.0, 20).await);
    let rate_a = CommissionRate::from_bps(1250).unwrap();
    let default = CommissionRate::from_bps(1000).unwrap();

    // Store A sells at its own 12.5 %; B at the marketplace's 10 %.
    let res =
        app.call(&admin, "/api/admin/payouts/commission", &[("merchant_id", &a.to_string()), ("rate", "abc")]).await;
    assert!(res.err().field("rate").unwrap().contains("between 0 and 100"));
    app.call(&admin, "/api/admin/payouts/commission", &[("merchant_id", &a.to_string()), ("rate", "12.5")])
        .await
        .ok::<()>();
    let before_a = usd(&app, &owner_a, a).await;
    let before_b = usd(&app, &owner_b, b).await;

    // Captured at checkout: one of A's own, one shared with B.
    let alone = app.paid_guest_order(vec![(va, 2)], "payouts-ledger-0001", false).await;
    let shared = app.paid_guest_order(vec![(va, 1), (vb, 1)], "payouts-ledger-0002", false).await;
    // Refunded in two parts (1.00, then 2.50), and one cancelled after capture (refunded whole).
    let refunded = app.paid_guest_order(vec![(va, 3)], "payouts-ledger-0003", false).await;
    let line = app.shop.fulfilment.part(&refunded, a).await.unwrap().unwrap().lines[0].line_id;
    for (cut, key) in [("1.00", "payouts-refund-0001"), ("2.50", "payouts-refund-0002")] {
        let line = format!("{line}:{cut}");
        let form = [("number", refunded.as_str()), ("lines[0]", line.as_str()), ("idempotency_key", key)];
        assert_eq!(app.call(&owner_a, "/api/admin/order/refund", &form).await.status, 200);
    }
    let cancelled = app.paid_guest_order(vec![(va, 1)], "payouts-ledger-0004", false).await;
    let cancel = [
        ("number", cancelled.as_str()),
        ("reason", "Damaged in the warehouse"),
        ("idempotency_key", "payouts-cancel-0001"),
    ];
    assert_eq!(app.call(&owner_a, "/api/admin/order/cancel", &cancel).await.status, 200);

    // Manual capture: one left authorized, one captured later, one cancelled before capture.
    let held = app.paid_guest_order(vec![(va, 1)], "payouts-ledger-0005", true).await;
    let taken = app.paid_guest_order(vec![(va, 2)], "payouts-ledger-0006", true).await;
    let capture = [
        ("merchant_id", a.to_string()),
        ("order_number", taken.clone()),
        ("idempotency_key", "payouts-capture-0001".into()),
    ];
    let capture: Vec<(&str, &str)> = capture.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call(&owner_a, "/api/admin/payments/capture", &capture).await.status, 200);
    let voided = app.paid_guest_order(vec![(va, 1)], "payouts-ledger-0007", true).await;
    let cancel =
        [("number", voided.as_str()), ("reason", "Customer asked"), ("idempotency_key", "payouts-cancel-0002")];
    assert_eq!(app.call(&owner_a, "/api/admin/order/cancel", &cancel).await.status, 200);

    // A shared order under manual capture: B cancels its part before the capture, so the
    // marketplace takes only A's part (the shopper never pays for B's), and only A earns.
    let split = app.paid_guest_order(vec![(va, 1), (vb, 2)], "payouts-ledger-0008", true).await;
    let cancel = [("number", split.as_str()), ("reason", "Out of stock"), ("idempotency_key", "payouts-cancel-0003")];
    assert_eq!(app.call(&owner_b, "/api/admin/order/cancel", &cancel).await.status, 200);
    let capture = [("order_number", split.as_str()), ("idempotency_key", "payouts-capture-0002")];
    assert_eq!(app.call(&admin, "/api/admin/payments/capture", &capture).await.status, 200);
    let (a_part, _, _) = part_figures(&app, &split, a, rate_a).await;
    let whole = app.shop.admin.payment(None, &split).await.unwrap().unwrap();
    assert_eq!(whole.captured_minor, a_part, "the cancelled part is not captured");
    assert!(whole.amount_minor > a_part);

    // The expected movement, from the parts as the order pages show them.
    let mut expected = (0, 0, 0);
    for number in [&alone, &shared, &refunded, &cancelled, &taken, &split] {
        let (s, r, c) = part_figures(&app, number, a, rate_a).await;
        expected = (expected.0 + s, expected.1 + r, expected.2 + c);
    }
    let (_, r3, _) = part_figures(&app, &refunded, a, rate_a).await;
    assert_eq!(r3, 350, "two partial refunds");
    let after_a = usd(&app, &owner_a, a).await;
    let moved = (
        after_a.sales_minor - before_a.sales_minor,
        after_a.refunds_minor - before_a.refunds_minor,
        after_a.commission_minor - before_a.commission_minor,
    );
    assert_eq!(moved, expected, "store A's sales, refunds and commission");
    assert_eq!(after_a.owed_minor() - before_a.owed_minor(), expected.0 - expected.1 - expected.2);
    let (s, r, c) = part_figures(&app, &shared, b, default).await;
    let after_b = usd(&app, &owner_b, b).await;
    assert_eq!(
        (
            after_b.sales_minor - before_b.sales_minor,
            after_b.refunds_minor - before_b.refunds_minor,
            after_b.commission_minor - before_b.commission_minor
        ),
        (s, r, c),
        "store B's part of the shared order, at the marketplace's rate"
    );
    // Held and voided orders are in no ledger; their stores' figures did not count them.
    let page = earnings(&app, &owner_a, a).await;
    for number in [&held, &voided] {
        assert!(!page.entries.iter().any(|e| &e.reference == number), "{number} is not a sale");
    }
    assert!(page.entries.iter().any(|e| e.reference == taken && e.amount.minor > 0), "the manual capture's sale");
    assert!(page.entries.iter().any(|e| e.reference == refunded && e.amount.minor == -250));

    // The rate is frozen on each part: a later change does not rewrite what was sold.
    let frozen = app
        .db
        .scalar_raw(&format!(
            "SELECT op.commission_bps FROM order_parts op JOIN orders o ON o.id = op.order_id
             WHERE o.number = '{alone}'"
        ))
        .await
        .unwrap();
    assert_eq!(frozen, rate_a.bps(), "the store's own rate, as domain::payouts::effective_rate decides");
    let frozen_b = app
        .db
        .scalar_raw(&format!(
            "SELECT op.commission_bps FROM order_parts op JOIN orders o ON o.id = op.order_id
             WHERE o.number = '{shared}' AND op.merchant_id = {b}"
        ))
        .await
        .unwrap();
    assert_eq!(frozen_b, default.bps());
    app.call(&admin, "/api/admin/payouts/commission", &[("merchant_id", &a.to_string()), ("rate", "20")])
        .await
        .ok::<()>();
    app.call(&admin, "/api/admin/payouts/commission", &[("rate", "15")]).await.ok::<()>();
    assert_eq!(usd(&app, &owner_a, a).await, after_a);
    assert_eq!(usd(&app, &owner_b, b).await, after_b);
    let e = earnings(&app, &owner_a, a).await;
    assert_eq!((e.rate.bps(), e.own_rate), (2000, true));
    // Back to the default: blank clears the store's own rate.
    app.call(&admin, "/api/admin/payouts/commission", &[("merchant_id", &a.to_string()), ("rate", "")])
        .await
        .ok::<()>();
    let e = earnings(&app, &owner_a, a).await;
    assert_eq!((e.rate.bps(), e.own_rate), (1500, false));

    // The admin's overview agrees with each store's page.
    let overview: PayoutsOverview = app.call(&admin, "/api/admin/payouts", &[]).await.ok();
    let listed = overview.stores.iter().find(|s| s.merchant_id == a).unwrap();
    assert_eq!(listed.balances.iter().find(|x| x.currency.code() == "USD"), Some(&after_a));
}

async fn payouts_are_recorded_once_and_never_above_what_is_owed(db: Database) {
    let app = app(db).await;
    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let owner_a = app.login(OWNER_A.0, OWNER_A.1).await;
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
    let a = app.store_of(OWNER_A.0).await;
    let va = app.variant_in_stock(OWNER_A.0, 20).await;
    app.paid_guest_order(vec![(va, 2)], "payouts-record-0001", false).await;
    app.paid_guest_order(vec![(app.variant_in_stock(OWNER_B.0, 20).await, 1)], "payouts-record-0002", false).await;
    let owed = usd(&app, &owner_a, a).await.owed_minor();
    assert!(owed > 2000, "the demo store is owed something: {owed}");
    let store = a.to_string();
    let form = |amount: &str, reference: &str, key: &str| -> Vec<(String, String)> {
        vec![
            ("merchant_id".into(), store.clone()),
            ("currency".into(), "USD".into()),
            ("amount".into(), amount.into()),
            ("reference".into(), reference.into()),
            ("idempotency_key".into(), key.into()),
        ]
    };
    let call = |cookie: String, f: Vec<(String, String)>| {
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call(&cookie, "/api/admin/payouts/record", &f).await
        }
    };

    // Only the platform admin records payouts; another store cannot read A's earnings.
    assert_eq!(call(owner_a.clone(), form("10.00", "TR-1", "payouts-key-00001")).await.status, 403);
    assert_eq!(app.call(&owner_b, "/api/admin/earnings", &[("merchant_id", &store)]).await.status, 403);
    // More than owed, no reference, nonsense: refused with what to fix, nothing written.
    let res = call(admin.clone(), form(&amount(owed + 1), "TR-1", "payouts-key-00002")).await;
    assert!(res.err().field("amount").unwrap().contains(&format!("owed ${}", amount(owed))), "{}", res.body);
    assert!(call(admin.clone(), form("10.00", " ", "payouts-key-00003")).await.err().field("reference").is_some());
    assert!(call(admin.clone(), form("ten", "TR-1", "payouts-key-00004")).await.err().field("amount").is_some());
    assert_eq!(usd(&app, &owner_a, a).await.owed_minor(), owed);

    // A payout sent twice (a double click, a retried request) is recorded once.
    let first: PayoutRecord = call(admin.clone(), form("10.00", "TR-2026-001", "payouts-key-00005")).await.ok();
    let again: PayoutRecord = call(admin.clone(), form("10.00", "TR-2026-001", "payouts-key-00005")).await.ok();
    assert_eq!(first, again);
    let after = usd(&app, &owner_a, a).await;
    assert_eq!(after.owed_minor(), owed - 1000);
    assert_eq!(after.payouts_minor, 1000);
    // The same key for another amount is a conflict.
    assert_eq!(call(admin.clone(), form("11.00", "TR-2026-001", "payouts-key-00005")).await.status, 409);

    // Two payouts of 60 % of the balance at once: one goes through, the other is refused.
    let owed = after.owed_minor();
    let big = amount(owed * 6 / 10);
    let (x, y) = tokio::join!(
        call(admin.clone(), form(&big, "TR-RACE-X", "payouts-key-00006")),
        call(admin.clone(), form(&big, "TR-RACE-Y", "payouts-key-00007")),
    );
    let statuses = [x.status, y.status];
    assert!(
        statuses.contains(&200) && statuses.iter().filter(|s| **s == 200).count() == 1,
        "{statuses:?} {} {}",
        x.body,
        y.body
    );
    let left = usd(&app, &owner_a, a).await.owed_minor();
    assert_eq!(left, owed - owed * 6 / 10);
    assert!(left >= 0);

    // The admin's page lists it; the store's CSV has it; another store's owner cannot get it.
    let overview: PayoutsOverview = app.call(&admin, "/api/admin/payouts", &[]).await.ok();
    assert!(overview.recent.iter().any(|(p, _)| p.reference == "TR-2026-001" && p.merchant_id == a));
    let csv = app.get_as(&owner_a, "/admin/earnings/ledger.csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.body.starts_with("date,store_id,store,entry,reference,amount,currency"),
        "{}",
        &csv.body[..80.min(csv.body.len())]
    );
    assert!(csv.body.contains(",payout,TR-2026-001,-10.00,USD"), "the payout row");
    let sum: i64 = csv
        .body
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').nth(1))
        .map(|a| app::domain::product_form::parse_amount(a).unwrap())
        .sum();
    assert_eq!(sum, left, "the CSV's amounts add up to the balance");
    assert_eq!(app.get_as(&owner_b, &format!("/admin/earnings/ledger.csv?store={a}")).await.status, 403);
    let anonymous = app.client.get("/admin/earnings/ledger.csv").await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.header("location").unwrap().starts_with("/login"));
    let whole = app.get_as(&admin, "/admin/earnings/ledger.csv").await;
    assert_eq!(whole.status, 200);
    assert!(whole.body.contains("TR-RACE-"), "{}", &whole.body[..300.min(whole.body.len())]);
    assert!(whole.body.lines().count() > csv.body.lines().count(), "every store's entries");
    // The pages answer without JavaScript: a store's Earnings, the admin's Payouts; a store
    // owner is refused the Payouts page.
    let page = app.get_as(&owner_a, "/admin/earnings").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("TR-2026-001") && page.body.contains("Owed to the store"));
    assert_eq!(app.get_as(&admin, "/admin/payouts").await.status, 200);
    assert_eq!(app.get_as(&owner_a, "/admin/payouts").await.status, 403);
}
