//! The search index and the suggestions hold only what a shopper may buy — published products
//! of active stores — on both engines: 300 drafts and products of a pending store that match a
//! popular query better than the real ones do not push those out of the results, and their words
//! and titles never appear in suggestions; approving the store lets its products in; suspending
//! a store takes its products out of search and suggestions; unpublishing a product takes it
//! out, publishing it again puts it back.
#[macro_use]
mod support;

use app::domain::product_form::{ProductInput, VariantInput, validate};
use app::domain::search::{MAX_HITS, tokenize};
use app::services::catalog_store::{MerchantStatus, NewCategory, NewMerchant, NewProduct, NewVariant, ProductStatus};
use app::services::{AuthSettings, Shop};
use server::store::Database;

conformance!(
    unsellable_products_neither_crowd_out_search_nor_plant_suggestions,
    store_status_and_product_status_move_products_in_and_out_of_search,
);

async fn merchant(shop: &Shop, slug: &str, name: &str, status: MerchantStatus) -> i64 {
    shop.catalog
        .create_merchant(&NewMerchant { slug: slug.into(), name: name.into(), description: String::new(), status })
        .await
        .unwrap()
}

async fn category(shop: &Shop) -> i64 {
    shop.catalog
        .create_category(&NewCategory {
            parent_id: None,
            slug: "lighting".into(),
            name: "Lighting".into(),
            description: String::new(),
            position: 0,
        })
        .await
        .unwrap()
}

fn product(
    merchant_id: i64,
    category_id: i64,
    slug: &str,
    title: &str,
    description: &str,
    status: ProductStatus,
) -> NewProduct {
    NewProduct {
        merchant_id,
        category_id,
        slug: slug.into(),
        title: title.into(),
        description: description.into(),
        currency: app::domain::money::Currency::USD,
        status,
        option_names: vec![],
        variants: vec![NewVariant {
            sku: format!("{slug}-sku"),
            title: "Default".into(),
            options: vec![],
            price_minor: 1000,
            compare_at_minor: None,
            stock: 5,
        }],
        images: vec![],
        created_at: 1_700_000_000,
    }
}

async fn search(shop: &Shop, q: &str) -> (Vec<String>, i64) {
    let req = app::services::search::SearchRequest {
        query: q.into(),
        filters: Default::default(),
        sort: Default::default(),
        page: 1,
        viewer: None,
        can_explain: false,
        weights: None,
    };
    let found =
        app::services::search::search(shop.catalog.as_ref(), &shop.vocabulary, &shop.categories, req).await.unwrap();
    (found.listing.products.items.into_iter().map(|c| c.card.slug).collect(), found.listing.products.total)
}

/// Completed queries and the product titles suggested for what was typed, with a fresh
/// vocabulary (as after the cache's few minutes).
async fn suggest(shop: &Shop, typed: &str) -> (Vec<String>, Vec<String>) {
    shop.vocabulary.clear();
    let s = app::services::search::suggest(shop.catalog.as_ref(), &shop.vocabulary, typed).await.unwrap();
    (s.queries, s.products.into_iter().map(|p| p.title).collect())
}

/// Five real lamps of an active store; 150 drafts of the same store and 150 published products
/// of a pending store, all newer and with "lamp" repeated so they rank above the real ones.
async fn crowded_catalog(shop: &Shop) -> (i64, i64, i64) {
    let real = merchant(shop, "northwind", "Northwind Home", MerchantStatus::Active).await;
    let spam = merchant(shop, "spam-store", "Zorblax Deals", MerchantStatus::Pending).await;
    let c = category(shop).await;
    let mut products: Vec<NewProduct> = (0..5)
        .map(|i| {
            product(real, c, &format!("brass-lamp-{i}"), "Brass Desk Lamp", "A fine thing.", ProductStatus::Published)
        })
        .collect();
    for i in 0..150 {
        let mut draft =
            product(real, c, &format!("draft-{i}"), "Lamp Lamp Lamp Quuxly", "lamp lamp lamp", ProductStatus::Draft);
        draft.created_at += 1000 + i;
        products.push(draft);
        let mut planted = product(
            spam,
            c,
            &format!("planted-{i}"),
            "Lamp Lamp Lamp Zorblax",
            "lamp lamp lamp",
            ProductStatus::Published,
        );
        planted.created_at += 1000 + i;
        products.push(planted);
    }
    shop.catalog.create_products(&products).await.unwrap();
    (real, spam, c)
}

async fn unsellable_products_neither_crowd_out_search_nor_plant_suggestions(db: Database) {
    let shop = server::startup::shop(&db, AuthSettings::default());
    crowded_catalog(&shop).await;

    // The engine's own hits (before any later filter) are the five real lamps only.
    let hits = shop.catalog.search(&tokenize("lamp"), MAX_HITS).await.unwrap();
    assert_eq!(hits.hits.len(), 5, "only sellable products are matched");
    assert_eq!(hits.matches, 5);
    let (slugs, total) = search(&shop, "lamp").await;
    assert_eq!(total, 5);
    let mut slugs = slugs;
    slugs.sort();
    assert_eq!(slugs, (0..5).map(|i| format!("brass-lamp-{i}")).collect::<Vec<_>>());

    // Nothing of theirs is found or suggested: no words, no titles, not even by a typo.
    for q in ["zorblax", "quuxly", "deals"] {
        assert_eq!(search(&shop, q).await.1, 0, "{q} finds nothing");
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
    let (real, spam, c) = crowded_catalog(&shop).await;

    // Approving the pending store lets its published products in (drafts stay out).
    app::services::accounts::set_store_status(&shop, spam, "active").await.unwrap();
    assert_eq!(search(&shop, "zorblax").await.1, 150);
    assert_eq!(search(&shop, "quuxly").await.1, 0, "drafts stay out");
    let (queries, titles) = suggest(&shop, "zorb").await;
    assert_eq!(queries.first().map(String::as_str), Some("zorblax"));
    assert!(titles.iter().all(|t| t.contains("Zorblax")) && !titles.is_empty());

    // Suspending a store takes its products out of search and of the suggestions.
    app::services::accounts::set_store_status(&shop, real, "suspended").await.unwrap();
    assert_eq!(search(&shop, "brass").await.1, 0);
    assert!(shop.catalog.search(&tokenize("brass desk"), MAX_HITS).await.unwrap().hits.is_empty());
    let (queries, titles) = suggest(&shop, "bras").await;
    assert!(queries.iter().all(|q| !q.contains("brass")), "{queries:?}");
    assert!(titles.iter().all(|t| !t.contains("Brass")), "{titles:?}");
    let (_, titles) = suggest(&shop, "lamp").await;
    assert!(titles.iter().all(|t| t.contains("Zorblax")), "{titles:?}");
    // ... and reinstating it brings them back.
    app::services::accounts::set_store_status(&shop, real, "active").await.unwrap();
    assert_eq!(search(&shop, "brass").await.1, 5);

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
    assert_eq!(search(&shop, "brass").await.1, 4);
    let (_, titles) = suggest(&shop, "brass").await;
    assert_eq!(titles.len(), 4);
    shop.products_admin.save_product(real, Some(id), &validate(&input("published")).unwrap()).await.unwrap();
    assert_eq!(search(&shop, "brass").await.1, 5);
}
