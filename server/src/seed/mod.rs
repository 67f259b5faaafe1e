//! `server seed --demo` (the demo shop) and `server seed --products N` (a synthetic catalog for
//! benchmarks). Both are deterministic.
mod catalog_data;
mod orders_history;
pub mod placeholder;
mod reviews;
mod rng;
pub mod store_orders;

use app::domain::account::{MerchantStatus, StoreRole};
use app::domain::product_form::ValidVariant;
use app::domain::slug::slugify;
use app::services::account_store::NewUser;
use app::services::catalog_store::{NewCategory, NewImage, NewMerchant, NewProduct, ProductStatus};
use app::services::{CatalogStore, Shop};
use catalog_data::{COLOURS, LEAVES, LeafDef, MERCHANTS, Options, ROOTS, SHOE_SIZES, SIZES};
use rng::Rng;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub const DEMO_PRODUCTS: usize = 500;
/// 2026-01-01T00:00:00Z: demo products are dated from here so "newest" is stable.
const EPOCH: i64 = 1_767_225_600;

#[derive(Debug)]
pub struct SeedReport {
    pub merchants: usize,
    pub categories: usize,
    pub products: usize,
    pub skipped: bool,
}

struct Tree {
    /// Leaf index → category id.
    leaf_ids: Vec<i64>,
    merchant_ids: Vec<i64>,
    categories: usize,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Creates the category tree (or finds it, when it exists) and a set of stores.
async fn ensure_tree(store: &dyn CatalogStore, merchant_suffix: &str) -> Result<Tree, String> {
    let existing: HashMap<String, i64> =
        store.categories().await.map_err(err)?.into_iter().map(|c| (c.slug, c.id)).collect();
    let mut ids = existing.clone();
    for (pos, root) in ROOTS.iter().enumerate() {
        if !ids.contains_key(root.slug) {
            let id = store
                .create_category(&NewCategory {
                    parent_id: None,
                    slug: root.slug.into(),
                    name: root.name.into(),
                    description: root.description.into(),
                    position: pos as i64,
                })
                .await
                .map_err(err)?;
            ids.insert(root.slug.into(), id);
        }
    }
    let mut leaf_ids = Vec::new();
    for (pos, leaf) in LEAVES.iter().enumerate() {
        let id = match ids.get(leaf.slug) {
            Some(id) => *id,
            None => {
                let id = store
                    .create_category(&NewCategory {
                        parent_id: ids.get(leaf.parent).copied(),
                        slug: leaf.slug.into(),
                        name: leaf.name.into(),
                        description: leaf.description.into(),
                        position: pos as i64,
                    })
                    .await
                    .map_err(err)?;
                ids.insert(leaf.slug.into(), id);
                id
            }
        };
        leaf_ids.push(id);
    }
    let mut merchant_ids = Vec::new();
    for m in MERCHANTS {
        let (slug, name) = if merchant_suffix.is_empty() {
            (m.slug.to_string(), m.name.to_string())
        } else {
            (format!("{}-{merchant_suffix}", m.slug), format!("{} {merchant_suffix}", m.name))
        };
        let id = store
            .create_merchant(&NewMerchant {
                slug,
                name,
                description: m.description.into(),
                status: MerchantStatus::Active,
            })
            .await
            .map_err(err)?;
        merchant_ids.push(id);
    }
    Ok(Tree { leaf_ids, merchant_ids, categories: ids.len() - existing.len() })
}

/// Whole units to a shop-like price: 24 → 23.99 or 24.00 or 24.50.
fn shop_price(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    let whole = rng.range(lo, hi);
    match rng.range(0, 3) {
        0 => whole * 100,
        1 => whole * 100 + 50,
        _ => whole * 100 - 1,
    }
}

fn variants_for(rng: &mut Rng, leaf: &LeafDef, sku_base: &str, base_price: i64) -> (Vec<String>, Vec<ValidVariant>) {
    let compare_at = rng.chance(15).then(|| (base_price * 5 / 4 / 100) * 100 + 99);
    let sold_out = rng.chance(6);
    let stock = |rng: &mut Rng| -> i64 {
        if sold_out || rng.chance(12) {
            0
        } else if rng.chance(15) {
            rng.range(1, 5)
        } else {
            rng.range(6, 80)
        }
    };
    let make = |rng: &mut Rng, options: Vec<String>, price: i64, i: usize| ValidVariant {
        sku: format!("{sku_base}-{i:02}"),
        title: if options.is_empty() { "Default".into() } else { options.join(" / ") },
        options,
        price_minor: price,
        compare_at_minor: compare_at.filter(|c| *c > price),
        stock: stock(rng),
        stock_seen: None,
    };
    let mut colours: Vec<&str> = COLOURS.to_vec();
    rng.shuffle(&mut colours);
    match leaf.options {
        Options::Single => (vec![], vec![make(rng, vec![], base_price, 0)]),
        Options::Colour => {
            let n = rng.range(2, 4) as usize;
            let vs =
                colours[..n].iter().enumerate().map(|(i, c)| make(rng, vec![c.to_string()], base_price, i)).collect();
            (vec!["Colour".into()], vs)
        }
        Options::SizeColour => {
            let n = rng.range(2, 3) as usize;
            let mut vs = Vec::new();
            for colour in &colours[..n] {
                for (si, size) in SIZES.iter().enumerate() {
                    // Bigger sizes cost a little more, as in real shops.
                    let price = base_price + if si >= 4 { 200 } else { 0 };
                    let i = vs.len();
                    vs.push(make(rng, vec![size.to_string(), colour.to_string()], price, i));
                }
            }
            (vec!["Size".into(), "Colour".into()], vs)
        }
        Options::ShoeSize => {
            let vs =
                SHOE_SIZES.iter().enumerate().map(|(i, s)| make(rng, vec![s.to_string()], base_price, i)).collect();
            (vec!["Size".into()], vs)
        }
    }
}

fn description(rng: &mut Rng, leaf: &LeafDef, title: &str, merchant: &str) -> String {
    let mut blurbs: Vec<&str> = leaf.blurbs.to_vec();
    rng.shuffle(&mut blurbs);
    format!(
        "The {title} from {merchant}. {} {}\n\n{} Part of our {} range; every order ships from {merchant} directly.",
        blurbs[0],
        blurbs[1],
        blurbs[2],
        leaf.name.to_lowercase()
    )
}

/// Demo sign-ins, printed by `make run` and listed in the README. They exist only in a database
/// seeded with `seed --demo`: the server never creates accounts by itself.
/// (role, email, password); store owners follow the order of the demo stores.
pub const DEMO_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("platform admin", "admin@meridian.test", "admin-demo-pass-2026"),
    ("owner, Northwind Home", "owner@northwind-home.test", "merchant-demo-pass-2026"),
    ("owner, Harbor & Pine", "owner@harbor-and-pine.test", "merchant-demo-pass-2026"),
    ("owner, Voltline Audio", "owner@voltline-audio.test", "merchant-demo-pass-2026"),
    ("owner, Fieldcraft Outdoor", "owner@fieldcraft-outdoor.test", "merchant-demo-pass-2026"),
    ("shopper", "shopper@meridian.test", "shopper-demo-pass-2026"),
];

