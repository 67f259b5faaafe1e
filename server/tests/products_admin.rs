//! The merchant's products on both engines: create with variants and find it in the storefront
//! search and on its page; a taken slug or SKU, a negative price or stock is refused next to its
//! field and writes nothing; another store can neither load nor save the product (the edit page
//! answers 403); an edit of the price shows in the storefront; the table filters, sorts and pages.
#[macro_use]
mod support;

use app::domain::paging::Cursor;
use app::domain::product_form::{ProductFilter, ProductInput, ValidProduct, VariantInput, validate};
use app::services::product_admin_store::SaveError;
use app::services::{AuthSettings, Shop};
use server::store::Database;
use support::fixtures::{Marketplace, store};

conformance!(
    created_product_is_found_in_search_and_on_its_page,
    taken_slug_and_sku_are_refused_and_nothing_is_written,
    negative_price_and_stock_are_refused_by_the_form_rules,
    another_store_cannot_load_or_save_the_product,
    an_edit_changes_the_price_the_storefront_shows,
    the_table_searches_filters_sorts_and_pages,
    a_removed_variant_that_was_ordered_is_kept_with_a_message,
    over_http_the_owner_creates_and_another_store_gets_403,
);

struct Fixture {
    shop: Shop,
    store_a: i64,
    store_b: i64,
    category: i64,
}

async fn fixture(db: &Database) -> Fixture {
    let shop = server::startup::shop(db, AuthSettings::default());
    let m = Marketplace::new()
        .category("bags", "Bags")
        .store(store("store-a").name("Store A"))
        .store(store("store-b").name("Store B"))
        .build(db)
        .await;
    Fixture { shop, store_a: m.stores[0], store_b: m.stores[1], category: m.category }
}

fn variant(sku: &str, option: &str, price: &str, stock: &str) -> VariantInput {
    VariantInput {
        sku: sku.into(),
        option: option.into(),
        price: price.into(),
        compare_at: String::new(),
        stock: stock.into(),
        stock_seen: String::new(),
    }
}

fn form(category: i64, title: &str) -> ProductInput {
    ProductInput {
        title: title.into(),
        slug: String::new(),
        description: "A sturdy **canvas** bag for the market.".into(),
        category_id: category.to_string(),
        status: "published".into(),
        option_name: "Size".into(),
        variants: vec![variant("TOTE-S", "Small", "24.00", "5"), variant("TOTE-L", "Large", "29.50", "3")],
    }
}

fn valid(input: &ProductInput) -> ValidProduct {
    validate(input).unwrap()
}

async fn search(shop: &Shop, q: &str) -> Vec<String> {
    support::storefront_search(shop, q).await.0
}

async fn count(db: &Database, table: &str) -> i64 {
    db.scalar_raw(&format!("SELECT COUNT(*) FROM {table}")).await.unwrap()
}

async fn created_product_is_found_in_search_and_on_its_page(db: Database) {
    let f = fixture(&db).await;
    let id = f
        .shop
        .products_admin
        .save_product(f.store_a, None, &valid(&form(f.category, "Canvas Market Tote")))
        .await
        .unwrap();
    assert_eq!(search(&f.shop, "canvas tote").await, vec!["canvas-market-tote".to_string()]);
    // The description and the category are indexed too.
    assert_eq!(search(&f.shop, "market bags").await, vec!["canvas-market-tote".to_string()]);
    let page = app::services::catalog::product(f.shop.catalog.as_ref(), &f.shop.categories, "canvas-market-tote")
        .await
        .unwrap()
        .expect("the product page");
    assert_eq!(page.id, id);
    assert_eq!(page.variants.len(), 2);
    assert_eq!(page.variants[1].price.minor, 2950);
    assert_eq!(page.variants[1].options, vec!["Large".to_string()]);
    assert_eq!(page.option_names, vec!["Size".to_string()]);

    // A draft is not in the storefront; publishing it later makes it findable.
    let mut draft = form(f.category, "Waxed Field Satchel");
    draft.status = "draft".into();
    draft.variants = vec![variant("SATCHEL-1", "One size", "80", "2")];
    let draft_id = f.shop.products_admin.save_product(f.store_a, None, &valid(&draft)).await.unwrap();
    assert!(search(&f.shop, "satchel").await.is_empty());
    draft.status = "published".into();
    draft.slug = "waxed-field-satchel".into();
    f.shop.products_admin.save_product(f.store_a, Some(draft_id), &valid(&draft)).await.unwrap();
    assert_eq!(search(&f.shop, "satchel").await, vec!["waxed-field-satchel".to_string()]);
}

