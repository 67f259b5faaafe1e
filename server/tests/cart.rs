//! Cart storage and rules, run against SQLite and PostgreSQL: one cart per guest token or user,
//! adds that sum up and cap by stock and the per-line limit, lines joined with the catalog as it is
//! now, and a guest-to-account merge that is all or nothing. Then the cart over HTTP as a browser
//! without JavaScript uses it.
#[macro_use]
mod support;

use app::domain::cart::{MAX_QTY_PER_LINE, NoticeKind, review_lines};
use app::domain::errors::AppError;
use app::services::StoreError;
use app::services::cart_store::{AddOutcome, CartOwner, CartStore};
use server::store::Database;
use std::sync::Arc;
use support::fixtures::{self, Marketplace, store, variant};

conformance!(
    each_guest_and_user_has_one_cart_of_their_own,
    adding_sums_up_and_caps_by_stock_and_the_line_limit,
    quantities_change_and_lines_go,
    lines_show_the_catalog_as_it_is_now,
    merging_adds_up_caps_by_stock_and_deletes_the_guest_cart,
    merging_is_all_or_nothing,
    concurrent_adds_to_one_line_all_count,
    the_service_parses_quantities_and_scopes_by_owner,
);

/// Store A sells a mug (stock 5, $10.00) and a lamp in two sizes (stock 500, $40/$55); store B
/// sells a tee (stock 3, $25.00).
struct Fixture {
    db: Database,
    store: Arc<dyn CartStore>,
    merchant_a: i64,
    merchant_b: i64,
    mug: i64,
    lamp_small: i64,
    lamp_large: i64,
    tee: i64,
    mug_product: i64,
}

async fn fixture(db: Database) -> Fixture {
    let product =
        |slug: &str, title: &str| fixtures::item(slug).title(title).description("A fine thing.").created_at(1_000);
    let single = |slug: &str, title: &str, sku: &str, price: i64, stock: i64| {
        product(slug, title).sku(sku).variant_title("Default").price(price).stock(stock)
    };
    let lamp_sizes =
        vec![variant("lamp-s", "Small", &["Small"], 4000, 500), variant("lamp-l", "Large", &["Large"], 5500, 500)];
    let m = Marketplace::new()
        .category("home", "Home")
        .store(store("store-a").name("Northwind").sells([
            single("mug", "Stoneware Mug", "mug-0", 1000, 5),
            product("lamp", "Desk Lamp").options(&["Size"], lamp_sizes),
        ]))
        .store(store("store-b").name("Harbor").sells([single("tee", "Linen Tee", "tee-0", 2500, 3)]))
        .build(&db)
        .await;
    let lamp = m.product("lamp");
    Fixture {
        store: db.carts(),
        db,
        merchant_a: m.stores[0],
        merchant_b: m.stores[1],
        mug: m.variant("mug"),
        lamp_small: lamp.variants[0],
        lamp_large: lamp.variants[1],
        tee: m.variant("tee"),
        mug_product: m.product("mug").id,
    }
}

async fn user(db: &Database, name: &str) -> i64 {
    fixtures::shopper(db, &format!("{}@example.com", name.to_lowercase()), name).await
}

const GUEST: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const OTHER_GUEST: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn added(quantity: i64) -> AddOutcome {
    AddOutcome::Added { quantity, capped: None }
}

/// (variant, quantity) pairs of a cart, in order.
async fn contents(store: &dyn CartStore, cart: i64) -> Vec<(i64, i64)> {
    store.lines(cart).await.unwrap().iter().map(|l| (l.variant_id, l.quantity)).collect()
}

async fn each_guest_and_user_has_one_cart_of_their_own(db: Database) {
    let f = fixture(db).await;
    let ada = user(&f.db, "Ada").await;
    assert_eq!(f.store.find_cart(CartOwner::Guest(GUEST)).await.unwrap(), None, "reading creates nothing");
    assert_eq!(f.store.find_cart(CartOwner::User(ada)).await.unwrap(), None);
    let guest = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    assert_eq!(f.store.cart_for(CartOwner::Guest(GUEST), 20).await.unwrap(), guest, "found, not created again");
    assert_eq!(f.store.find_cart(CartOwner::Guest(GUEST)).await.unwrap(), Some(guest));
    let other = f.store.cart_for(CartOwner::Guest(OTHER_GUEST), 10).await.unwrap();
    let account = f.store.cart_for(CartOwner::User(ada), 10).await.unwrap();
    assert!(guest != other && guest != account && other != account);

    f.store.add_item(guest, f.mug, 1, 30).await.unwrap();
    assert_eq!(contents(f.store.as_ref(), guest).await, [(f.mug, 1)]);
    assert!(contents(f.store.as_ref(), other).await.is_empty(), "another guest's cart is untouched");
    assert!(contents(f.store.as_ref(), account).await.is_empty());
    assert_eq!(f.store.item_count(other).await.unwrap(), 0);
}

