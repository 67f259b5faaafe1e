//! The catalogue and accounts a suite builds on an empty database, and lookups in the demo shop.
//!
//! `Marketplace::new().store(store("north").sells([item("lamp").price(2500)]))…build(&db)` writes
//! one category, the stores and their products (one variant each unless `options` says otherwise)
//! and answers their ids. The defaults are what most suites need; each suite sets only what it
//! asserts on (prices, stock, titles, SKUs).
use super::TestApp;
use app::domain::account::MerchantStatus;
use app::domain::product_form::ValidVariant;
use app::services::account_store::NewUser;
use app::services::catalog_store::{NewCategory, NewMerchant, NewProduct, ProductStatus};
use server::store::Database;

/// A product to create. Defaults: title = slug, no description, published, created at 1, one
/// variant `{slug}-1` (no title, no options) at $10.00 with 20 in stock.
#[derive(Clone, Debug)]
pub struct Item {
    slug: String,
    title: String,
    description: String,
    status: ProductStatus,
    option_names: Vec<String>,
    variants: Vec<ValidVariant>,
    created_at: i64,
}

pub fn item(slug: &str) -> Item {
    Item {
        slug: slug.into(),
        title: slug.into(),
        description: String::new(),
        status: ProductStatus::Published,
        option_names: vec![],
        variants: vec![variant(&format!("{slug}-1"), "", &[], 1000, 20)],
        created_at: 1,
    }
}

/// A variant for `Item::options`.
pub fn variant(sku: &str, title: &str, options: &[&str], price_minor: i64, stock: i64) -> ValidVariant {
    ValidVariant {
        sku: sku.into(),
        title: title.into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        price_minor,
        compare_at_minor: None,
        stock,
        stock_seen: None,
    }
}

impl Item {
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    pub fn description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    pub fn status(mut self, status: ProductStatus) -> Self {
        self.status = status;
        self
    }

    pub fn created_at(mut self, at: i64) -> Self {
        self.created_at = at;
        self
    }

    /// The price of the single variant, in minor units.
    pub fn price(mut self, minor: i64) -> Self {
        self.variants[0].price_minor = minor;
        self
    }

    /// The stock of the single variant.
    pub fn stock(mut self, stock: i64) -> Self {
        self.variants[0].stock = stock;
        self
    }

    /// The SKU of the single variant.
    pub fn sku(mut self, sku: impl Into<String>) -> Self {
        self.variants[0].sku = sku.into();
        self
    }

    /// The title of the single variant.
    pub fn variant_title(mut self, title: &str) -> Self {
        self.variants[0].title = title.into();
        self
    }

    /// Option names and the variants that carry them, instead of the single variant.
    pub fn options(mut self, names: &[&str], variants: Vec<ValidVariant>) -> Self {
        self.option_names = names.iter().map(|n| n.to_string()).collect();
        self.variants = variants;
        self
    }
}

/// A store to create. Defaults: named "Store {slug}", active, selling nothing.
pub struct Store {
    slug: String,
    name: String,
    status: MerchantStatus,
    items: Vec<Item>,
}

pub fn store(slug: &str) -> Store {
    Store { slug: slug.into(), name: format!("Store {slug}"), status: MerchantStatus::Active, items: vec![] }
}

impl Store {
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    pub fn status(mut self, status: MerchantStatus) -> Self {
        self.status = status;
        self
    }

    pub fn sells(mut self, items: impl IntoIterator<Item = Item>) -> Self {
        self.items.extend(items);
        self
    }
}

/// A category and stores with their products; see the module comment.
pub struct Marketplace {
    category: (String, String),
    stores: Vec<Store>,
}

/// What `Marketplace::build` wrote.
pub struct Built {
    pub category: i64,
    /// Store ids, in the order the stores were given.
    pub stores: Vec<i64>,
    /// Products in the order they were given (store by store).
    pub products: Vec<Product>,
}

pub struct Product {
    pub slug: String,
    pub id: i64,
    pub merchant: i64,
    /// Variant ids in the order the variants were given.
    pub variants: Vec<i64>,
}

impl Default for Marketplace {
    fn default() -> Self {
        Self::new()
    }
}

impl Marketplace {
    /// The category "things" ("Things") and no stores yet.
    pub fn new() -> Self {
        Marketplace { category: ("things".into(), "Things".into()), stores: vec![] }
    }

    pub fn category(mut self, slug: &str, name: &str) -> Self {
        self.category = (slug.into(), name.into());
        self
    }

    pub fn store(mut self, store: Store) -> Self {
        self.stores.push(store);
        self
    }

