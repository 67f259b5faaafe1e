//! One storage conformance suite, run against SQLite and PostgreSQL: both adapters must behave
//! identically for everything the app relies on.
mod support;

use app::domain::listing::Sort;
use app::services::StoreError;
use app::services::catalog_store::{
    MerchantStatus, NewCategory, NewImage, NewMerchant, NewProduct, NewVariant, ProductQuery, ProductStatus,
};
use server::store::Database;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name(super::support::sqlite().await).await; } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() {
                if let Some(db) = super::support::postgres().await { super::$name(db).await; }
            } )*
        }
    };
}

conformance!(
    migrations_are_recorded_and_idempotent,
    product_round_trips_with_variants_and_images,
    drafts_and_suspended_stores_stay_hidden,
    listing_sorts_filters_and_pages,
    bulk_create_is_all_or_nothing,
    invalid_products_are_refused_with_a_reason,
    bulk_create_returns_ids_in_input_order,
    sku_is_unique_per_store_only,
);

async fn merchant(db: &Database, slug: &str, status: MerchantStatus) -> i64 {
    db.catalog()
        .create_merchant(&NewMerchant {
            slug: slug.into(),
            name: format!("Store {slug}"),
            description: String::new(),
            status,
        })
        .await
        .unwrap()
}

async fn category(db: &Database, slug: &str, parent: Option<i64>) -> i64 {
    db.catalog()
        .create_category(&NewCategory {
            parent_id: parent,
            slug: slug.into(),
            name: slug.to_uppercase(),
            description: format!("About {slug}"),
            position: 0,
        })
        .await
        .unwrap()
}

fn product(merchant_id: i64, category_id: i64, slug: &str, prices: &[i64], created_at: i64) -> NewProduct {
    NewProduct {
        merchant_id,
        category_id,
        slug: slug.into(),
        title: format!("Title {slug}"),
        description: "A fine thing.".into(),
        currency: "USD".into(),
        status: ProductStatus::Published,
        option_names: if prices.len() > 1 { vec!["Size".into()] } else { vec![] },
        variants: prices
            .iter()
            .enumerate()
            .map(|(i, p)| NewVariant {
                sku: format!("{slug}-{i}"),
                title: format!("V{i}"),
                options: if prices.len() > 1 { vec![format!("S{i}")] } else { vec![] },
                price_minor: *p,
                compare_at_minor: None,
                stock: 3,
            })
            .collect(),
        images: vec![],
        created_at,
    }
}

fn query(ids: Option<Vec<i64>>, sort: Sort, offset: i64, limit: i64) -> ProductQuery {
    ProductQuery { category_ids: ids, sort, offset, limit, in_stock_only: false }
}

async fn migrations_are_recorded_and_idempotent(db: Database) {
    assert_eq!(db.migrate().await.unwrap(), 0, "a second migrate must find nothing to do");
    assert_eq!(db.catalog().count_products().await.unwrap(), 0);
    db.catalog().ping().await.unwrap();
}

async fn product_round_trips_with_variants_and_images(db: Database) {
    let store = db.catalog();
    let m = merchant(&db, "acme", MerchantStatus::Active).await;
    let root = category(&db, "fashion", None).await;
    let leaf = category(&db, "tees", Some(root)).await;
    let mut p = product(m, leaf, "crew-tee", &[2500, 2500, 2700], 1_000);
    p.option_names = vec!["Size".into(), "Colour".into()];
    for (i, v) in p.variants.iter_mut().enumerate() {
        v.options = vec![["S", "M", "XL"][i].into(), "Navy".into()];
    }
    p.variants[0].compare_at_minor = Some(3000);
    p.variants[1].stock = 0;
    p.images = vec![
        NewImage { url: "/media/a.svg".into(), alt: "front".into() },
        NewImage { url: "/media/b.svg".into(), alt: "back".into() },
    ];
    let ids = store.create_products(&[p]).await.unwrap();

    let got = store.product_by_slug("crew-tee").await.unwrap().expect("product exists");
    assert_eq!(got.category_id, leaf);
    let d = got.detail;
    assert_eq!(d.id, ids[0]);
    assert_eq!(d.title, "Title crew-tee");
    assert_eq!(d.merchant.slug, "acme");
    assert_eq!(d.option_names, vec!["Size", "Colour"]);
    let sizes: Vec<&str> = d.variants.iter().map(|v| v.options[0].as_str()).collect();
    assert_eq!(sizes, vec!["S", "M", "XL"], "variants keep their order");
    assert_eq!(d.variants[0].price.to_string(), "$25.00");
    assert_eq!(d.variants[0].compare_at.unwrap().minor, 3000);
    assert_eq!(d.variants[1].stock, 0);
    assert_eq!(d.images.iter().map(|i| i.alt.as_str()).collect::<Vec<_>>(), vec!["front", "back"]);
    assert!(store.product_by_slug("no-such").await.unwrap().is_none());

    let (cards, total) = store.list_products(&query(Some(vec![root, leaf]), Sort::Newest, 0, 10)).await.unwrap();
    assert_eq!(total, 1);
    let c = &cards[0];
    assert_eq!(c.price.minor, 2500, "a card shows the lowest variant price");
    assert!(c.varied_price);
    assert_eq!(c.total_stock, 6);
    assert_eq!(c.image.as_ref().unwrap().url, "/media/a.svg");
    assert_eq!(c.merchant_name, "Store acme");

    let cats = store.categories().await.unwrap();
    let count = |id| cats.iter().find(|c| c.id == id).unwrap().product_count;
    assert_eq!((count(root), count(leaf)), (0, 1), "the store counts own products; the service rolls up");
    assert_eq!(cats.iter().find(|c| c.id == leaf).unwrap().parent_id, Some(root));
}