async fn adding_sums_up_and_caps_by_stock_and_the_line_limit(db: Database) {
    let f = fixture(db).await;
    let cart = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    assert_eq!(f.store.add_item(cart, f.mug, 2, 20).await.unwrap(), added(2));
    assert_eq!(f.store.add_item(cart, f.mug, 2, 21).await.unwrap(), added(4), "quantities add up");
    let capped = f.store.add_item(cart, f.mug, 3, 22).await.unwrap();
    assert_eq!(
        capped,
        AddOutcome::Added {
            quantity: 5, capped: Some("Only 5 of “Stoneware Mug” left, so your cart has 5.".into())
        }
    );
    let refused = f.store.add_item(cart, f.mug, 1, 23).await.unwrap();
    assert_eq!(refused, AddOutcome::Refused("Only 5 of “Stoneware Mug” left; your cart has 5.".into()));

    assert_eq!(f.store.add_item(cart, f.lamp_small, 60, 24).await.unwrap(), added(60));
    match f.store.add_item(cart, f.lamp_small, 60, 25).await.unwrap() {
        AddOutcome::Added { quantity, capped: Some(m) } => {
            assert_eq!(quantity, MAX_QTY_PER_LINE);
            assert!(m.contains("at most 99 of “Desk Lamp — Small”"), "{m}");
        }
        other => panic!("expected a capped add, got {other:?}"),
    }
    // Out of range quantities never reach the table; unknown variants are refused.
    assert!(matches!(f.store.add_item(cart, f.tee, 0, 26).await, Err(StoreError::Invalid(_))));
    assert!(matches!(f.store.add_item(cart, f.tee, 100, 26).await, Err(StoreError::Invalid(_))));
    assert!(matches!(f.store.add_item(cart, 999_999, 1, 26).await.unwrap(), AddOutcome::Refused(_)));
    // Sold out, or unpublished: refused, nothing written.
    f.db.execute_raw(&format!("UPDATE product_variants SET stock = 0 WHERE id = {}", f.tee)).await.unwrap();
    assert_eq!(
        f.store.add_item(cart, f.tee, 1, 27).await.unwrap(),
        AddOutcome::Refused("“Linen Tee” is sold out.".into())
    );
    f.db.execute_raw(&format!("UPDATE products SET status = 'draft' WHERE id = {}", f.mug_product)).await.unwrap();
    assert!(
        matches!(f.store.add_item(cart, f.mug, 1, 28).await.unwrap(), AddOutcome::Refused(m) if m.contains("no longer available"))
    );
    assert_eq!(contents(f.store.as_ref(), cart).await, [(f.mug, 5), (f.lamp_small, 99)]);
    assert_eq!(f.store.item_count(cart).await.unwrap(), 104);
}