async fn taken_slug_and_sku_are_refused_and_nothing_is_written(db: Database) {
    let f = fixture(&db).await;
    f.shop.products_admin.save_product(f.store_a, None, &valid(&form(f.category, "Canvas Market Tote"))).await.unwrap();
    let (products, variants) = (count(&db, "products").await, count(&db, "product_variants").await);

    // Same title (so the same slug) and the same SKUs.
    let err =
        f.shop.products_admin.save_product(f.store_a, None, &valid(&form(f.category, "Canvas Market Tote"))).await;
    let Err(SaveError::Invalid(fields)) = err else { panic!("expected field errors, got {err:?}") };
    assert_eq!(fields.get("slug"), Some("That slug is already used by another product."));
    assert_eq!(fields.get("variants[0].sku"), Some("SKU TOTE-S is already used."));
    assert_eq!(fields.get("variants[1].sku"), Some("SKU TOTE-L is already used."));

    // A new slug but one taken SKU: still nothing written.
    let mut second = form(f.category, "Another Tote");
    second.variants[0].sku = "NEW-SKU".into();
    let err = f.shop.products_admin.save_product(f.store_a, None, &valid(&second)).await;
    let Err(SaveError::Invalid(fields)) = err else { panic!("expected field errors, got {err:?}") };
    assert!(fields.get("slug").is_none());
    assert_eq!(fields.get("variants[1].sku"), Some("SKU TOTE-L is already used."));
    assert_eq!(count(&db, "products").await, products);
    assert_eq!(count(&db, "product_variants").await, variants);
    assert!(search(&f.shop, "another").await.is_empty());

    // SKUs are per store: store B may use TOTE-S (but not the slug, which is marketplace-wide).
    let mut of_b = form(f.category, "Tote of B");
    of_b.variants.truncate(1);
    f.shop.products_admin.save_product(f.store_b, None, &valid(&of_b)).await.unwrap();

    // An unknown category is a field error too.
    let mut lost = form(f.category, "Lost Tote");
    lost.category_id = "999999".into();
    lost.variants = vec![variant("LOST-1", "One", "1", "1")];
    let err = f.shop.products_admin.save_product(f.store_a, None, &valid(&lost)).await;
    assert!(matches!(err, Err(SaveError::Invalid(ref e)) if e.get("category_id").is_some()), "{err:?}");
}

async fn negative_price_and_stock_are_refused_by_the_form_rules(db: Database) {
    let f = fixture(&db).await;
    let mut bad = form(f.category, "Bad Tote");
    bad.variants[0].price = "-1.00".into();
    bad.variants[1].stock = "-2".into();
    let fields = validate(&bad).unwrap_err();
    assert_eq!(fields.get("variants[0].price"), Some("The price can't be negative."));
    assert_eq!(fields.get("variants[1].stock"), Some("Stock can't be negative."));
    // The database refuses them as well, should anything skip the form rules.
    let mut sneaky = valid(&form(f.category, "Sneaky Tote"));
    sneaky.variants[0].price_minor = -100;
    assert!(f.shop.products_admin.save_product(f.store_a, None, &sneaky).await.is_err());
    assert_eq!(count(&db, "products").await, 0);
    assert_eq!(count(&db, "product_variants").await, 0);
}