/// The demo accounts that still sign in with their published password. Production mode refuses
/// to serve while any does (see `main.rs`).
pub async fn accounts_with_published_passwords(
    accounts: &dyn app::services::AccountStore,
) -> Result<Vec<&'static str>, String> {
    let mut found = Vec::new();
    for (_, email, password) in DEMO_ACCOUNTS {
        let user = accounts.user_by_email(email).await.map_err(|e| e.to_string())?;
        if let Some(user) = user {
            if app::services::passwords::verify(password.to_string(), Some(user.password_hash)).await {
                found.push(*email);
            }
        }
    }
    Ok(found)
}

/// The demo shop's discount code (10 % off $50 or more).
pub const DEMO_DISCOUNT_CODE: &str = "WELCOME10";

async fn demo_accounts(shop: &Shop, merchant_ids: &[i64]) -> Result<(), String> {
    for (i, (role, email, password)) in DEMO_ACCOUNTS.iter().enumerate() {
        let password_hash = app::services::passwords::hash(password.to_string()).await?;
        let name = role.split(", ").last().unwrap_or(role);
        let user = NewUser {
            email: email.to_string(),
            display_name: if i == 0 { "Platform admin".into() } else { format!("{} ({role})", name) },
            password_hash,
            is_admin: i == 0,
            email_verified: true,
        };
        let id = shop.accounts.create_user(&user).await.map_err(err)?;
        if let Some(merchant) = i.checked_sub(1).and_then(|m| merchant_ids.get(m)) {
            shop.accounts.add_store_member(*merchant, id, StoreRole::Owner).await.map_err(err)?;
        }
    }
    Ok(())
}

