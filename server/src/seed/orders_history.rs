//! The demo shop's past orders, so recommendations show from the first `make run`: thirty demo
//! shoppers (accounts nobody can sign in to) placed four hundred paid, delivered orders
//! between 35 and 120 days ago — older than the analytics' default 30 days, so a store's current
//! figures start from what happens in the demo. The orders have a co-purchase structure: each
//! category's products come in "collections" of five that are bought together (two or three of a
//! collection per order), mostly from a category's first four collections (its best sellers), and a
//! third of the orders add a matching piece from a companion category (kitchen with decor,
//! T-shirts with bags, headphones with speakers…). Deterministic, written in one
//! transaction, then the similarity job runs once.
use super::rng::Rng;
use app::services::Shop;
use app::services::account_store::NewUser;
use app::services::recommendation_store::HistoryOrder;
use std::collections::BTreeMap;

const SHOPPERS: &[&str] = &[
    "ada", "bea", "cal", "dev", "eli", "fay", "gus", "hal", "ivy", "jo", "kai", "lou", "max", "nia", "oz", "pia",
    "quinn", "rae", "sol", "tess", "uma", "vic", "wren", "xan", "yara", "zed", "arlo", "bree", "cyd", "dax",
];
const ORDERS: usize = 400;
/// Most orders come from a category's first few collections (its best sellers).
const BEST_SELLERS: i64 = 4;
const COLLECTION: usize = 5;
const DAY: i64 = 86_400;

/// `products` are (product id, category id) as the demo catalog created them.
pub async fn seed(shop: &Shop, products: &[(i64, i64)], now: i64) -> Result<usize, String> {
    let err = |e: app::services::StoreError| e.to_string();
    // Category → its collections (consecutive products, in creation order).
    let mut by_category: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, category) in products {
        by_category.entry(*category).or_default().push(*id);
    }
    let categories: Vec<Vec<Vec<i64>>> =
        by_category.into_values().map(|ids| ids.chunks(COLLECTION).map(|c| c.to_vec()).collect()).collect();
    if categories.is_empty() {
        return Ok(0);
    }
    let mut shoppers = Vec::with_capacity(SHOPPERS.len());
    for name in SHOPPERS {
        let user = NewUser {
            email: format!("{name}@shoppers.meridian.test"),
            display_name: format!("{}{}", name[..1].to_uppercase(), &name[1..]),
            // Not a password hash: nobody can sign in as a history shopper.
            password_hash: "!demo-history-shopper".into(),
            is_admin: false,
            email_verified: true,
        };
        shoppers.push((shop.accounts.create_user(&user).await.map_err(err)?, user.email));
    }
    let mut rng = Rng::new(8_2026);
    let mut orders = Vec::with_capacity(ORDERS);
    for _ in 0..ORDERS {
        let c = rng.range(0, categories.len() as i64 - 1) as usize;
        let collections = &categories[c];
        // Most orders are of a best-selling collection, some of any other.
        let last = collections.len() as i64 - 1;
        let g = if rng.chance(85) { rng.range(0, last.min(BEST_SELLERS - 1)) } else { rng.range(0, last) } as usize;
        let mut items = collections[g].clone();
        rng.shuffle(&mut items);
        items.truncate(rng.range(2, 3) as usize);
        if rng.chance(35) {
            let companion = &categories[(c + 1) % categories.len()];
            let matching = &companion[g.min(companion.len() - 1)];
            items.push(*rng.pick(matching));
        }
        items.dedup();
        let (user_id, email) = rng.pick(&shoppers).clone();
        let at = now - rng.range(35, 120) * DAY - rng.range(0, DAY - 1);
        let lines = items.into_iter().map(|id| (id, if rng.chance(10) { 2 } else { 1 })).collect();
        orders.push(HistoryOrder { user_id, email, at, lines });
    }
    let written = shop.recommendations.import_history(&orders).await.map_err(err)?;
    crate::recs_job::refresh(shop.recommendations.as_ref(), &crate::recs_job::holder_id(), now).await?;
    Ok(written)
}