async fn another_store_cannot_load_or_save_the_product(db: Database) {
    let f = fixture(&db).await;
    let id = f
        .shop
        .products_admin
        .save_product(f.store_a, None, &valid(&form(f.category, "Canvas Market Tote")))
        .await
        .unwrap();
    // Loading reports the owning store, which the server fn checks against the caller.
    let stored = f.shop.products_admin.product_form(id).await.unwrap().unwrap();
    assert_eq!(stored.merchant_id, f.store_a);
    assert_eq!(stored.input.variants.len(), 2);
    assert_eq!(stored.input.variants[1].price, "29.50");
    let mut hijack = form(f.category, "Hijacked");
    hijack.slug = "canvas-market-tote".into();
    let err = f.shop.products_admin.save_product(f.store_b, Some(id), &valid(&hijack)).await;
    assert!(matches!(err, Err(SaveError::NotFound)), "{err:?}");
    let after = f.shop.products_admin.product_form(id).await.unwrap().unwrap();
    assert_eq!(after.input.title, "Canvas Market Tote");
}

async fn an_edit_changes_the_price_the_storefront_shows(db: Database) {
    let f = fixture(&db).await;
    let mut input = form(f.category, "Canvas Market Tote");
    let id = f.shop.products_admin.save_product(f.store_a, None, &valid(&input)).await.unwrap();
    let before = f.shop.catalog.product_by_slug("canvas-market-tote").await.unwrap().unwrap();
    let ids: Vec<i64> = before.detail.variants.iter().map(|v| v.id).collect();

    input.slug = "canvas-market-tote".into();
    input.title = "Canvas Market Tote Bag".into();
    input.variants[0].price = "19.99".into();
    input.variants[0].compare_at = "24.00".into();
    // Large removed (never ordered), Medium added.
    input.variants[1] = variant("TOTE-M", "Medium", "26.00", "4");
    f.shop.products_admin.save_product(f.store_a, Some(id), &valid(&input)).await.unwrap();

    let after = f.shop.catalog.product_by_slug("canvas-market-tote").await.unwrap().unwrap().detail;
    assert_eq!(after.title, "Canvas Market Tote Bag");
    assert_eq!(after.variants.len(), 2);
    assert_eq!(after.variants[0].id, ids[0], "a variant kept by SKU keeps its id (carts and orders point at it)");
    assert_eq!(after.variants[0].price.minor, 1999);
    assert_eq!(after.variants[0].compare_at.map(|m| m.minor), Some(2400));
    assert_eq!(after.variants[1].sku, "TOTE-M");
    assert_eq!(count(&db, "product_variants").await, 2);
    // Stock changed on the form joins the inventory history.
    input.variants[0].stock = "9".into();
    f.shop.products_admin.save_product(f.store_a, Some(id), &valid(&input)).await.unwrap();
    let delta = db
        .scalar_raw(&format!(
            "SELECT delta FROM stock_adjustments WHERE variant_id = {} AND reason = 'correction'",
            ids[0]
        ))
        .await
        .unwrap();
    assert_eq!(delta, 4);
    // The search index followed the new title.
    assert_eq!(search(&f.shop, "tote bag").await, vec!["canvas-market-tote".to_string()]);
    let cards = search(&f.shop, "canvas").await;
    assert_eq!(cards.len(), 1);
}