async fn drafts_and_suspended_stores_stay_hidden(db: Database) {
    let store = db.catalog();
    let active = merchant(&db, "open", MerchantStatus::Active).await;
    let suspended = merchant(&db, "closed", MerchantStatus::Suspended).await;
    let pending = merchant(&db, "new", MerchantStatus::Pending).await;
    let cat = category(&db, "home", None).await;
    let mut draft = product(active, cat, "draft-lamp", &[1000], 1);
    draft.status = ProductStatus::Draft;
    store
        .create_products(&[
            product(active, cat, "live-lamp", &[1000], 2),
            draft,
            product(suspended, cat, "hidden-lamp", &[1000], 3),
            product(pending, cat, "pending-lamp", &[1000], 4),
        ])
        .await
        .unwrap();
    let (cards, total) = store.list_products(&query(None, Sort::Newest, 0, 10)).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(cards.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(), vec!["live-lamp"]);
    for slug in ["draft-lamp", "hidden-lamp", "pending-lamp"] {
        assert!(store.product_by_slug(slug).await.unwrap().is_none(), "{slug} must not be visible");
    }
    assert_eq!(store.categories().await.unwrap()[0].product_count, 1);
    assert_eq!(store.count_products().await.unwrap(), 4, "hidden products still exist");
}

async fn listing_sorts_filters_and_pages(db: Database) {
    let store = db.catalog();
    let m = merchant(&db, "m", MerchantStatus::Active).await;
    let a = category(&db, "a", None).await;
    let b = category(&db, "b", None).await;
    let mut sold_out = product(m, b, "p-soldout", &[50], 50);
    sold_out.variants[0].stock = 0;
    store
        .create_products(&[
            product(m, a, "p-300", &[300], 10),
            product(m, a, "p-100", &[100, 900], 30),
            product(m, a, "p-200", &[200], 20),
            sold_out,
        ])
        .await
        .unwrap();
    let slugs = |cards: Vec<app::domain::catalog::ProductCard>| cards.into_iter().map(|c| c.slug).collect::<Vec<_>>();

    let (newest, total) = store.list_products(&query(Some(vec![a]), Sort::Newest, 0, 10)).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(slugs(newest), vec!["p-100", "p-200", "p-300"]);
    let (asc, _) = store.list_products(&query(Some(vec![a]), Sort::PriceLowHigh, 0, 10)).await.unwrap();
    assert_eq!(slugs(asc), vec!["p-100", "p-200", "p-300"], "price sorts by the lowest variant price");
    let (desc, _) = store.list_products(&query(Some(vec![a]), Sort::PriceHighLow, 0, 10)).await.unwrap();
    assert_eq!(slugs(desc), vec!["p-300", "p-200", "p-100"]);

    let (page2, total) = store.list_products(&query(Some(vec![a]), Sort::PriceLowHigh, 2, 2)).await.unwrap();
    assert_eq!((slugs(page2), total), (vec!["p-300".to_string()], 3));
    let (beyond, total) = store.list_products(&query(Some(vec![a]), Sort::Newest, 30, 10)).await.unwrap();
    assert_eq!((beyond.len(), total), (0, 3));

    let (both, total) = store.list_products(&query(Some(vec![a, b]), Sort::Newest, 0, 10)).await.unwrap();
    assert_eq!((both.len(), total), (4, 4));
    assert!(!both[0].in_stock(), "the sold-out product is newest and listed, marked sold out");
    let mut in_stock = query(Some(vec![a, b]), Sort::Newest, 0, 10);
    in_stock.in_stock_only = true;
    let (cards, total) = store.list_products(&in_stock).await.unwrap();
    assert_eq!((cards.len(), total), (3, 3));
    let (none, total) = store.list_products(&query(Some(vec![]), Sort::Newest, 0, 10)).await.unwrap();
    assert_eq!((none.len(), total), (0, 0));
}

