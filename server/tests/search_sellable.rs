//! The search index and the suggestions hold only what a shopper may buy — published products
//! of active stores — on both engines: 300 drafts and products of a pending store that match a
//! popular query better than the real ones do not push those out of the results, and their words
//! and titles never appear in suggestions; approving the store lets its products in; suspending
//! a store takes its products out of search and suggestions; unpublishing a product takes it
//! out, publishing it again puts it back.
#[macro_use]
mod support;

use app::domain::account::MerchantStatus;
use app::domain::product_form::{ProductInput, VariantInput, validate};
use app::domain::search::{MAX_HITS, tokenize};
use app::services::catalog_store::ProductStatus;
use app::services::{AuthSettings, Shop};
use server::store::Database;
use support::fixtures::{self, Marketplace, store};
use support::storefront_search;

conformance!(
    unsellable_products_neither_crowd_out_search_nor_plant_suggestions,
    store_status_and_product_status_move_products_in_and_out_of_search,
);

/// Completed queries and the product titles suggested for what was typed, through the shop's
/// vocabulary cache (kept per catalog version, so it follows every change below by itself).
async fn suggest(shop: &Shop, typed: &str) -> (Vec<String>, Vec<String>) {
    let s = app::services::search::suggest(shop.catalog.as_ref(), &shop.vocabulary, typed).await.unwrap();
    (s.queries, s.products.into_iter().map(|p| p.title).collect())
}

/// Five real lamps of an active store; 150 drafts of the same store and 150 published products
/// of a pending store, all newer and with "lamp" repeated so they rank above the real ones.
async fn crowded_catalog(db: &Database) -> (i64, i64, i64) {
    const AT: i64 = 1_700_000_000;
    let product = |slug: String, title: &str, description: &str, status: ProductStatus| {
        let item = fixtures::item(&slug).title(title).description(description).status(status);
        item.sku(format!("{slug}-sku")).variant_title("Default").stock(5).created_at(AT)
    };
    let real = (0..5)
        .map(|i| product(format!("brass-lamp-{i}"), "Brass Desk Lamp", "A fine thing.", ProductStatus::Published))
        .chain((0..150).map(|i| {
            let draft = product(format!("draft-{i}"), "Lamp Lamp Lamp Quuxly", "lamp lamp lamp", ProductStatus::Draft);
            draft.created_at(AT + 1000 + i)
        }));
    let planted = (0..150).map(|i| {
        let title = "Lamp Lamp Lamp Zorblax";
        product(format!("planted-{i}"), title, "lamp lamp lamp", ProductStatus::Published).created_at(AT + 1000 + i)
    });
    let m = Marketplace::new()
        .category("lighting", "Lighting")
        .store(store("northwind").name("Northwind Home").sells(real))
        .store(store("spam-store").name("Zorblax Deals").status(MerchantStatus::Pending).sells(planted))
        .build(db)
        .await;
    (m.stores[0], m.stores[1], m.category)
}

