//! `server bench-recs-read [N]`: the latency of the recommendation reads the pages make. Adds N
//! synthetic products, N/2 paid orders of 2–4 items with a planted co-purchase structure (items
//! bought together within groups of 10) by 500 bench shoppers, runs the similarity job once, then
//! times 500 "customers also bought" reads (random products) and 500 "recommended for you" reads
//! (random bench shoppers: history, neighbours, prediction, cards) and prints p50/p95/p99.
//! Point DATABASE_URL at a scratch database: the products and orders stay.
use crate::bench::percentile;
use crate::store::Database;
use app::services::account_store::NewUser;
use app::services::recommendation_store::HistoryOrder;
use std::path::Path;
use std::time::{Duration, Instant};

const SHOPPERS: usize = 500;
const READS: usize = 500;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

async fn variant_ids(db: &Database, since_id: i64) -> Result<Vec<(i64, i64)>, String> {
    let sql = "SELECT v.product_id, MIN(v.id) FROM product_variants v WHERE v.product_id > $1
               GROUP BY v.product_id ORDER BY v.product_id";
    let rows: Result<Vec<(i64, i64)>, sqlx::Error> = match db {
        Database::Sqlite(s) => sqlx::query_as(sql).bind(since_id).fetch_all(&s.pool).await,
        Database::Postgres(s) => sqlx::query_as(sql).bind(since_id).fetch_all(&s.pool).await,
    };
    rows.map_err(|e| e.to_string())
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms   ({} reads)",
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 95.0)),
        ms(percentile(&times, 99.0)),
        times.len()
    );
}

pub async fn run(db: &Database, media_dir: &Path, n: usize) -> Result<(), String> {
    let err = |e: app::services::StoreError| e.to_string();
    let engine = db.catalog().engine();
    let before = db.scalar_raw("SELECT COALESCE(MAX(id), 0) FROM products").await?;
    let started = Instant::now();
    crate::seed::synthetic(db.catalog().as_ref(), media_dir, n).await?;
    let products = variant_ids(db, before).await?;
    if products.len() < 20 {
        return Err("too few products were created".into());
    }
    // Shoppers (nobody can sign in as them).
    let accounts = db.accounts();
    let tag = app::services::clock::now();
    let mut shoppers = Vec::with_capacity(SHOPPERS);
    for i in 0..SHOPPERS {
        let user = NewUser {
            email: format!("bench-recs-{tag}-{i}@bench.test"),
            display_name: format!("Bench shopper {i}"),
            password_hash: "not-a-hash".into(),
            is_admin: false,
            email_verified: true,
        };
        shoppers.push((accounts.create_user(&user).await.map_err(err)?, user.email));
    }
    // Orders inside groups of 10 consecutive products: what the job should find.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let now = app::services::clock::now();
    let orders: Vec<HistoryOrder> = (0..n / 2)
        .map(|_| {
            let group = rng.below(products.len() / 10) * 10;
            let size = 2 + rng.below(3);
            let lines = (0..size).map(|_| (products[group + rng.below(10)].0, 1)).collect();
            let (user_id, email) = shoppers[rng.below(SHOPPERS)].clone();
            HistoryOrder { user_id, email, at: now - rng.below(300) as i64 * 86_400, lines }
        })
        .collect();
    let recs = db.recommendations();
    recs.import_history(&orders).await.map_err(err)?;
    db.analyze().await?;
    println!(
        "{engine}: {} products, {} orders seeded in {:.1}s",
        products.len(),
        orders.len(),
        started.elapsed().as_secs_f64()
    );

    let job = crate::recs_job::refresh(recs.as_ref(), &crate::recs_job::holder_id(), now).await?;
    println!("similarity job: {job:?}");

    let mut times = Vec::with_capacity(READS);
    let mut empty = 0;
    for _ in 0..READS {
        let product = products[rng.below(products.len())].0;
        let t = Instant::now();
        let cards = app::services::recommendations::also_bought(recs.as_ref(), product).await.map_err(err)?;
        times.push(t.elapsed());
        empty += usize::from(cards.is_empty());
    }
    report("also-bought (product page)", times);
    let mut times = Vec::with_capacity(READS);
    let mut personal = 0;
    for _ in 0..READS {
        let user = shoppers[rng.below(SHOPPERS)].0;
        let t = Instant::now();
        let (p, _) = app::services::recommendations::for_you(
            recs.as_ref(),
            app::services::recommendations::Asker::Shopper(user),
            now,
        )
        .await
        .map_err(err)?;
        times.push(t.elapsed());
        personal += usize::from(p);
    }
    report("for-you (home, signed in)", times);
    println!("empty also-bought blocks: {empty}; personal for-you blocks: {personal} of {READS}");
    Ok(())
}
