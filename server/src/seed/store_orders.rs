//! `server seed --store-orders N STORE`: N orders of one store, for the dashboard at a real
//! store's size (bench/orders-page.sh, end2end/tests/orders_queue.spec.ts). The rows are written
//! by one SQL script both engines run (bench/store-orders.sql), in one go; nothing else changes.
use crate::store::Database;

const SCRIPT: &str = include_str!("../../../bench/store-orders.sql");
/// Orders are dated over a year back: a shop's recent analytics stay as they were.
const BACK_DATED_SECS: i64 = 400 * 86_400;

/// Adds `n` orders to the store with `slug`; the store's order count after.
pub async fn store_orders(db: &Database, slug: &str, n: usize, now: i64) -> Result<i64, String> {
    // The slug goes into SQL as written: only a slug's own characters are accepted.
    if slug.is_empty() || !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(format!("{slug:?} is not a store's slug (lowercase letters, digits and dashes)"));
    }
    let merchant = db.scalar_raw(&format!("SELECT COALESCE(MAX(id), 0) FROM merchants WHERE slug = '{slug}'")).await?;
    if merchant == 0 {
        return Err(format!("there is no store with the slug {slug:?}"));
    }
    let variants = db
        .scalar_raw(&format!(
            "SELECT COUNT(*) FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.merchant_id = {merchant}"
        ))
        .await?;
    if variants == 0 {
        return Err(format!("the store {slug:?} has no products to order"));
    }
    let start = db.scalar_raw("SELECT COUNT(*) FROM orders WHERE number LIKE 'MM-S%'").await?;
    let sql = SCRIPT
        .replace("@ORDERS@", &n.to_string())
        .replace("@START@", &start.to_string())
        .replace("@MERCHANT@", &merchant.to_string())
        .replace("@NOW@", &(now - BACK_DATED_SECS).to_string());
    db.execute_raw(&sql).await?;
    db.analyze().await?;
    db.scalar_raw(&format!("SELECT COUNT(*) FROM order_parts WHERE merchant_id = {merchant}")).await
}