async fn the_table_searches_filters_sorts_and_pages(db: Database) {
    let f = fixture(&db).await;
    for i in 0..30 {
        let mut input = form(f.category, &format!("Item {i:02}"));
        input.status = if i % 3 == 0 { "draft" } else { "published" }.into();
        input.option_name = String::new();
        input.variants = vec![variant(&format!("ITEM-{i:02}"), "", &format!("{}.00", 10 + i), &(i % 7).to_string())];
        f.shop.products_admin.save_product(f.store_a, None, &valid(&input)).await.unwrap();
    }
    let mut other = form(f.category, "Item of B");
    other.variants.truncate(1);
    f.shop.products_admin.save_product(f.store_b, None, &valid(&other)).await.unwrap();

    // Every match of a filter, as the pager walks them: down from the first page through
    // "Next", checking each page's own links, then back up through "Previous" to the first.
    let walk = |filter: ProductFilter| {
        let shop = f.shop.clone();
        let store = f.store_a;
        async move {
            let page = |c: Cursor| {
                let (shop, filter) = (shop.clone(), filter.clone());
                async move { app::services::products_admin::list(&shop, store, filter, c).await.unwrap().page }
            };
            let mut first = page(Cursor::Newest).await;
            assert_eq!(first.newer, None);
            let mut rows = std::mem::take(&mut first.rows);
            let mut at = first;
            let mut pages = vec![rows.iter().map(|r| r.id).collect::<Vec<_>>()];
            while let Some(k) = at.older {
                at = page(Cursor::Before(k)).await;
                assert!(at.rows.len() <= 25 && !at.rows.is_empty());
                pages.push(at.rows.iter().map(|r| r.id).collect());
                rows.append(&mut at.rows);
            }
            let mut back = pages.len() - 1;
            while let Some(k) = at.newer {
                at = page(Cursor::After(k)).await;
                back -= 1;
                assert_eq!(at.rows.iter().map(|r| r.id).collect::<Vec<_>>(), pages[back], "the same pages going back");
            }
            assert_eq!(back, 0, "back at the first page");
            rows
        }
    };
    let rows = walk(ProductFilter::default()).await;
    assert_eq!(rows.len(), 30, "store B's product is not listed");
    assert!(rows.windows(2).all(|w| (w[0].updated_at, w[0].id) > (w[1].updated_at, w[1].id)), "last changed first");

    let rows = walk(ProductFilter { status: "draft".into(), ..Default::default() }).await;
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| !r.published));

    let rows = walk(ProductFilter { q: "item-07".into(), ..Default::default() }).await;
    assert_eq!((rows.len(), rows[0].title.as_str()), (1, "Item 07"), "found by SKU");
    assert_eq!(
        walk(ProductFilter { q: "item 1".into(), ..Default::default() }).await.len(),
        10,
        "by title: Item 10 to 19"
    );
    assert!(
        walk(ProductFilter { q: "100%_".into(), ..Default::default() }).await.is_empty(),
        "wildcards taken literally"
    );

    let rows = walk(ProductFilter { stock: "out".into(), ..Default::default() }).await;
    assert_eq!(rows.len(), 5, "stock i % 7 = 0 for i = 0, 7, 14, 21, 28");
    assert!(rows.iter().all(|r| r.total_stock == 0));
    let rows = walk(ProductFilter { stock: "low".into(), ..Default::default() }).await;
    assert!(!rows.is_empty() && rows.iter().all(|r| (1..=5).contains(&r.total_stock)));
    assert!(walk(ProductFilter { category_id: Some(f.category + 1000), ..Default::default() }).await.is_empty());

    // Each sort walks all 30 once, in its order (ties broken by id), across both pages.
    let rows = walk(ProductFilter { sort: "price".into(), ..Default::default() }).await;
    assert_eq!((rows.len(), rows[0].title.as_str()), (30, "Item 00"));
    assert!(rows.windows(2).all(|w| w[0].min_price_minor <= w[1].min_price_minor));
    let rows = walk(ProductFilter { sort: "title".into(), ..Default::default() }).await;
    let titles: Vec<String> = rows.iter().map(|r| r.title.clone()).collect();
    assert_eq!(titles, (0..30).map(|i| format!("Item {i:02}")).collect::<Vec<_>>());
    let rows = walk(ProductFilter { sort: "stock".into(), ..Default::default() }).await;
    assert_eq!(rows.len(), 30);
    assert!(rows.windows(2).all(|w| (w[0].total_stock, w[0].id) < (w[1].total_stock, w[1].id)), "stock, then id");
}