/// Seeds the demo shop (catalog and demo accounts) unless the database already has products.
pub async fn demo(shop: &Shop, media_dir: &Path) -> Result<SeedReport, String> {
    let store = shop.catalog.as_ref();
    let existing = store.count_products().await.map_err(err)?;
    if existing > 0 {
        return Ok(SeedReport { merchants: 0, categories: 0, products: 0, skipped: true });
    }
    let tree = ensure_tree(store, "").await?;
    let image_dir = media_dir.join("products");
    std::fs::create_dir_all(&image_dir)
        .map_err(|e| format!("cannot create {}: {e}; set MEDIA_DIR to a writable folder", image_dir.display()))?;

    let mut rng = Rng::new(20261125);
    let mut products = Vec::with_capacity(DEMO_PRODUCTS);
    let mut slugs = HashSet::new();
    for (li, leaf) in LEAVES.iter().enumerate() {
        // Spread 500 products over the leaves as evenly as possible.
        let count = DEMO_PRODUCTS / LEAVES.len() + usize::from(li < DEMO_PRODUCTS % LEAVES.len());
        let mut titles: Vec<String> =
            leaf.prefixes.iter().flat_map(|p| leaf.nouns.iter().map(move |n| format!("{p} {n}"))).collect();
        rng.shuffle(&mut titles);
        let merchant = &MERCHANTS[leaf.merchant];
        for (i, title) in titles.into_iter().take(count).enumerate() {
            let mut slug = slugify(&title);
            while !slugs.insert(slug.clone()) {
                slug.push_str("-2");
            }
            let base_price = shop_price(&mut rng, leaf.price_range.0, leaf.price_range.1);
            let sku_base = format!("{}-{:02}{:03}", merchant.code, li, i);
            let (option_names, variants) = variants_for(&mut rng, leaf, &sku_base, base_price);
            let mut images = Vec::new();
            for n in 0..3u32 {
                let file = format!("{slug}-{}.svg", n + 1);
                let svg = placeholder::product_svg(&title, leaf.name, leaf.hue, n);
                std::fs::write(image_dir.join(&file), svg).map_err(|e| format!("cannot write {file}: {e}"))?;
                images
                    .push(NewImage { url: format!("/media/products/{file}"), alt: format!("{title}, view {}", n + 1) });
            }
            products.push(NewProduct {
                merchant_id: tree.merchant_ids[leaf.merchant],
                category_id: tree.leaf_ids[li],
                description: description(&mut rng, leaf, &title, merchant.name),
                slug,
                title,
                currency: app::domain::money::Currency::USD,
                status: ProductStatus::Published,
                option_names,
                variants,
                images,
                created_at: EPOCH + rng.range(0, 300 * 86_400),
            });
        }
    }
    let ids = store.create_products(&products).await.map_err(err)?;
    demo_accounts(shop, &tree.merchant_ids).await?;
    let seeded: Vec<reviews::SeededProduct> =
        ids.iter().zip(&products).map(|(id, p)| reviews::SeededProduct { id: *id, created_at: p.created_at }).collect();
    reviews::demo_reviews(shop, &seeded, EPOCH + 320 * 86_400).await?;
    // Past orders with co-purchase structure, so recommendations show right away.
    let bought: Vec<(i64, i64)> = ids.iter().zip(&products).map(|(id, p)| (*id, p.category_id)).collect();
    orders_history::seed(shop, &bought, app::services::clock::now()).await?;
    // A code shoppers can try at checkout: 10 % off items worth $50 or more.
    let welcome = app::domain::checkout::DiscountCode {
        code: DEMO_DISCOUNT_CODE.into(),
        kind: app::domain::checkout::DiscountKind::Percent { bps: 1000 },
        min_spend: Some(app::domain::money::Money::new(5000, app::domain::money::Currency::USD)),
        expires_at: None,
        usage_limit: Some(10_000),
        times_used: 0,
        merchant_id: None,
        disabled: false,
    };
    shop.orders.create_discount_code(&welcome, app::services::clock::now()).await.map_err(err)?;
    Ok(SeedReport {
        merchants: tree.merchant_ids.len(),
        categories: tree.categories,
        products: products.len(),
        skipped: false,
    })
}