async fn quantities_change_and_lines_go(db: Database) {
    let f = fixture(db).await;
    let cart = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    f.store.add_item(cart, f.mug, 1, 20).await.unwrap();
    f.store.add_item(cart, f.tee, 1, 21).await.unwrap();
    f.store.add_item(cart, f.lamp_large, 2, 22).await.unwrap();
    assert!(f.store.set_quantity(cart, f.mug, 3, 30).await.unwrap());
    assert_eq!(contents(f.store.as_ref(), cart).await, [(f.mug, 3), (f.tee, 1), (f.lamp_large, 2)]);
    assert!(f.store.set_quantity(cart, f.tee, 0, 31).await.unwrap(), "0 removes the line");
    assert!(f.store.remove_item(cart, f.lamp_large).await.unwrap());
    assert!(!f.store.remove_item(cart, f.lamp_large).await.unwrap(), "already gone");
    assert!(!f.store.set_quantity(cart, f.tee, 2, 32).await.unwrap(), "not in the cart");
    assert!(matches!(f.store.set_quantity(cart, f.mug, 100, 33).await, Err(StoreError::Invalid(_))));
    assert!(matches!(f.store.set_quantity(cart, f.mug, -1, 33).await, Err(StoreError::Invalid(_))));
    assert_eq!(contents(f.store.as_ref(), cart).await, [(f.mug, 3)]);
    // Another cart's line cannot be changed through this cart.
    let other = f.store.cart_for(CartOwner::Guest(OTHER_GUEST), 10).await.unwrap();
    assert!(!f.store.set_quantity(other, f.mug, 1, 34).await.unwrap());
    assert!(!f.store.remove_item(other, f.mug).await.unwrap());
    assert_eq!(contents(f.store.as_ref(), cart).await, [(f.mug, 3)]);
    f.store.clear(cart).await.unwrap();
    assert!(contents(f.store.as_ref(), cart).await.is_empty());
    assert_eq!(f.store.find_cart(CartOwner::Guest(GUEST)).await.unwrap(), Some(cart), "the cart itself stays");
}

async fn lines_show_the_catalog_as_it_is_now(db: Database) {
    let f = fixture(db).await;
    let cart = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    f.store.add_item(cart, f.mug, 2, 20).await.unwrap();
    f.store.add_item(cart, f.tee, 1, 21).await.unwrap();
    f.store.add_item(cart, f.lamp_large, 1, 22).await.unwrap();
    let items = f.store.items(cart).await.unwrap();
    let mug = &items[0];
    assert_eq!((mug.line.title.as_str(), mug.product_slug.as_str()), ("Stoneware Mug", "mug"));
    assert_eq!((mug.line.merchant_id, mug.line.merchant_name.as_str()), (f.merchant_a, "Northwind"));
    assert_eq!((mug.line.unit_price.minor, mug.line.price_at_add.minor, mug.line.stock), (1000, 1000, 5));
    assert!(mug.line.published);
    assert_eq!((items[1].line.merchant_id, items[1].line.merchant_name.as_str()), (f.merchant_b, "Harbor"));
    assert_eq!(items[2].line.title, "Desk Lamp — Large");
    assert_eq!((items[2].product_title.as_str(), items[2].variant_title.as_str()), ("Desk Lamp", "Large"));
    assert!(review_lines(&f.store.lines(cart).await.unwrap()).is_empty());

    // The mug gets dearer and runs short, the tee's store is suspended, the lamp is unpublished.
    for sql in [
        format!("UPDATE product_variants SET price_minor = 1200, stock = 1 WHERE id = {}", f.mug),
        format!("UPDATE merchants SET status = 'suspended' WHERE id = {}", f.merchant_b),
        format!(
            "UPDATE products SET status = 'draft' WHERE id = (SELECT product_id FROM product_variants WHERE id = {})",
            f.lamp_large
        ),
    ] {
        f.db.execute_raw(&sql).await.unwrap();
    }
    let lines = f.store.lines(cart).await.unwrap();
    assert_eq!(lines.len(), 3, "unavailable lines stay, flagged");
    assert_eq!((lines[0].unit_price.minor, lines[0].price_at_add.minor, lines[0].stock), (1200, 1000, 1));
    assert_eq!(lines.iter().map(|l| l.published).collect::<Vec<_>>(), [true, false, false]);
    let kinds: Vec<(i64, NoticeKind)> = review_lines(&lines).iter().map(|n| (n.variant_id, n.kind)).collect();
    assert_eq!(
        kinds,
        [
            (f.mug, NoticeKind::NotEnoughStock),
            (f.mug, NoticeKind::PriceChanged),
            (f.tee, NoticeKind::Unavailable),
            (f.lamp_large, NoticeKind::Unavailable)
        ]
    );
    // Setting the quantity on the cart page means the shopper has seen the new price.
    assert!(f.store.set_quantity(cart, f.mug, 1, 30).await.unwrap());
    let mug = &f.store.lines(cart).await.unwrap()[0];
    assert_eq!((mug.quantity, mug.price_at_add.minor), (1, 1200));
    // A deleted product leaves the cart with it.
    f.db.execute_raw(&format!("DELETE FROM product_variants WHERE id = {}", f.lamp_large)).await.unwrap();
    assert_eq!(contents(f.store.as_ref(), cart).await, [(f.mug, 1), (f.tee, 1)]);
}

