//! `server bench-orders`: order placement throughput and latency, in process — the checkout
//! service with its real database and the test gateway: validation, stock reservation + order
//! write (one transaction), authorize + capture, payment events (a second transaction).
//! Two loads: every order for one hot product, and orders spread over 1 000 products.
use crate::bench::percentile;
use app::domain::account::MerchantStatus;
use app::domain::address::AddressInput;
use app::domain::card::CardInput;
use app::domain::gateway::TestGateway;
use app::domain::product_form::ValidVariant;
use app::services::catalog_store::{NewCategory, NewMerchant, NewProduct, ProductStatus};
use app::services::checkout::{CheckoutOutcome, CheckoutRequest, CheckoutSettings, place_order};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PRODUCTS: usize = 1000;

async fn catalog(db: &crate::store::Database) -> Result<Vec<i64>, String> {
    let catalog = db.catalog();
    let tag = app::services::clock::now();
    let m = catalog
        .create_merchant(&NewMerchant {
            slug: format!("bench-orders-{tag}"),
            name: "Bench Orders".into(),
            description: String::new(),
            status: MerchantStatus::Active,
        })
        .await
        .map_err(|e| e.to_string())?;
    let c = catalog
        .create_category(&NewCategory {
            parent_id: None,
            slug: format!("bench-orders-{tag}"),
            name: "Bench orders".into(),
            description: String::new(),
            position: 99,
        })
        .await
        .map_err(|e| e.to_string())?;
    let products: Vec<NewProduct> = (0..PRODUCTS)
        .map(|i| NewProduct {
            merchant_id: m,
            category_id: c,
            slug: format!("bench-order-item-{tag}-{i}"),
            title: format!("Bench Item {i}"),
            description: String::new(),
            currency: app::domain::money::Currency::USD,
            status: ProductStatus::Published,
            option_names: vec![],
            variants: vec![ValidVariant {
                sku: format!("BO-{tag}-{i}"),
                title: String::new(),
                options: vec![],
                price_minor: 1999,
                compare_at_minor: None,
                stock: 10_000_000,
                stock_seen: None,
            }],
            images: vec![],
            created_at: tag,
        })
        .collect();
    catalog.create_products(&products).await.map_err(|e| e.to_string())?;
    let mut variants = Vec::with_capacity(PRODUCTS);
    for p in &products {
        let stored =
            catalog.product_by_slug(&p.slug).await.map_err(|e| e.to_string())?.ok_or("bench product missing")?;
        variants.push(stored.detail.variants[0].id);
    }
    Ok(variants)
}

async fn load(
    db: &crate::store::Database,
    name: &str,
    variants: Arc<Vec<i64>>,
    hot: bool,
    orders: usize,
    workers: usize,
) -> Result<(), String> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let store = db.orders();
    let settings = Arc::new(CheckoutSettings::default());
    let started = Instant::now();
    let per_worker = orders.div_ceil(workers);
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (store, settings, variants) = (store.clone(), settings.clone(), variants.clone());
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_worker);
                for i in 0..per_worker {
                    let n = SEQ.fetch_add(1, Ordering::Relaxed);
                    let variant = if hot { variants[0] } else { variants[(n as usize * 7919 + w) % variants.len()] };
                    let request = CheckoutRequest {
                        lines: vec![(variant, 1)],
                        speeds: vec![],
                        email: "bench@example.com".into(),
                        user_id: None,
                        address: AddressInput {
                            name: "Bench".into(),
                            line1: "1 Load Street".into(),
                            city: "Testville".into(),
                            postal_code: "12345".into(),
                            country: "US".into(),
                            ..Default::default()
                        },
                        card: CardInput {
                            number: "4242424242424242".into(),
                            expiry: "12/39".into(),
                            cvc: "123".into(),
                            name: String::new(),
                        },
                        discount_code: String::new(),
                        idempotency_key: format!("bench-{n:012}-{w}-{i}"),
                        now: app::services::clock::now(),
                        random: (n ^ 0x9E37_79B9_7F4A_7C15).to_le_bytes(),
                        manual_capture: false,
                    };
                    let t = Instant::now();
                    let outcome = place_order(store.as_ref(), &TestGateway, &settings, request).await;
                    times.push(t.elapsed());
                    match outcome {
                        Ok(CheckoutOutcome::Paid { .. }) => {}
                        other => return Err(format!("an order failed: {other:?}")),
                    }
                }
                Ok::<_, String>(times)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(orders);
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed();
    all.sort();
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    println!(
        "{name:<34} {:>6} orders {:>8.0} orders/s   p50 {:>7} ms   p99 {:>7} ms",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 99.0))
    );
    Ok(())
}

pub async fn run(db: &crate::store::Database, orders: usize, workers: usize) -> Result<(), String> {
    let variants = Arc::new(catalog(db).await?);
    println!("{} — {orders} orders per load, {workers} concurrent shoppers", db.catalog().engine());
    load(db, "one hot product", variants.clone(), true, orders, workers).await?;
    load(db, &format!("spread over {PRODUCTS} products"), variants, false, orders, workers).await?;
    Ok(())
}