/// Adds `n` synthetic products (for benchmarks), in transactions of a few thousand, with new
/// stores so repeated runs never collide.
pub async fn synthetic(store: &dyn CatalogStore, media_dir: &Path, n: usize) -> Result<SeedReport, String> {
    let offset = store.count_products().await.map_err(err)? as usize;
    let suffix = format!("bench-{offset}");
    let tree = ensure_tree(store, &suffix).await?;
    let dir = media_dir.join("placeholders");
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create {}: {e}; set MEDIA_DIR to a writable folder", dir.display()))?;
    for leaf in LEAVES {
        for k in 0..3u32 {
            let file = dir.join(format!("{}-{k}.svg", leaf.slug));
            std::fs::write(&file, placeholder::product_svg(leaf.name, leaf.name, leaf.hue, k)).map_err(err)?;
        }
    }
    let mut rng = Rng::new(42 + offset as u64);
    let mut batch = Vec::with_capacity(2000);
    for i in 0..n {
        let li = i % LEAVES.len();
        let leaf = &LEAVES[li];
        let global = offset + i;
        let title = format!("{} {} No. {global}", rng.pick(leaf.prefixes), rng.pick(leaf.nouns));
        let base_price = shop_price(&mut rng, leaf.price_range.0, leaf.price_range.1);
        let merchant = &MERCHANTS[leaf.merchant];
        let (option_names, variants) =
            variants_for(&mut rng, leaf, &format!("{}-S{global:07}", merchant.code), base_price);
        let k = rng.range(0, 2);
        batch.push(NewProduct {
            merchant_id: tree.merchant_ids[leaf.merchant],
            category_id: tree.leaf_ids[li],
            slug: format!("{}-{global}", slugify(&title)),
            description: description(&mut rng, leaf, &title, merchant.name),
            images: vec![NewImage { url: format!("/media/placeholders/{}-{k}.svg", leaf.slug), alt: title.clone() }],
            title,
            currency: app::domain::money::Currency::USD,
            status: ProductStatus::Published,
            option_names,
            variants,
            created_at: EPOCH + rng.range(0, 300 * 86_400),
        });
        if batch.len() == batch.capacity() {
            store.create_products(&batch).await.map_err(err)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.create_products(&batch).await.map_err(err)?;
    }
    Ok(SeedReport { merchants: tree.merchant_ids.len(), categories: tree.categories, products: n, skipped: false })
}
