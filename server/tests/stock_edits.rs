//! Stock on the product form is compare-and-set against what the form showed, on both engines:
//! a form read before a sale and saved with the stock it showed keeps the sale (the stock is not
//! written back); a stock changed on such a form is refused with the current stock under the
//! field and nothing of the save is written; saved again after that (the form now holding the
//! current stock), the change applies and joins the inventory history.
#[macro_use]
mod support;

use app::domain::product_form::{ProductInput, VariantInput, validate};
use app::services::product_admin_store::SaveError;
use app::services::{AuthSettings, Shop};
use server::store::Database;
use support::fixtures::{Marketplace, store};

conformance!(
    a_sale_made_while_the_form_is_open_is_not_lost,
    a_stock_changed_on_a_stale_form_is_refused_with_the_current_stock,
);

async fn fixture(db: &Database) -> (Shop, i64, i64) {
    let shop = server::startup::shop(db, AuthSettings::default());
    let m = Marketplace::new().category("bags", "Bags").store(store("store-a").name("Store A")).build(db).await;
    let (store, category) = (m.stores[0], m.category);
    let input = ProductInput {
        title: "Canvas Tote".into(),
        slug: String::new(),
        description: "A bag.".into(),
        category_id: category.to_string(),
        status: "published".into(),
        option_name: "Size".into(),
        variants: vec![
            VariantInput {
                sku: "TOTE-S".into(),
                option: "Small".into(),
                price: "24.00".into(),
                stock: "5".into(),
                ..Default::default()
            },
            VariantInput {
                sku: "TOTE-L".into(),
                option: "Large".into(),
                price: "29.00".into(),
                stock: "4".into(),
                ..Default::default()
            },
        ],
    };
    let id = shop.products_admin.save_product(store, None, &validate(&input).unwrap()).await.unwrap();
    (shop, store, id)
}

async fn stock(db: &Database, sku: &str) -> i64 {
    db.scalar_raw(&format!("SELECT stock FROM product_variants WHERE sku = '{sku}'")).await.unwrap()
}

/// A shopper buys `quantity` of the variant through the real checkout (stock reserved there).
async fn sell(db: &Database, sku: &str, quantity: i64, key: &str) {
    let variant = db.scalar_raw(&format!("SELECT id FROM product_variants WHERE sku = '{sku}'")).await.unwrap();
    let req = support::guest_checkout(vec![(variant, quantity)], "4242 4242 4242 4242", key, 1_800_000_000, [3; 8]);
    let out = app::services::checkout::place_order(
        db.orders().as_ref(),
        &app::domain::gateway::TestGateway,
        &Default::default(),
        req,
    )
    .await
    .unwrap();
    assert!(matches!(out, app::services::checkout::CheckoutOutcome::Paid { .. }), "{out:?}");
}

/// The form as the edit page loads it (each row carries the stock it shows).
async fn open_form(shop: &Shop, id: i64) -> ProductInput {
    shop.products_admin.product_form(id).await.unwrap().unwrap().input
}

async fn a_sale_made_while_the_form_is_open_is_not_lost(db: Database) {
    let (shop, store, id) = fixture(&db).await;
    let mut form = open_form(&shop, id).await;
    assert_eq!((form.variants[0].stock.as_str(), form.variants[0].stock_seen.as_str()), ("5", "5"));

    sell(&db, "TOTE-S", 2, "form-sale-key-001").await;
    assert_eq!(stock(&db, "TOTE-S").await, 3);

    // The merchant changes the title and saves the form, which still shows stock 5.
    form.title = "Canvas Market Tote".into();
    shop.products_admin.save_product(store, Some(id), &validate(&form).unwrap()).await.unwrap();
    assert_eq!(stock(&db, "TOTE-S").await, 3, "the sale is kept: the stock as shown is not written back");
    assert_eq!(stock(&db, "TOTE-L").await, 4);
    assert_eq!(open_form(&shop, id).await.title, "Canvas Market Tote");
    let corrections =
        db.scalar_raw("SELECT COUNT(*) FROM stock_adjustments WHERE reason = 'correction'").await.unwrap();
    assert_eq!(corrections, 0, "no stock change was made on the form");
}

async fn a_stock_changed_on_a_stale_form_is_refused_with_the_current_stock(db: Database) {
    let (shop, store, id) = fixture(&db).await;
    let mut form = open_form(&shop, id).await;
    sell(&db, "TOTE-S", 2, "form-sale-key-002").await;

    // The merchant, not knowing of the sale, sets 8 on a form that showed 5.
    form.title = "Renamed Tote".into();
    form.variants[0].stock = "8".into();
    let err = shop.products_admin.save_product(store, Some(id), &validate(&form).unwrap()).await;
    let Err(SaveError::Invalid(fields)) = err else { panic!("expected field errors, got {err:?}") };
    let message = fields.get("variants[0].stock").unwrap();
    assert!(message.contains("it is 3 now") && message.contains("you saw 5"), "{message}");
    assert_eq!(fields.get("variants[0].stock_now"), Some("3"), "the page's hidden stock_seen takes it");
    assert!(fields.get("form").unwrap().starts_with("Nothing was saved"));
    assert_eq!(stock(&db, "TOTE-S").await, 3, "nothing written");
    assert_eq!(open_form(&shop, id).await.title, "Canvas Tote", "nothing written");

    // Saved again once the form holds the current stock: the merchant's 8 applies.
    form.variants[0].stock_seen = "3".into();
    shop.products_admin.save_product(store, Some(id), &validate(&form).unwrap()).await.unwrap();
    assert_eq!(stock(&db, "TOTE-S").await, 8);
    assert_eq!(open_form(&shop, id).await.title, "Renamed Tote");
    let delta = db
        .scalar_raw("SELECT delta FROM stock_adjustments WHERE reason = 'correction' ORDER BY id DESC LIMIT 1")
        .await
        .unwrap();
    assert_eq!(delta, 5, "the history records 3 → 8");

    // A form without what it showed (an older client) still states a count.
    form.variants[0].stock_seen.clear();
    form.variants[0].stock = "6".into();
    shop.products_admin.save_product(store, Some(id), &validate(&form).unwrap()).await.unwrap();
    assert_eq!(stock(&db, "TOTE-S").await, 6);
}