    pub async fn build(self, db: &Database) -> Built {
        let catalog = db.catalog();
        let (slug, name) = self.category;
        let category = catalog
            .create_category(&NewCategory { parent_id: None, slug, name, description: String::new(), position: 0 })
            .await
            .unwrap();
        let mut stores = Vec::new();
        let mut new_products = Vec::new();
        for s in self.stores {
            let merchant = catalog
                .create_merchant(&NewMerchant {
                    slug: s.slug,
                    name: s.name,
                    description: String::new(),
                    status: s.status,
                })
                .await
                .unwrap();
            stores.push(merchant);
            new_products.extend(s.items.into_iter().map(|i| NewProduct {
                merchant_id: merchant,
                category_id: category,
                slug: i.slug,
                title: i.title,
                description: i.description,
                currency: app::domain::money::Currency::USD,
                status: i.status,
                option_names: i.option_names,
                variants: i.variants,
                images: vec![],
                created_at: i.created_at,
            }));
        }
        let ids = if new_products.is_empty() { vec![] } else { catalog.create_products(&new_products).await.unwrap() };
        let mut products = Vec::new();
        for (p, id) in new_products.into_iter().zip(ids) {
            // By SQL, not `product_by_slug`: that one finds only what a shopper may buy.
            let mut variants = Vec::new();
            for v in &p.variants {
                let sql = format!(
                    "SELECT id FROM product_variants WHERE product_id = {id} AND sku = '{}'",
                    v.sku.replace('\'', "''")
                );
                variants.push(db.scalar_raw(&sql).await.unwrap());
            }
            products.push(Product { slug: p.slug, id, merchant: p.merchant_id, variants });
        }
        Built { category, stores, products }
    }
}

impl Built {
    pub fn product(&self, slug: &str) -> &Product {
        self.products.iter().find(|p| p.slug == slug).unwrap_or_else(|| panic!("no product {slug} in the fixture"))
    }

    /// The first variant of the product.
    pub fn variant(&self, slug: &str) -> i64 {
        self.product(slug).variants[0]
    }

    /// (product id, first variant id).
    pub fn pair(&self, slug: &str) -> (i64, i64) {
        (self.product(slug).id, self.variant(slug))
    }
}

/// A shopper account (no usable password: these suites never sign in over HTTP).
pub async fn shopper(db: &Database, email: &str, display_name: &str) -> i64 {
    let user = NewUser {
        email: email.into(),
        display_name: display_name.into(),
        password_hash: "not-a-hash".into(),
        is_admin: false,
        email_verified: true,
    };
    db.accounts().create_user(&user).await.unwrap()
}

impl TestApp {
    /// The store of a demo owner (`support::OWNER_A.0`…).
    pub async fn store_of(&self, owner: &str) -> i64 {
        let user = self.shop.accounts.user_by_email(owner).await.unwrap().unwrap();
        self.shop.accounts.membership(user.id).await.unwrap().unwrap().merchant_id
    }
}

/// A discount code of $5.00 off that `limit` orders may use.
pub async fn fixed_discount(db: &Database, code: &str, limit: i64) {
    use app::domain::checkout::{DiscountCode, DiscountKind};
    use app::domain::money::{Currency, Money};
    let c = DiscountCode {
        code: code.into(),
        kind: DiscountKind::Fixed { amount: Money::new(500, Currency::USD) },
        min_spend: None,
        expires_at: None,
        usage_limit: Some(limit),
        times_used: 0,
        merchant_id: None,
        disabled: false,
    };
    db.orders().create_discount_code(&c, 1).await.unwrap();
}

/// How many orders hold a use of the code.
pub async fn times_used(db: &Database, code: &str) -> i64 {
    db.orders().discount_code(code).await.unwrap().unwrap().times_used
}

/// The order checkout writes for `quantity` of one variant before the gateway answers: placed at
/// 900, its stock reserved until 1 000, shipped standard to a GB address, with `discount` (code,
/// amount off in minor units) if given. For the suites that stop a checkout half-way.
pub fn reserved_order(
    number: &str,
    v: &app::services::order_store::OrderVariant,
    quantity: i64,
    discount: Option<(&str, i64)>,
) -> app::services::order_store::NewOrder {
    use app::domain::address::AddressInput;
    use app::services::order_store::{NewOrder, NewOrderLine, NewOrderPart};
    let subtotal = quantity * v.unit_price_minor;
    let off = discount.map_or(0, |(_, off)| off);
    NewOrder {
        number: number.into(),
        user_id: None,
        email: "ada@example.com".into(),
        currency: app::domain::money::Currency::USD,
        subtotal_minor: subtotal,
        shipping_minor: 0,
        discount_minor: off,
        tax_minor: 0,
        total_minor: subtotal - off,
        ship_to: AddressInput {
            name: "A".into(),
            line1: "L".into(),
            city: "C".into(),
            postal_code: "1".into(),
            country: "GB".into(),
            ..AddressInput::default()
        },
        reserved_until: 1_000,
        parts: vec![NewOrderPart {
            merchant_id: v.merchant_id,
            shipping_speed: "standard".into(),
            subtotal_minor: subtotal,
            shipping_minor: 0,
            discount_minor: off,
            tax_minor: 0,
            total_minor: subtotal - off,
            lines: vec![NewOrderLine {
                product_id: v.product_id,
                variant_id: v.variant_id,
                title: v.title.clone(),
                sku: v.sku.clone(),
                unit_price_minor: v.unit_price_minor,
                quantity,
                line_total_minor: subtotal,
            }],
        }],
        card_brand: "visa".into(),
        card_last4: "4242".into(),
        gateway: "test".into(),
        discount_code: discount.map(|(code, _)| code.to_string()),
        access_key_hash: None,
        now: 900,
    }
}