async fn merging_adds_up_caps_by_stock_and_deletes_the_guest_cart(db: Database) {
    let f = fixture(db).await;
    let ada = user(&f.db, "Ada").await;
    // Nothing to merge: no notices, no cart made.
    assert!(f.store.merge_guest_cart(GUEST, ada, 5).await.unwrap().is_empty());
    assert_eq!(f.store.find_cart(CartOwner::User(ada)).await.unwrap(), None);

    let account = f.store.cart_for(CartOwner::User(ada), 10).await.unwrap();
    f.store.add_item(account, f.mug, 2, 11).await.unwrap();
    f.store.add_item(account, f.lamp_small, 1, 12).await.unwrap();
    let guest = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    f.store.add_item(guest, f.mug, 4, 13).await.unwrap();
    f.store.add_item(guest, f.tee, 2, 14).await.unwrap();
    f.store.add_item(guest, f.lamp_large, 1, 15).await.unwrap();
    // The large lamp sells out while the guest browses.
    f.db.execute_raw(&format!("UPDATE product_variants SET stock = 0 WHERE id = {}", f.lamp_large)).await.unwrap();

    let notices = f.store.merge_guest_cart(GUEST, ada, 20).await.unwrap();
    let kinds: Vec<(i64, NoticeKind)> = notices.iter().map(|n| (n.variant_id, n.kind)).collect();
    assert_eq!(kinds, [(f.mug, NoticeKind::Capped), (f.lamp_large, NoticeKind::SoldOut)]);
    assert_eq!(notices[0].message, "Only 5 of “Stoneware Mug” left; your cart has 5.");
    assert_eq!(contents(f.store.as_ref(), account).await, [(f.mug, 5), (f.lamp_small, 1), (f.tee, 2)]);
    assert_eq!(f.store.find_cart(CartOwner::Guest(GUEST)).await.unwrap(), None, "the guest cart is gone");
    assert!(contents(f.store.as_ref(), guest).await.is_empty(), "and its lines with it");
    // Merging again finds nothing to merge.
    assert!(f.store.merge_guest_cart(GUEST, ada, 30).await.unwrap().is_empty());
    assert_eq!(f.store.item_count(account).await.unwrap(), 8);

    // A user without a cart gets one from the merge.
    let bob = user(&f.db, "Bob").await;
    let other = f.store.cart_for(CartOwner::Guest(OTHER_GUEST), 40).await.unwrap();
    f.store.add_item(other, f.lamp_small, 3, 41).await.unwrap();
    assert!(f.store.merge_guest_cart(OTHER_GUEST, bob, 42).await.unwrap().is_empty());
    let bobs = f.store.find_cart(CartOwner::User(bob)).await.unwrap().expect("created by the merge");
    assert_eq!(contents(f.store.as_ref(), bobs).await, [(f.lamp_small, 3)]);
}

async fn merging_is_all_or_nothing(db: Database) {
    let f = fixture(db).await;
    let ada = user(&f.db, "Ada").await;
    let account = f.store.cart_for(CartOwner::User(ada), 10).await.unwrap();
    f.store.add_item(account, f.mug, 1, 11).await.unwrap();
    let guest = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    f.store.add_item(guest, f.mug, 2, 12).await.unwrap();
    f.store.add_item(guest, f.tee, 1, 13).await.unwrap();
    // The merge writes the mug's new quantity first; then writing the tee fails.
    let trigger = match &f.db {
        Database::Sqlite(_) => format!(
            "CREATE TRIGGER fail_tee BEFORE INSERT ON cart_items WHEN NEW.variant_id = {} AND NEW.cart_id = {account}
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            f.tee
        ),
        Database::Postgres(_) => format!(
            "CREATE FUNCTION fail_tee() RETURNS trigger AS $$ BEGIN
                 IF NEW.variant_id = {} AND NEW.cart_id = {account} THEN RAISE EXCEPTION 'injected failure'; END IF;
                 RETURN NEW;
             END $$ LANGUAGE plpgsql;
             CREATE TRIGGER fail_tee BEFORE INSERT ON cart_items FOR EACH ROW EXECUTE FUNCTION fail_tee();",
            f.tee
        ),
    };
    f.db.execute_raw(&trigger).await.unwrap();
    assert!(f.store.merge_guest_cart(GUEST, ada, 20).await.is_err());
    assert_eq!(contents(f.store.as_ref(), account).await, [(f.mug, 1)], "the account cart is as it was");
    assert_eq!(f.store.find_cart(CartOwner::Guest(GUEST)).await.unwrap(), Some(guest), "the guest cart is kept");
    assert_eq!(contents(f.store.as_ref(), guest).await, [(f.mug, 2), (f.tee, 1)]);

    let drop = if matches!(f.db, Database::Postgres(_)) {
        "DROP TRIGGER fail_tee ON cart_items"
    } else {
        "DROP TRIGGER fail_tee"
    };
    f.db.execute_raw(drop).await.unwrap();
    f.store.merge_guest_cart(GUEST, ada, 30).await.unwrap();
    assert_eq!(contents(f.store.as_ref(), account).await, [(f.mug, 3), (f.tee, 1)], "a later merge succeeds");
}

