//! The catalog version (migration 0019's triggers) on both engines, and the storefront caches
//! kept by it: a change made through one instance shows on the next request of every other
//! instance, without waiting for a timer.
#[macro_use]
mod support;

use app::domain::idempotency::IdempotencyClaim;
use app::services::catalog::CategoryCache;
use app::services::catalog_store::{NewProduct, ProductStatus};
use app::services::order_store::PlaceResult;
use server::store::Database;
use support::fixtures::{self, Marketplace, store};

conformance!(
    the_version_moves_with_new_products_and_sell_outs_not_with_every_sale,
    every_instance_counts_a_new_product_on_its_next_request,
);

async fn version(db: &Database) -> i64 {
    db.catalog().catalog_version().await.unwrap()
}

async fn place(db: &Database, variant: i64, quantity: i64, number: &str) -> PlaceResult {
    let orders = db.orders();
    let v = orders.variants_for_order(&[variant]).await.unwrap().remove(0);
    let claim = IdempotencyClaim { scope: "checkout".into(), key: format!("key-{number}"), fingerprint: "f".into() };
    orders.place_order(&fixtures::reserved_order(number, &v, quantity, None), &claim).await.unwrap()
}

async fn the_version_moves_with_new_products_and_sell_outs_not_with_every_sale(db: Database) {
    let empty = version(&db).await;
    let lamp = fixtures::item("dune-lamp").title("Dune Lamp").sku("dune-1").price(2500).stock(3);
    let variant = Marketplace::new().store(store("dune").sells([lamp])).build(&db).await.variant("dune-lamp");
    let stocked = version(&db).await;
    assert!(stocked > empty, "a new store and product move the version ({empty} → {stocked})");

    assert!(matches!(place(&db, variant, 1, "MM-0000000VER1").await, PlaceResult::Placed { .. }));
    assert_eq!(version(&db).await, stocked, "a sale that leaves stock does not invalidate the listings");

    assert!(matches!(place(&db, variant, 2, "MM-0000000VER2").await, PlaceResult::Placed { .. }));
    let sold_out = version(&db).await;
    assert!(sold_out > stocked, "selling the last units moves it (the in-stock filter changes)");

    // A refused order (nothing left) changes nothing.
    assert!(matches!(place(&db, variant, 1, "MM-0000000VER3").await, PlaceResult::OutOfStock(_)));
    assert_eq!(version(&db).await, sold_out);
}

async fn every_instance_counts_a_new_product_on_its_next_request(db: Database) {
    let lamp = fixtures::item("reed-lamp").title("Reed Lamp").sku("reed-1").price(1500).stock(5);
    let shop = Marketplace::new().store(store("reed").sells([lamp])).build(&db).await;
    let merchant = shop.product("reed-lamp").merchant;
    // Two instances, each with its own cache, both warm.
    let (a, b) = (CategoryCache::default(), CategoryCache::default());
    let count = |cats: &[app::domain::catalog::Category]| {
        cats.iter().find(|c| c.id == shop.category).map(|c| c.product_count).unwrap()
    };
    let before = count(&a.get(db.catalog().as_ref()).await.unwrap());
    assert_eq!(count(&b.get(db.catalog().as_ref()).await.unwrap()), before);

    // A second product is published in that category (through "instance a"'s database).
    let second = NewProduct {
        merchant_id: merchant,
        category_id: shop.category,
        slug: "reed-lamp-tall".into(),
        title: "Reed Lamp Tall".into(),
        description: String::new(),
        currency: app::domain::money::Currency::USD,
        status: ProductStatus::Published,
        option_names: vec![],
        variants: vec![fixtures::variant("reed-2", "", &[], 1900, 4)],
        images: vec![],
        created_at: 1_700_000_000,
    };
    db.catalog().create_products(&[second]).await.unwrap();

    assert_eq!(count(&a.get(db.catalog().as_ref()).await.unwrap()), before + 1, "instance a, next request");
    assert_eq!(count(&b.get(db.catalog().as_ref()).await.unwrap()), before + 1, "instance b, next request");
}