async fn a_removed_variant_that_was_ordered_is_kept_with_a_message(db: Database) {
    let f = fixture(&db).await;
    let mut input = form(f.category, "Canvas Market Tote");
    let id = f.shop.products_admin.save_product(f.store_a, None, &valid(&input)).await.unwrap();
    let large: i64 = db.scalar_raw("SELECT id FROM product_variants WHERE sku = 'TOTE-L'").await.unwrap();
    // An order line pointing at the Large variant (the rest of the order is beside the point).
    let now = 1_700_000_000;
    db.execute_raw(&format!(
        "INSERT INTO orders (number, email, currency, status, subtotal_minor, shipping_minor, discount_minor, tax_minor,
                             total_minor, ship_name, ship_line1, ship_city, ship_postal_code, ship_country,
                             reserved_until, created_at, updated_at)
         VALUES ('MM-TEST00000001', 'a@b.test', 'USD', 'paid', 2950, 0, 0, 0, 2950, 'N', 'L', 'C', '1', 'US',
                 {now}, {now}, {now})"
    ))
    .await
    .unwrap();
    let order_id = db.scalar_raw("SELECT id FROM orders WHERE number = 'MM-TEST00000001'").await.unwrap();
    db.execute_raw(&format!(
        "INSERT INTO order_parts (order_id, merchant_id, status, shipping_speed, subtotal_minor, shipping_minor,
                                  discount_minor, tax_minor, total_minor)
         VALUES ({order_id}, {}, 'paid', 'standard', 2950, 0, 0, 0, 2950)",
        f.store_a
    ))
    .await
    .unwrap();
    let part_id = db.scalar_raw("SELECT MAX(id) FROM order_parts").await.unwrap();
    db.execute_raw(&format!(
        "INSERT INTO order_lines (part_id, product_id, variant_id, title, sku, unit_price_minor, quantity, line_total_minor)
         VALUES ({part_id}, {id}, {large}, 'Canvas Market Tote', 'TOTE-L', 2950, 1, 2950)"
    ))
    .await
    .unwrap();
    input.slug = "canvas-market-tote".into();
    input.variants.truncate(1);
    let err = f.shop.products_admin.save_product(f.store_a, Some(id), &valid(&input)).await;
    let Err(SaveError::Invalid(fields)) = err else { panic!("expected field errors, got {err:?}") };
    assert!(fields.get("variants").unwrap().contains("TOTE-L"), "{fields:?}");
    assert_eq!(count(&db, "product_variants").await, 2);
}