async fn unsellable_products_neither_crowd_out_search_nor_plant_suggestions(db: Database) {
    let shop = server::startup::shop(&db, AuthSettings::default());
    crowded_catalog(&db).await;

    // The engine's own hits (before any later filter) are the five real lamps only.
    let hits = shop.catalog.search(&tokenize("lamp"), MAX_HITS).await.unwrap();
    assert_eq!(hits.hits.len(), 5, "only sellable products are matched");
    assert_eq!(hits.matches, 5);
    let (slugs, total) = storefront_search(&shop, "lamp").await;
    assert_eq!(total, 5);
    let mut slugs = slugs;
    slugs.sort();
    assert_eq!(slugs, (0..5).map(|i| format!("brass-lamp-{i}")).collect::<Vec<_>>());

    // Nothing of theirs is found or suggested: no words, no titles, not even by a typo.
    for q in ["zorblax", "quuxly", "deals"] {
        assert_eq!(storefront_search(&shop, q).await.1, 0, "{q} finds nothing");
    }
    let vocabulary = shop.catalog.search_vocabulary().await.unwrap();
    assert!(vocabulary.iter().all(|(w, _)| w != "zorblax" && w != "quuxly" && w != "deals"), "no planted words");
    assert_eq!(vocabulary.iter().find(|(w, _)| w == "lamp").map(|(_, n)| *n), Some(5), "lamp counts real products");
    for typed in ["zorb", "quux", "zorblx", "lamp", "la", "brass l"] {
        let (queries, titles) = suggest(&shop, typed).await;
        assert!(queries.iter().all(|q| !q.contains("zorblax") && !q.contains("quuxly")), "{typed}: {queries:?}");
        assert!(titles.iter().all(|t| t == "Brass Desk Lamp"), "{typed}: {titles:?}");
    }
    let (_, titles) = suggest(&shop, "lamp").await;
    assert_eq!(titles.len(), app::services::search::SUGGESTED_PRODUCTS as usize, "real lamps are suggested");
}

async fn store_status_and_product_status_move_products_in_and_out_of_search(db: Database) {
    let shop = server::startup::shop(&db, AuthSettings::default());
    let (real, spam, c) = crowded_catalog(&db).await;

    // Approving the pending store lets its published products in (drafts stay out).
    app::services::accounts::set_store_status(&shop, spam, "active").await.unwrap();
    assert_eq!(storefront_search(&shop, "zorblax").await.1, 150);
    assert_eq!(storefront_search(&shop, "quuxly").await.1, 0, "drafts stay out");
    let (queries, titles) = suggest(&shop, "zorb").await;
    assert_eq!(queries.first().map(String::as_str), Some("zorblax"));
    assert!(titles.iter().all(|t| t.contains("Zorblax")) && !titles.is_empty());

    // Suspending a store takes its products out of search and of the suggestions.
    app::services::accounts::set_store_status(&shop, real, "suspended").await.unwrap();
    assert_eq!(storefront_search(&shop, "brass").await.1, 0);
    assert!(shop.catalog.search(&tokenize("brass desk"), MAX_HITS).await.unwrap().hits.is_empty());
    let (queries, titles) = suggest(&shop, "bras").await;
    assert!(queries.iter().all(|q| !q.contains("brass")), "{queries:?}");
    assert!(titles.iter().all(|t| !t.contains("Brass")), "{titles:?}");
    let (_, titles) = suggest(&shop, "lamp").await;
    assert!(titles.iter().all(|t| t.contains("Zorblax")), "{titles:?}");
    // ... and reinstating it brings them back.
    app::services::accounts::set_store_status(&shop, real, "active").await.unwrap();
    assert_eq!(storefront_search(&shop, "brass").await.1, 5);

    // A product unpublished on the form leaves the index; published again, it is back.
    let id = db.scalar_raw("SELECT id FROM products WHERE slug = 'brass-lamp-0'").await.unwrap();
    let input = |status: &str| ProductInput {
        title: "Brass Desk Lamp".into(),
        slug: "brass-lamp-0".into(),
        description: "A fine thing.".into(),
        category_id: c.to_string(),
        status: status.into(),
        option_name: String::new(),
        variants: vec![VariantInput {
            sku: "brass-lamp-0-sku".into(),
            price: "10.00".into(),
            stock: "5".into(),
            stock_seen: "5".into(),
            ..Default::default()
        }],
    };
    shop.products_admin.save_product(real, Some(id), &validate(&input("draft")).unwrap()).await.unwrap();
    assert_eq!(storefront_search(&shop, "brass").await.1, 4);
    let (_, titles) = suggest(&shop, "brass").await;
    assert_eq!(titles.len(), 4);
    shop.products_admin.save_product(real, Some(id), &validate(&input("published")).unwrap()).await.unwrap();
    assert_eq!(storefront_search(&shop, "brass").await.1, 5);
}
