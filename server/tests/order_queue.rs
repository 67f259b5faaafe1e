//! A store's orders queue at size, against SQLite and PostgreSQL: paging by cursor visits every
//! order once, in order, and back; the search finds orders by number, e-mail (or its start),
//! the start of the ship-to name and SKU, only within the store; the CSV export over HTTP holds
//! every order once with plain decimal amounts and refuses other stores.
#[macro_use]
mod support;

use app::domain::gateway::TestGateway;
use app::domain::order::PartStatus;
use app::domain::order_search;
use app::domain::paging::Cursor;
use app::services::checkout::{CheckoutOutcome, CheckoutSettings, place_order};
use app::services::order_store::PartFilter;
use app::services::order_views::ORDERS_CSV_COLUMNS;
use app::services::order_views::store_parts;
use server::store::Database;
use support::fixtures::{self, Marketplace, store};
use support::{OWNER_A, OWNER_B};

conformance!(multi_thread;
    paging_visits_every_order_once_in_order_and_back,
    the_search_finds_orders_by_number_email_name_and_sku_in_its_store_only,
    the_orders_page_and_csv_answer_over_http_for_the_store_only,
    payments_page_by_cursor_and_are_found_by_email_in_the_store_only,
);

const CARD: &str = "4242 4242 4242 4242";

/// Two stores; `n` paid orders at "north" (customer i: `buyer{i}@example.com`, "Buyer {i}
/// Smith"), every fifth also buying from "volt". Returns (north, volt, order numbers oldest first).
async fn shop_with_orders(db: &Database, n: usize) -> (i64, i64, Vec<String>) {
    let lamp = |s: &str| fixtures::item(&format!("{s}-lamp")).sku(format!("{s}-SKU-1")).price(2500).stock(10_000);
    let m = Marketplace::new()
        .store(store("north").sells([lamp("north")]))
        .store(store("volt").sells([lamp("volt")]))
        .build(db)
        .await;
    let (a, b) = (m.variant("north-lamp"), m.variant("volt-lamp"));
    let ids = db.orders().variants_for_order(&[a, b]).await.unwrap();
    let merchant = |v: i64| ids.iter().find(|x| x.variant_id == v).unwrap().merchant_id;
    let mut numbers = Vec::new();
    for i in 0..n {
        let lines = if i % 5 == 0 { vec![(a, 1), (b, 1)] } else { vec![(a, 1)] };
        let mut req = support::guest_checkout(
            lines,
            CARD,
            &format!("queue-key-{i:06}"),
            1_800_000_000 + i as i64,
            [i as u8, (i >> 8) as u8, 7, 7, 7, 7, 7, 7],
        );
        req.email = format!("buyer{i}@example.com");
        req.address.name = format!("Buyer {i} Smith");
        let out = place_order(db.orders().as_ref(), &TestGateway, &CheckoutSettings::default(), req).await.unwrap();
        let CheckoutOutcome::Paid { number } = out else { panic!("{out:?}") };
        numbers.push(number);
    }
    (merchant(a), merchant(b), numbers)
}