async fn over_http_the_owner_creates_and_another_store_gets_403(db: Database) {
    use support::{OWNER_A, OWNER_B};
    let app = support::spawn_app_on(db, AuthSettings::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let b = app.login(OWNER_B.0, OWNER_B.1).await;
    let category = app.shop.products_admin.category_names().await.unwrap()[0].0.to_string();
    let form = [
        ("title", "Matrix Canvas Satchel"),
        ("slug", ""),
        ("description", "Carries <script>alert(1)</script> **everything**."),
        ("category_id", category.as_str()),
        ("status", "published"),
        ("option_name", "Colour"),
        ("sku[0]", "SATCHEL-SAND"),
        ("option[0]", "Sand"),
        ("price[0]", "49.00"),
        ("compare_at[0]", ""),
        ("stock[0]", "4"),
        ("sku[1]", "SATCHEL-NAVY"),
        ("option[1]", "Navy"),
        ("price[1]", "52.00"),
        ("compare_at[1]", "60.00"),
        ("stock[1]", "2"),
        ("sku[2]", ""),
        ("option[2]", ""),
        ("price[2]", ""),
        ("compare_at[2]", ""),
        ("stock[2]", ""),
    ];
    let res = app.call(&a, "/api/admin/product/save", &form).await;
    assert!(res.status == 302 || res.status == 303 || res.status == 200, "{} {}", res.status, res.body);
    let location = res.header("location").map(str::to_string);
    let id = app
        .shop
        .products_admin
        .admin_products(
            app.store_of(OWNER_A.0).await,
            &ProductFilter { q: "matrix canvas".into(), ..Default::default() }.normalized(),
            Cursor::Newest,
            25,
        )
        .await
        .unwrap()[0]
        .id;
    if let Some(location) = location {
        assert!(location.starts_with(&format!("/admin/products/{id}")), "{location}");
    }
    // The same form again: the slug and both SKUs are taken.
    let res = app.call(&a, "/api/admin/product/save", &form).await;
    let err = res.app_error().unwrap_or_else(|| panic!("{} {}", res.status, res.body));
    assert_eq!(err.field("slug").as_deref(), Some("That slug is already used by another product."));
    assert_eq!(err.field("variants[1].sku").as_deref(), Some("SKU SATCHEL-NAVY is already used."));

    // The owner's table and edit page.
    let page = app.get_as(&a, "/admin/products").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Matrix Canvas Satchel"));
    let page = app.get_as(&a, &format!("/admin/products/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("SATCHEL-NAVY"));

    // Store B: the edit URL is the 403 page, the server fns refuse, nothing changes.
    let page = app.get_as(&b, &format!("/admin/products/{id}")).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("data-testid=\"forbidden\""));
    assert!(!page.body.contains("SATCHEL-NAVY"));
    let res = app.call(&b, "/api/admin/product", &[("id", &id.to_string())]).await;
    assert_eq!(res.app_error(), Some(app::domain::errors::AppError::Forbidden));
    let mut hijack = form.to_vec();
    let id_text = id.to_string();
    hijack.push(("id", &id_text));
    hijack[0] = ("title", "Hijacked");
    let res = app.call(&b, "/api/admin/product/save", &hijack).await;
    assert_eq!(res.app_error(), Some(app::domain::errors::AppError::Forbidden));
    assert_eq!(app.shop.products_admin.product_form(id).await.unwrap().unwrap().input.title, "Matrix Canvas Satchel");

    // The shopper finds it, and its page never runs the description's HTML.
    let found = app.get("/search?q=matrix+satchel").await;
    assert!(found.body.contains("/products/matrix-canvas-satchel"), "not in search");
    let product = app.get("/products/matrix-canvas-satchel").await;
    assert_eq!(product.status, 200);
    assert!(!product.body.contains("<script>alert(1)"));
    assert!(product.body.contains("<strong>everything</strong>"), "the Markdown is rendered");
    assert!(product.body.contains("&lt;script&gt;"), "the raw HTML shows as text");

    // A seeded product with two options (Size / Colour) saves back unchanged from its form.
    let mut two = None;
    for pid in 1..200 {
        if let Some(f) = app.shop.products_admin.product_form(pid).await.unwrap() {
            if f.input.option_name.contains(" / ") {
                two = Some(f);
                break;
            }
        }
    }
    let two = two.expect("a seeded product with two options");
    let before = app.shop.catalog.product_by_slug(&two.input.slug).await.unwrap();
    app.shop.products_admin.save_product(two.merchant_id, Some(two.id), &valid(&two.input)).await.unwrap();
    let after = app.shop.products_admin.product_form(two.id).await.unwrap().unwrap();
    assert_eq!(after.input, two.input);
    if let Some(before) = before {
        let now = app.shop.catalog.product_by_slug(&two.input.slug).await.unwrap().unwrap();
        assert_eq!(now.detail.option_names, before.detail.option_names);
        let opts =
            |d: &app::domain::catalog::ProductDetail| d.variants.iter().map(|v| v.options.clone()).collect::<Vec<_>>();
        assert_eq!(opts(&now.detail), opts(&before.detail));
    }
    app.db.close().await;
}
