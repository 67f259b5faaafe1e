//! The merchant's own shipping zones and the marketplace's tax rules, on SQLite and PostgreSQL:
//! what the dashboard saves is what checkout's one `price` function charges — bands by order
//! value, no express where a zone has none, "everywhere else", a store that does not ship to a
//! country, a region's own rate, tax-inclusive prices — and another store's staff cannot touch a
//! store's zones.
mod support;

use app::domain::checkout::ShippingSpeed;
use app::services::checkout::{CheckoutOutcome, CheckoutSettings, Destination, place_order, price};
use app::services::pricing::{ZoneForm, add_zone, delete_zone, set_prices_include_tax, set_tax_rate};
use support::TestApp;

fn zone(name: &str, countries: &str, bands: &str, express: &str) -> ZoneForm {
    ZoneForm { name: name.into(), countries: countries.into(), bands: bands.into(), express: express.into() }
}

fn to(country: &'static str, region: &'static str) -> Destination<'static> {
    Destination { country, region }
}

/// (variant of store A, A's id, variant of store B, unit price of A's variant)
async fn two_stores(app: &TestApp) -> (i64, i64, i64, i64) {
    let a = app.variant_in_stock(support::OWNER_A.0, 5).await;
    let b = app.variant_in_stock(support::OWNER_B.0, 5).await;
    let v = app.shop.orders.variants_for_order(&[a]).await.unwrap();
    (a, v[0].merchant_id, b, v[0].unit_price_minor)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stores_zones_and_the_tax_rules_are_what_checkout_charges() {
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let shop = &app.shop;
        let (a, store_a, b, unit) = two_stores(&app).await;
        let settings = CheckoutSettings::default();
        let quote = |lines: Vec<(i64, i64)>, speeds: Vec<(i64, ShippingSpeed)>, dest: Destination<'static>| {
            let settings = &settings;
            async move { price(shop.orders.as_ref(), settings, &lines, &speeds, dest, "", 1_800_000_000).await }
        };
        // No zones: the marketplace's default rates, everywhere.
        let before = quote(vec![(a, 1)], vec![], to("JP", "")).await.unwrap();
        assert_eq!(before.quote.parts[0].shipping.price.minor, if unit >= 5000 { 0 } else { 499 });

        // Bands by the store's items: 4.99, 2.50 from $20, free from $100; no express to the UK.
        add_zone(shop, store_a, zone("UK", "gb, IE", "0=4.99, 20=2.50, 100=0", "")).await.unwrap();
        add_zone(shop, store_a, zone("World", "*", "12", "25")).await.unwrap();
        let band = |subtotal: i64| match subtotal {
            s if s >= 10_000 => 0,
            s if s >= 2_000 => 250,
            _ => 499,
        };
        for qty in [1, 3] {
            let q = quote(vec![(a, qty)], vec![(store_a, ShippingSpeed::Express)], to("GB", "")).await.unwrap().quote;
            let part = &q.parts[0];
            assert_eq!(part.shipping.speed, ShippingSpeed::Standard, "no express to the UK: standard instead");
            assert_eq!(part.shipping.price.minor, band(unit * qty), "{qty} × {unit}");
        }
        let world = quote(vec![(a, 1)], vec![(store_a, ShippingSpeed::Express)], to("JP", "")).await.unwrap().quote;
        assert_eq!(
            (world.parts[0].shipping.speed, world.parts[0].shipping.price.minor),
            (ShippingSpeed::Express, 2500)
        );

        // A country belongs to one zone; one "everywhere else".
        let taken = add_zone(shop, store_a, zone("Ireland", "IE", "3", "")).await.unwrap_err();
        assert!(taken.field("countries").unwrap().contains("IE is already in the zone “UK”"), "{taken:?}");
        assert!(add_zone(shop, store_a, zone("Rest", "*", "1", "")).await.unwrap_err().field("countries").is_some());
        let bad = add_zone(shop, store_a, zone("", "GBR", "0=x", "fast")).await.unwrap_err();
        for field in ["name", "countries", "bands", "express"] {
            assert!(bad.field(field).is_some(), "{field}: {bad:?}");
        }

        // Without "everywhere else", the store ships only where a zone covers.
        let rules = shop.orders.pricing_rules(&[store_a]).await.unwrap();
        let world_id = rules.zones.iter().find(|z| z.name == "World").unwrap().id;
        delete_zone(shop, store_a, world_id).await.unwrap();
        let refused = quote(vec![(a, 1), (b, 1)], vec![], to("JP", "")).await.err().unwrap();
        assert!(refused.field("country").unwrap().contains("does not ship to JP"), "{refused:?}");
        let store_b_alone = quote(vec![(b, 1)], vec![], to("JP", "")).await.unwrap().quote;
        assert_eq!(store_b_alone.parts.len(), 1, "store B has no zones and still ships everywhere");

        // A region's own rate, then tax-inclusive prices.
        set_tax_rate(shop, "ca", "Ontario", "13").await.unwrap();
        assert!(set_tax_rate(shop, "CAN", "", "200").await.unwrap_err().field("rate").is_some());
        let on = quote(vec![(b, 1)], vec![], to("CA", " ontario")).await.unwrap().quote;
        let ab = quote(vec![(b, 1)], vec![], to("CA", "Alberta")).await.unwrap().quote;
        assert_eq!((on.tax_rate_bps, ab.tax_rate_bps), (1300, 500));
        let taxable = on.subtotal.minor + on.shipping.minor;
        assert_eq!(on.total.minor, taxable + (taxable * 1300 + 5000) / 10_000);
        set_prices_include_tax(shop, "inclusive").await.unwrap();
        let incl = quote(vec![(b, 1)], vec![], to("CA", "Ontario")).await.unwrap().quote;
        assert!(incl.prices_include_tax);
        assert_eq!(incl.total.minor, taxable, "the listed prices are what is charged");
        assert_eq!(
            incl.tax,
            app::domain::money::Money::new(
                app::domain::checkout::included_tax(taxable, 1300).unwrap(),
                incl.total.currency
            )
        );

        // The order is charged what the quote said.
        let mut req =
            support::guest_checkout(vec![(a, 1)], "4242424242424242", "pricing-key-00001", 1_800_000_000, [9; 8]);
        req.address.country = "IE".into();
        let quoted = quote(vec![(a, 1)], vec![], to("IE", "")).await.unwrap().quote;
        let gateway = app::domain::gateway::TestGateway;
        let CheckoutOutcome::Paid { number } =
            place_order(shop.orders.as_ref(), &gateway, &settings, req).await.unwrap()
        else {
            panic!("not paid")
        };
        let total =
            app.db.scalar_raw(&format!("SELECT total_minor FROM orders WHERE number = '{number}'")).await.unwrap();
        assert_eq!(total, quoted.total.minor);
        app.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_stores_own_staff_and_the_admin_change_its_zones() {
    let app = support::spawn_app().await;
    let (_, store_a, _, _) = two_stores(&app).await;
    add_zone(&app.shop, store_a, zone("UK", "GB", "3", "")).await.unwrap();
    let id = app.shop.orders.pricing_rules(&[store_a]).await.unwrap().zones[0].id;
    let form = [("merchant_id", store_a.to_string()), ("zone_id", id.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let other = app.login(support::OWNER_B.0, support::OWNER_B.1).await;
    let res = app.call(&other, "/api/admin/shipping/delete", &form).await;
    assert_eq!(res.status, 403, "{}", res.body);
    // Store B naming its own store cannot reach A's zone either.
    let b_id = app.variant_in_stock(support::OWNER_B.0, 1).await;
    let store_b = app.shop.orders.variants_for_order(&[b_id]).await.unwrap()[0].merchant_id;
    let own = [("merchant_id", store_b.to_string()), ("zone_id", id.to_string())];
    let own: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call(&other, "/api/admin/shipping/delete", &own).await.status, 404);
    assert_eq!(app.shop.orders.pricing_rules(&[store_a]).await.unwrap().zones.len(), 1, "still there");
    let owner = app.login(support::OWNER_A.0, support::OWNER_A.1).await;
    let res = app.call(&owner, "/api/admin/shipping/delete", &form).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(app.shop.orders.pricing_rules(&[store_a]).await.unwrap().zones.is_empty());
    // The pages answer as their guards say, without JavaScript.
    assert_eq!(app.get_as(&owner, "/admin/shipping").await.status, 200);
    assert_eq!(app.get_as(&owner, "/admin/taxes").await.status, 403);
    let admin = app.login(support::ADMIN.0, support::ADMIN.1).await;
    let page = app.get_as(&admin, "/admin/taxes").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-testid=\"tax-row\""), "the seeded rates are listed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stores_codes_take_off_its_own_items_and_free_shipping_takes_off_shipping() {
    use app::domain::discounts::DiscountForm;
    use app::services::discounts::{create, set_active};
    for db in support::engines().await {
        let app = support::spawn_app_on(db, Default::default()).await;
        let shop = &app.shop;
        let (a, store_a, b, _) = two_stores(&app).await;
        let store_b = shop.orders.variants_for_order(&[b]).await.unwrap()[0].merchant_id;
        let settings = CheckoutSettings::default();
        let form = |code: &str, kind: &str, value: &str| DiscountForm {
            code: code.into(),
            kind: kind.into(),
            value: value.into(),
            ..Default::default()
        };
        assert_eq!(create(shop, Some(store_a), &form("a-ten", "percent", "10")).await.unwrap(), "A-TEN");
        let taken = create(shop, Some(store_b), &form("A-TEN", "fixed", "5")).await.unwrap_err();
        assert!(taken.field("code").unwrap().contains("taken"), "{taken:?}");
        create(shop, None, &form("SHIPFREE", "free_shipping", "")).await.unwrap();

        let lines = vec![(a, 1), (b, 1)];
        let priced = |code: &'static str, speeds: Vec<(i64, ShippingSpeed)>| {
            let (settings, lines) = (&settings, lines.clone());
            async move { price(shop.orders.as_ref(), settings, &lines, &speeds, to("US", ""), code, 1_800_000_000).await }
        };
        // Store A's 10 %: of A's items only, and only A's part carries it.
        let q = priced("a-ten", vec![]).await.unwrap().quote;
        let (pa, pb) = (
            q.parts.iter().find(|p| p.merchant_id == store_a).unwrap(),
            q.parts.iter().find(|p| p.merchant_id == store_b).unwrap(),
        );
        assert_eq!(pa.discount.minor, (pa.subtotal.minor * 1000 + 5000) / 10_000);
        assert_eq!(pb.discount.minor, 0, "store B's items are not A's code's business");
        // A store's code with none of its items in the cart is refused, saying why.
        let only_b = price(shop.orders.as_ref(), &settings, &[(b, 1)], &[], to("US", ""), "A-TEN", 1_800_000_000).await;
        assert!(only_b.err().unwrap().field("discount_code").unwrap().contains("none of them is in your cart"));
        // Free shipping: the standard shipping of every part; an express part still pays.
        let q = priced("SHIPFREE", vec![(store_b, ShippingSpeed::Express)]).await.unwrap().quote;
        let standard_a = q.parts.iter().find(|p| p.merchant_id == store_a).unwrap().shipping.price.minor;
        assert_eq!(q.discount.minor, standard_a, "only A's standard shipping is free");
        assert_eq!(q.total.minor, q.subtotal.minor + q.shipping.minor - standard_a + q.tax.minor);

        // Switched off: refused at checkout; another store cannot switch it.
        assert!(
            set_active(shop, Some(store_b), "A-TEN", false).await.unwrap_err().to_string().contains("not one of yours")
        );
        set_active(shop, Some(store_a), "a-ten", false).await.unwrap();
        let off = priced("A-TEN", vec![]).await.err().unwrap();
        assert!(off.field("discount_code").unwrap().contains("no longer offered"));
        set_active(shop, Some(store_a), "A-TEN", true).await.unwrap();

        // The order is charged what the review showed, and the code counts one use.
        let quoted = priced("A-TEN", vec![]).await.unwrap().quote;
        let mut req =
            support::guest_checkout(lines.clone(), "4242424242424242", "pricing-code-0001", 1_800_000_000, [7; 8]);
        req.address.country = "US".into();
        req.discount_code = "A-TEN".into();
        let gateway = app::domain::gateway::TestGateway;
        let CheckoutOutcome::Paid { number } =
            place_order(shop.orders.as_ref(), &gateway, &settings, req).await.unwrap()
        else {
            panic!("not paid")
        };
        let (total, discount) = (
            app.db.scalar_raw(&format!("SELECT total_minor FROM orders WHERE number = '{number}'")).await.unwrap(),
            app.db.scalar_raw(&format!("SELECT discount_minor FROM orders WHERE number = '{number}'")).await.unwrap(),
        );
        assert_eq!((total, discount), (quoted.total.minor, quoted.discount.minor));
        let used = app.db.scalar_raw("SELECT times_used FROM discount_codes WHERE code = 'A-TEN'").await.unwrap();
        assert_eq!(used, 1);
        app.db.close().await;
    }
}