async fn bulk_create_is_all_or_nothing(db: Database) {
    let store = db.catalog();
    let m = merchant(&db, "m", MerchantStatus::Active).await;
    let c = category(&db, "c", None).await;
    store.create_products(&[product(m, c, "taken", &[100], 1)]).await.unwrap();
    // 250 good products, then one whose slug is taken: nothing of the batch may remain.
    let mut batch: Vec<NewProduct> = (0..250).map(|i| product(m, c, &format!("ok-{i}"), &[100], 1)).collect();
    batch.push(product(m, c, "taken", &[100], 1));
    batch[251 - 1].variants[0].sku = "fresh-sku".into();
    let err = store.create_products(&batch).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref msg) if msg.contains("slug")), "{err:?}");
    assert_eq!(store.count_products().await.unwrap(), 1, "the failed batch wrote nothing");
    assert!(store.product_by_slug("ok-0").await.unwrap().is_none());

    let dup_sku = vec![product(m, c, "x-1", &[100], 1), {
        let mut p = product(m, c, "x-2", &[100], 1);
        p.variants[0].sku = "x-1-0".into();
        p
    }];
    let err = store.create_products(&dup_sku).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref msg) if msg.contains("SKU")), "{err:?}");
    assert_eq!(store.count_products().await.unwrap(), 1);
}

async fn invalid_products_are_refused_with_a_reason(db: Database) {
    let store = db.catalog();
    let m = merchant(&db, "m", MerchantStatus::Active).await;
    let c = category(&db, "c", None).await;
    let mut negative = product(m, c, "neg", &[100], 1);
    negative.variants[0].price_minor = -1;
    let mut no_variants = product(m, c, "none", &[100], 1);
    no_variants.variants.clear();
    let mut bad_slug = product(m, c, "ok", &[100], 1);
    bad_slug.slug = "Not A Slug".into();
    let mut bad_stock = product(m, c, "stock", &[100], 1);
    bad_stock.variants[0].stock = -5;
    for (p, needle) in [
        (negative, "negative price"),
        (no_variants, "at least one variant"),
        (bad_slug, "slug"),
        (bad_stock, "negative stock"),
    ] {
        match store.create_products(&[p]).await {
            Err(StoreError::Invalid(msg)) => {
                assert!(msg.contains(needle), "{msg:?} should mention {needle:?}")
            }
            other => panic!("expected Invalid mentioning {needle:?}, got {other:?}"),
        }
    }
    let orphan = product(m, 999_999, "orphan", &[100], 1);
    assert!(store.create_products(&[orphan]).await.is_err(), "an unknown category is refused");
    assert_eq!(store.count_products().await.unwrap(), 0);
}

async fn bulk_create_returns_ids_in_input_order(db: Database) {
    let store = db.catalog();
    let m = merchant(&db, "m", MerchantStatus::Active).await;
    let c = category(&db, "c", None).await;
    let batch: Vec<NewProduct> = (0..450).map(|i| product(m, c, &format!("bulk-{i}"), &[100 + i], i)).collect();
    let ids = store.create_products(&batch).await.unwrap();
    assert_eq!(ids.len(), 450);
    for i in [0usize, 199, 200, 449] {
        let got = store.product_by_slug(&format!("bulk-{i}")).await.unwrap().unwrap();
        assert_eq!(got.detail.id, ids[i]);
        assert_eq!(got.detail.variants[0].price.minor, 100 + i as i64);
    }
    assert_eq!(store.count_products().await.unwrap(), 450);
}

async fn sku_is_unique_per_store_only(db: Database) {
    let store = db.catalog();
    let a = merchant(&db, "a", MerchantStatus::Active).await;
    let b = merchant(&db, "b", MerchantStatus::Active).await;
    let c = category(&db, "c", None).await;
    let mut pa = product(a, c, "from-a", &[100], 1);
    pa.variants[0].sku = "TEE-M".into();
    let mut pb = product(b, c, "from-b", &[100], 1);
    pb.variants[0].sku = "TEE-M".into();
    store.create_products(&[pa, pb]).await.expect("two stores may use the same SKU");
}