async fn paging_visits_every_order_once_in_order_and_back(db: Database) {
    let (north, _, numbers) = shop_with_orders(&db, 57).await;
    let orders = db.orders();
    let all = PartFilter::default();
    let mut pages = vec![store_parts(orders.as_ref(), north, &all, Cursor::Newest, 25).await.unwrap()];
    while let Some(k) = pages.last().and_then(|p| p.older) {
        pages.push(store_parts(orders.as_ref(), north, &all, Cursor::Before(k), 25).await.unwrap());
    }
    let sizes: Vec<usize> = pages.iter().map(|p| p.rows.len()).collect();
    assert_eq!(sizes, [25, 25, 7]);
    let seen: Vec<String> = pages.iter().flat_map(|p| p.rows.iter().map(|r| r.number.clone())).collect();
    let newest_first: Vec<String> = numbers.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first, "every order once, newest first");
    // "Newer" from the last page comes back through the same pages to the first.
    let middle = store_parts(orders.as_ref(), north, &all, Cursor::After(pages[2].newer.unwrap()), 25).await.unwrap();
    assert_eq!(middle.rows, pages[1].rows);
    let first = store_parts(orders.as_ref(), north, &all, Cursor::After(middle.newer.unwrap()), 25).await.unwrap();
    assert_eq!((first.rows.clone(), first.newer), (pages[0].rows.clone(), None));
    // A status the queue has none of is an empty page, not an error.
    let shipped = PartFilter { status: Some(PartStatus::Shipped), search: None };
    assert!(store_parts(orders.as_ref(), north, &shipped, Cursor::Newest, 25).await.unwrap().rows.is_empty());
    let paid = PartFilter { status: Some(PartStatus::Paid), search: None };
    let paid_page = store_parts(orders.as_ref(), north, &paid, Cursor::Before(pages[0].older.unwrap()), 25).await;
    assert_eq!(paid_page.unwrap().rows, pages[1].rows, "the status filter pages the same way");
}

async fn the_search_finds_orders_by_number_email_name_and_sku_in_its_store_only(db: Database) {
    let (north, volt, numbers) = shop_with_orders(&db, 30).await;
    let orders = db.orders();
    let find = |merchant: i64, typed: &str| {
        let orders = orders.clone();
        let filter = PartFilter { status: None, search: order_search::parse(typed).unwrap() };
        async move {
            let page = store_parts(orders.as_ref(), merchant, &filter, Cursor::Newest, 25).await.unwrap();
            page.rows.into_iter().map(|r| r.number).collect::<Vec<_>>()
        }
    };
    // An order number, typed the way people type it.
    assert_eq!(find(north, &numbers[12].to_lowercase()).await, [numbers[12].clone()]);
    // A whole e-mail address, in any case; and the start of one (newest first).
    assert_eq!(find(north, "Buyer7@Example.com").await, [numbers[7].clone()]);
    assert_eq!(
        find(north, "buyer2").await,
        [
            &numbers[29],
            &numbers[28],
            &numbers[27],
            &numbers[26],
            &numbers[25],
            &numbers[24],
            &numbers[23],
            &numbers[22],
            &numbers[21],
            &numbers[20],
            &numbers[2]
        ]
        .map(|s| s.clone())
    );
    // The start of the ship-to name.
    assert_eq!(find(north, "buyer 13 sm").await, [numbers[13].clone()]);
    // A SKU: every order holding it, in that store only.
    assert_eq!(find(north, "north-SKU-1").await.len(), 25, "a page of the 30");
    assert!(find(north, "volt-SKU-1").await.is_empty(), "north's search never finds volt's lines");
    assert_eq!(find(volt, "volt-SKU-1").await.len(), 6, "orders 0, 5, …, 25");
    // Volt sees only the orders it has a part in, whatever matches elsewhere.
    assert!(find(volt, "buyer7@example.com").await.is_empty());
    assert_eq!(find(volt, "buyer5@example.com").await, [numbers[5].clone()]);
    assert!(find(north, "nobody@example.com").await.is_empty());
}