/// `/s/{store}`: the store's own page, with its shipping as the store set it; 404 for a store that
/// does not exist or is suspended — without JavaScript, as curl sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_page_shows_its_own_shipping_and_is_404_when_closed() {
    let app = support::spawn_app().await;
    let (_, store_a, _, _) = two_stores(&app).await;
    let settings = app.shop.admin.store_settings(store_a).await.unwrap().unwrap();
    let page = app.get(&format!("/s/{}", settings.slug)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&settings.name) && page.body.contains("Everywhere: standard $4.99"),
        "the default rates"
    );
    add_zone(&app.shop, store_a, zone("Islands", "IS, FO", "0=9, 80=0", "")).await.unwrap();
    let page = app.get(&format!("/s/{}", settings.slug)).await;
    assert!(page.body.contains("Islands (IS, FO): standard 0.00=9.00, 80.00=0.00"), "its own zone");
    assert_eq!(app.get("/s/no-such-store").await.status, 404);
    app.shop.accounts.set_merchant_status(store_a, app::domain::account::MerchantStatus::Suspended).await.unwrap();
    assert_eq!(app.get(&format!("/s/{}", settings.slug)).await.status, 404, "a suspended store has no page");
}

/// A paid checkout tells each store of its part, once, at its support address or its owner's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_store_of_a_paid_order_gets_one_new_order_email() {
    use app::domain::notification::MessageKind;
    let app = support::spawn_app().await;
    let (a, store_a, b, _) = two_stores(&app).await;
    let shopper = app.login(support::SHOPPER.0, support::SHOPPER.1).await;
    for v in [a, b] {
        let res = app.call(&shopper, "/api/cart/add", &[("variant_id", &v.to_string()), ("quantity", "1")]).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let mut form: Vec<(&str, &str)> = support::endpoints::CHECKOUT.to_vec();
    form.push(("idempotency_key", "new-order-mail-0001"));
    let res = app.call(&shopper, "/api/checkout/place", &form).await;
    let number: String = res.ok();
    // The same checkout again (a double click) tells no one twice.
    app.call(&shopper, "/api/checkout/place", &form).await;
    let mails: Vec<_> = app
        .shop
        .notifications
        .list(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::NewOrder && m.subject.contains(&number))
        .collect();
    assert_eq!(mails.len(), 2, "one per store: {mails:?}");
    let store_a_settings = app.shop.admin.store_settings(store_a).await.unwrap().unwrap();
    let to_a = mails.iter().find(|m| m.subject.ends_with(&store_a_settings.name)).expect("store A's");
    assert!(to_a.text_body.contains(&format!("/admin/orders/{number}")), "{}", to_a.text_body);
    assert!(to_a.recipient.contains('@'));
}