async fn concurrent_adds_to_one_line_all_count(db: Database) {
    let f = fixture(db).await;
    let cart = f.store.cart_for(CartOwner::Guest(GUEST), 10).await.unwrap();
    let adds = (0..12).map(|i| {
        let store = f.store.clone();
        let variant = f.lamp_small;
        tokio::spawn(async move { store.add_item(cart, variant, 2, 20 + i).await })
    });
    for add in futures_join(adds.collect()).await {
        assert!(matches!(add, AddOutcome::Added { .. }), "{add:?}");
    }
    assert_eq!(contents(f.store.as_ref(), cart).await, [(f.lamp_small, 24)], "no add was lost");
    // Past the stock, concurrent adds cap instead of overselling the line.
    let adds = (0..8).map(|i| {
        let store = f.store.clone();
        let variant = f.tee;
        tokio::spawn(async move { store.add_item(cart, variant, 1, 40 + i).await })
    });
    let outcomes = futures_join(adds.collect()).await;
    assert_eq!(outcomes.iter().filter(|o| matches!(o, AddOutcome::Added { .. })).count(), 3);
    assert_eq!(f.store.lines(cart).await.unwrap()[1].quantity, 3);
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<Result<AddOutcome, StoreError>>>) -> Vec<AddOutcome> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap().unwrap());
    }
    out
}

async fn the_service_parses_quantities_and_scopes_by_owner(db: Database) {
    use app::services::cart;
    let f = fixture(db).await;
    // The cart service takes the shop (its ports and clock), built over the fixture's database.
    let shop = server::startup::shop(&f.db, app::services::AuthSettings::default());
    let store = &shop;
    let mine = CartOwner::Guest(GUEST);
    let theirs = CartOwner::Guest(OTHER_GUEST);
    for (raw, field_error) in
        [("two", "whole number"), ("0", "at least 1"), ("1000000", "at most 99"), ("", "Enter a quantity")]
    {
        let err = cart::add(store, mine, f.mug, raw).await.unwrap_err();
        assert!(err.field("quantity").is_some_and(|m| m.contains(field_error)), "{raw:?}: {err:?}");
    }
    assert_eq!(f.store.find_cart(mine).await.unwrap(), None, "refused adds create no cart");
    let added = cart::add(store, mine, f.mug, " 2 ").await.unwrap();
    assert_eq!((added.in_cart, added.item_count, added.capped), (2, 2, None));
    let capped = cart::add(store, mine, f.mug, "9").await.unwrap();
    assert_eq!((capped.in_cart, capped.item_count), (5, 5));
    assert!(capped.capped.unwrap().contains("Only 5"));
    let refused = cart::add(store, mine, f.mug, "1").await.unwrap_err();
    assert!(matches!(&refused, AppError::Validation(_)) && refused.field("form").is_some(), "{refused:?}");

    // Another guest can neither change nor remove this guest's line.
    cart::add(store, theirs, f.tee, "1").await.unwrap();
    assert!(matches!(cart::update(store, Some(theirs), f.mug, "1").await, Err(AppError::NotFound(_))));
    assert!(matches!(cart::remove(store, Some(theirs), f.mug).await, Err(AppError::NotFound(_))));
    assert!(matches!(cart::remove(store, None, f.mug).await, Err(AppError::NotFound(_))));
    let page = cart::view(store, Some(mine), vec![]).await.unwrap();
    assert_eq!((page.summary.item_count, page.summary.total.minor), (5, 5000));
    assert!(page.can_check_out);

    let err = cart::update(store, Some(mine), f.mug, "-3").await.unwrap_err();
    assert!(err.field(&format!("quantity-{}", f.mug)).is_some(), "{err:?}");
    cart::update(store, Some(mine), f.mug, "0").await.unwrap();
    let page = cart::view(store, Some(mine), vec!["flash".into()]).await.unwrap();
    assert!(page.summary.groups.is_empty() && !page.can_check_out, "an empty cart cannot check out");
    assert_eq!(page.flash, ["flash"]);
    let nobody = cart::view(store, None, vec![]).await.unwrap();
    assert_eq!(nobody.summary.item_count, 0);
    assert_eq!(cart::count(store, Some(theirs)).await.unwrap(), 1);
}