async fn the_orders_page_and_csv_answer_over_http_for_the_store_only(db: Database) {
    let app = support::spawn_app_on(db, app::services::AuthSettings::default()).await;
    let owner_a = app.login(OWNER_A.0, OWNER_A.1).await;
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
    let a = app.store_of(OWNER_A.0).await;
    // Every part of store A, walked by cursor through the service.
    let orders = app.db.orders();
    let mut all = Vec::new();
    let mut cursor = Cursor::Newest;
    loop {
        let page = store_parts(orders.as_ref(), a, &PartFilter::default(), cursor, 100).await.unwrap();
        all.extend(page.rows);
        match page.older {
            Some(k) => cursor = Cursor::Before(k),
            None => break,
        }
    }
    assert!(all.len() > 25, "the demo store has more than a page of orders ({})", all.len());

    let csv = app.get_as(&owner_a, "/admin/orders.csv").await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut lines = csv.body.lines();
    assert_eq!(lines.next(), Some(ORDERS_CSV_COLUMNS.join(",").as_str()));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), all.len(), "one row per part");
    let oldest = all.last().unwrap();
    assert!(rows[0].starts_with(&format!("{},", oldest.number)), "oldest first: {}", rows[0]);
    assert!(rows[0].contains(&format!(",{},{},", oldest.total.decimal(), oldest.total.currency.code())), "{}", rows[0]);

    // A search narrows the file and the page alike; a search that cannot run is refused.
    let one = &all[3];
    let found = app.get_as(&owner_a, &format!("/admin/orders.csv?q={}", support::encode(&one.number))).await;
    assert_eq!(found.body.lines().count(), 2, "{}", found.body);
    let page = app.get_as(&owner_a, &format!("/admin/orders?q={}", support::encode(&one.email))).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&one.number), "the page lists the order found by e-mail");
    assert_eq!(app.get_as(&owner_a, "/admin/orders.csv?q=x").await.status, 400);

    // Another store's owner is refused; nobody signed in is sent to sign in.
    assert_eq!(app.get_as(&owner_b, &format!("/admin/orders.csv?store={a}")).await.status, 403);
    let anonymous = app.client.get("/admin/orders.csv").await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.header("location").unwrap().starts_with("/login"));
}

async fn payments_page_by_cursor_and_are_found_by_email_in_the_store_only(db: Database) {
    let (north, volt, numbers) = shop_with_orders(&db, 40).await;
    let admin = db.admin();
    let read = |merchant: Option<i64>, search: Option<&str>, cursor: Cursor| {
        let admin = admin.clone();
        let query = search.map(|s| order_search::parse(s).unwrap().unwrap());
        async move {
            let rows = admin.payments(merchant, None, query.as_ref(), cursor, 26).await.unwrap();
            rows.into_iter().map(|r| (r.order_id, r.order_number)).collect::<Vec<_>>()
        }
    };
    // North: 40 payments, newest first, 26 read for a page of 25, then the rest after the 25th.
    let first = read(Some(north), None, Cursor::Newest).await;
    assert_eq!(first.len(), 26);
    assert_eq!(first[0].1, numbers[39]);
    let rest = read(Some(north), None, Cursor::Before(first[24].0)).await;
    let seen: Vec<String> = first[..25].iter().chain(rest.iter()).map(|(_, n)| n.clone()).collect();
    assert_eq!(seen, numbers.iter().rev().cloned().collect::<Vec<_>>(), "every payment once, newest first");
    let back = read(Some(north), None, Cursor::After(rest[0].0)).await;
    assert_eq!(back.first().map(|r| r.1.clone()), Some(numbers[15].clone()), "oldest first after the cursor");
    // Volt has a part in every fifth order only; the marketplace sees all 40.
    assert_eq!(read(Some(volt), None, Cursor::Newest).await.len(), 8);
    assert_eq!(read(None, None, Cursor::Newest).await.len(), 26);
    // Found by e-mail (or its start) and by number, within the store.
    let numbers_of = |rows: Vec<(i64, String)>| rows.into_iter().map(|(_, n)| n).collect::<Vec<_>>();
    assert_eq!(numbers_of(read(Some(north), Some("BUYER12@example.com"), Cursor::Newest).await), [numbers[12].clone()]);
    assert_eq!(
        numbers_of(read(Some(north), Some(&numbers[12].to_lowercase()), Cursor::Newest).await),
        [numbers[12].clone()]
    );
    assert_eq!(read(Some(north), Some("buyer12@"), Cursor::Newest).await.len(), 1);
    assert!(read(Some(volt), Some("buyer12@example.com"), Cursor::Newest).await.is_empty(), "not volt's order");
    assert_eq!(read(Some(volt), Some("buyer10@example.com"), Cursor::Newest).await.len(), 1);
}