/// The `name=value` pair of a Set-Cookie header, with the whole header.
fn set_cookie<'a>(res: &'a support::Response, name: &str) -> Option<(String, &'a str)> {
    res.all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| (c.split(';').next().unwrap_or_default().to_string(), c))
}

fn after<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("{marker} not in the page")) + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// Without JavaScript: a guest adds from the product page with a plain form post and lands on
/// the cart, which shows the line (grouped by its store); the quantity changes, a bad quantity
/// comes back as a message, the line is removed; nobody else sees or changes it; signing in
/// merges the guest's cart into the account's and drops the guest cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cart_works_without_javascript() {
    let app = support::spawn_app().await;
    let base = format!("http://{}", app.addr);
    let html = |cookie: &str, referer: &str| {
        vec![
            ("Cookie", cookie.to_string()),
            ("Accept", "text/html".to_string()),
            ("Referer", format!("{base}{referer}")),
        ]
    };
    let post = |path: &'static str, headers: Vec<(&'static str, String)>, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(path, &headers, &form).await
        }
    };

    // The first product in the listing that can be added.
    let listing = app.get("/c/t-shirts-tops").await;
    let mut found = None;
    for link in support::product_links(&listing.body) {
        let page = app.get(&link).await;
        assert!(page.body.contains(r#"data-testid="add-to-cart-form""#), "the product page has the form");
        let variant = after(&page.body, r#"name="variant_id" value=""#).to_string();
        let res =
            post("/api/cart/add", html("", &link), vec![("variant_id", variant.clone()), ("quantity", "1".into())])
                .await;
        if res.header("location") == Some("/cart") {
            found = Some((link, variant, res));
            break;
        }
    }
    let (link, variant, added) = found.expect("some product could be added");
    assert_eq!(added.status, 302);
    let (cart_cookie, header) = set_cookie(&added, "mm_cart").expect("a guest gets a cart cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(header.contains(attribute), "{attribute} in {header}");
    }
    assert!(!header.contains("Secure"), "plain http in tests");
    assert_eq!(cart_cookie.len(), "mm_cart=".len() + 43);

    let page = app.get_as(&cart_cookie, "/cart").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches(r#"data-testid="cart-line""#).count(), 1, "one line");
    assert!(page.body.contains(&format!(r#"data-variant="{variant}""#)));
    assert!(page.body.contains(&format!(r#"id="quantity-{variant}""#)) && page.body.contains(r#"value="1""#));
    assert!(page.body.contains("Shipped by") && page.body.contains(r#"href="/checkout""#), "ready for checkout");

    let update = |quantity: &'static str| {
        post(
            "/api/cart/update",
            html(&cart_cookie, "/cart"),
            vec![("variant_id", variant.clone()), ("quantity", quantity.into())],
        )
    };
    let res = update("3").await;
    let back = res.header("location").unwrap_or_default();
    assert!(res.status == 302 && back.starts_with(&format!("{base}/cart")) && !back.contains("__err"), "{back}");
    assert!(app.get_as(&cart_cookie, "/cart").await.body.contains(r#"value="3""#));
    let refused = update("lots").await;
    let back = refused.header("location").unwrap().to_string();
    assert!(back.contains("__err="), "{back}");
    let shown = app.get_as(&cart_cookie, back.trim_start_matches(&base)).await;
    assert!(shown.body.contains("Enter the quantity as a whole number"), "the error is shown on the cart page");
    assert!(shown.body.contains(r#"value="3""#), "and nothing changed");

    // Another visitor has an empty cart and cannot touch this one.
    assert!(app.get("/cart").await.body.contains("Your cart is empty"));
    let stranger =
        post("/api/cart/update", html("", "/cart"), vec![("variant_id", variant.clone()), ("quantity", "1".into())])
            .await;
    assert!(stranger.header("location").is_some_and(|l| l.contains("__err=")), "refused");
    let stranger = post("/api/cart/remove", vec![], vec![("variant_id", variant.clone())]).await;
    assert!(matches!(stranger.app_error(), Some(AppError::NotFound(_))), "{} {}", stranger.status, stranger.body);
    assert!(app.get_as(&cart_cookie, "/cart").await.body.contains(r#"value="3""#), "untouched");

    let removed = post("/api/cart/remove", html(&cart_cookie, "/cart"), vec![("variant_id", variant.clone())]).await;
    assert_eq!(removed.status, 302);
    assert!(app.get_as(&cart_cookie, "/cart").await.body.contains("Your cart is empty"));

    // Back in the cart, then signing in merges it into the shopper's cart.
    post("/api/cart/add", html(&cart_cookie, &link), vec![("variant_id", variant.clone()), ("quantity", "1".into())])
        .await;
    let login = post(
        "/api/auth/login",
        html(&cart_cookie, "/login"),
        vec![("email", support::SHOPPER.0.into()), ("password", support::SHOPPER.1.into())],
    )
    .await;
    assert_eq!(login.status, 302, "{}", login.body);
    let session = login.session_cookie().expect("signed in");
    let (cleared, header) = set_cookie(&login, "mm_cart").expect("the guest cookie is cleared");
    assert!(cleared == "mm_cart=" && header.contains("Max-Age=0"), "{header}");
    let merged = app.get_as(&session, "/cart").await;
    assert!(merged.body.contains(&format!(r#"data-variant="{variant}""#)), "the guest's line is in the account's cart");
    assert!(app.get_as(&cart_cookie, "/cart").await.body.contains("Your cart is empty"), "the guest cart is gone");
    let count = app.call(&session, "/api/cart/count", &[]).await;
    assert_eq!(count.body.trim(), "1");
}

/// Signing in with a guest cart whose line no longer fits next to the account's: the merge caps
/// it, the visitor lands on the cart (they were going nowhere in particular), and the cart page
/// says what was capped, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_tells_what_the_merge_capped() {
    let app = support::spawn_app().await;
    let shopper = app.shop.accounts.user_by_email(support::SHOPPER.0).await.unwrap().unwrap();
    // A variant with some stock: the shopper's own cart already holds all of it.
    let listing = app.get("/c/t-shirts-tops").await;
    let mut picked = None;
    for link in support::product_links(&listing.body) {
        let slug = link.trim_start_matches("/products/").split('?').next().unwrap().to_string();
        let product = app.shop.catalog.product_by_slug(&slug).await.unwrap().unwrap().detail;
        if let Some(v) = product.variants.iter().find(|v| (2..=MAX_QTY_PER_LINE).contains(&v.stock)) {
            picked = Some((product.title.clone(), v.id, v.stock));
            break;
        }
    }
    let (title, variant, stock) = picked.expect("a variant with stock");
    let account = app.shop.carts.cart_for(CartOwner::User(shopper.id), 1).await.unwrap();
    assert_eq!(app.shop.carts.add_item(account, variant, stock, 2).await.unwrap(), added(stock));

    let id = variant.to_string();
    let add = app.post_form("/api/cart/add", &[], &[("variant_id", &id), ("quantity", "1")]).await;
    let (guest, _) = set_cookie(&add, "mm_cart").expect("a guest cart");
    let login = app
        .post_form(
            "/api/auth/login",
            &[("Cookie", &guest), ("Accept", "text/html")],
            &[("email", support::SHOPPER.0), ("password", support::SHOPPER.1)],
        )
        .await;
    assert_eq!((login.status, login.header("location")), (302, Some("/cart")), "{}", login.body);
    let session = login.session_cookie().unwrap();
    let (flash, _) = set_cookie(&login, "mm_cart_flash").expect("the notices travel to the cart page");
    let cookies = format!("{session}; {flash}");
    let page = app.get_as(&cookies, "/cart").await;
    assert!(page.body.contains("The cart from before you signed in was added to your cart."));
    let capped = format!("Only {stock} of “{title}");
    assert!(page.body.contains(&capped), "{capped} on the cart page");
    let (cleared, header) = set_cookie(&page, "mm_cart_flash").expect("shown once");
    assert!(cleared == "mm_cart_flash=" && header.contains("Max-Age=0"));
    assert_eq!(app.shop.carts.lines(account).await.unwrap()[0].quantity, stock, "capped by stock");
}

/// Without JavaScript, a product card's form adds its one variant and comes back to the listing
/// it was posted from (never to another site), which says once what was added; a refused add
/// comes back with the reason shown once above the grid. Cards of products with options link to
/// the product page instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_card_adds_without_javascript_and_comes_back() {
    let app = support::spawn_app().await;
    let base = format!("http://{}", app.addr);
    let tees = app.get("/c/t-shirts-tops").await;
    assert!(tees.body.contains(r#"data-testid="card-choose""#), "products with options: choose on their page");
    assert!(!tees.body.contains(r#"data-testid="card-add-form""#));

    let listing = "/c/kitchen-dining?sort=price_asc";
    let page = app.get(listing).await;
    let form = &page.body[page.body.find(r#"data-testid="card-add-form""#).expect("a card with an add form")..];
    let variant = after(form, r#"name="variant_id" value=""#).to_string();
    assert_eq!(after(form, r#"name="return_to" value=""#), "/c/kitchen-dining?sort=price_asc");
    let post = |cookie: String, quantity: &'static str, return_to: &'static str| {
        let (app, variant, referer) = (&app, variant.clone(), format!("{base}{listing}"));
        async move {
            let headers = [("Cookie", cookie.as_str()), ("Accept", "text/html"), ("Referer", referer.as_str())];
            app.post_form(
                "/api/cart/add",
                &headers,
                &[("variant_id", variant.as_str()), ("quantity", quantity), ("return_to", return_to)],
            )
            .await
        }
    };

    // A leftover error in the address is not carried back.
    let added = post(String::new(), "1", "/c/kitchen-dining?sort=price_asc&__path=x&__err=y").await;
    assert_eq!((added.status, added.header("location")), (302, Some(listing)), "{}", added.body);
    let (cart, _) = set_cookie(&added, "mm_cart").expect("a guest cart");
    let (notice, _) = set_cookie(&added, "mm_cart_notice").expect("a confirmation for the listing");
    let back = app.get_as(&format!("{cart}; {notice}"), listing).await;
    assert_eq!(back.body.matches(r#"data-testid="card-notice""#).count(), 1);
    assert!(back.body.contains("Added to your cart (1 of this item in your cart)."));
    let (cleared, header) = set_cookie(&back, "mm_cart_notice").expect("shown once");
    assert!(cleared == "mm_cart_notice=" && header.contains("Max-Age=0"));
    assert!(!app.get_as(&cart, listing).await.body.contains(r#"data-testid="card-notice""#));
    let cart_page = app.get_as(&cart, "/cart").await;
    assert!(cart_page.body.contains(&format!(r#"data-variant="{variant}""#)), "the line is in the cart");

    // Another site is never a place to come back to.
    for elsewhere in ["https://evil.example/", "//evil.example/"] {
        let res = post(cart.clone(), "1", elsewhere).await;
        assert_eq!((res.status, res.header("location")), (302, Some("/cart")), "{elsewhere}");
    }

    // Fill the line up to its stock, then one more is refused: the reason shows once.
    post(cart.clone(), "99", listing).await;
    let refused = post(cart.clone(), "1", listing).await;
    let location = refused.header("location").expect("back to the listing").to_string();
    assert!(location.starts_with(&format!("{base}{listing}")) && location.contains("__err="), "{location}");
    let shown = app.get_as(&cart, location.trim_start_matches(&base)).await;
    assert_eq!(shown.body.matches(r#"data-testid="card-notice-error""#).count(), 1, "above the grid only");
    assert_eq!(shown.body.matches(r#"data-testid="card-add-error""#).count(), 0, "not on every card");
}
