//! The cart SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why a
//! macro). Every write runs in `begin_write()` and starts by touching the cart row: that takes the
//! row lock on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so concurrent
//! writes to one cart queue up instead of overwriting each other's quantities.

/// A cart's lines joined with the catalog as it is now (`$1` is the cart id).
pub const ITEMS_SELECT: &str = "SELECT ci.variant_id, v.product_id, p.merchant_id, m.name AS merchant_name,
        p.title AS product_title, v.title AS variant_title, p.slug, p.currency, v.price_minor,
        ci.price_at_add_minor, ci.quantity, v.stock,
        (p.status = 'published' AND m.status = 'active') AS available,
        (SELECT i.url FROM product_images i WHERE i.product_id = p.id ORDER BY i.position LIMIT 1) AS image_url
    FROM cart_items ci
    JOIN product_variants v ON v.id = ci.variant_id
    JOIN products p ON p.id = v.product_id
    JOIN merchants m ON m.id = p.merchant_id
    WHERE ci.cart_id = $1
    ORDER BY ci.added_at, ci.variant_id";

/// Writes one line's quantity and price, inserting it when missing.
pub const UPSERT_LINE: &str = "INSERT INTO cart_items (cart_id, variant_id, quantity, price_at_add_minor, added_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = excluded.quantity,
        price_at_add_minor = excluded.price_at_add_minor";

/// Takes one line out of a cart (`$1` cart, `$2` variant).
pub const DELETE_LINE: &str = "DELETE FROM cart_items WHERE cart_id = $1 AND variant_id = $2";

/// Records a successful add (`$1` cart, `$2` variant, `$3` units added, `$4` now) for the
/// analytics funnel, with the store, the product and who added it.
pub const ADD_EVENT: &str =
    "INSERT INTO cart_adds (merchant_id, product_id, variant_id, user_id, guest_hash, quantity, at)
    SELECT p.merchant_id, p.id, v.id, c.user_id, c.token_hash, $3, $4
    FROM carts c JOIN product_variants v ON v.id = $2 JOIN products p ON p.id = v.product_id
    WHERE c.id = $1 AND $3 > 0";

macro_rules! impl_sql_carts {
    ($store:ty, $db:ty) => {
        use app::domain::cart::{CartLine, CartNotice, MAX_QTY_PER_LINE, merge_guest_cart};
        use app::domain::money::Money;
        use app::services::cart_store::{AddOutcome, CartItem, CartOwner, CartStore, line_title, plan_add};
        use app::services::catalog_store::StoreError;
        use sqlx::Row;
        use $crate::store::errors::map_sqlx;
        use $crate::store::carts::{ADD_EVENT, DELETE_LINE, ITEMS_SELECT, UPSERT_LINE};

        fn item_from(r: &<$db as sqlx::Database>::Row) -> Result<CartItem, StoreError> {
            let currency = $crate::store::errors::currency(r.get("currency"))?;
            let product_title: String = r.get("product_title");
            let variant_title: String = r.get("variant_title");
            Ok(CartItem {
                line: CartLine {
                    variant_id: r.get("variant_id"),
                    product_id: r.get("product_id"),
                    merchant_id: r.get("merchant_id"),
                    merchant_name: r.get("merchant_name"),
                    title: line_title(&product_title, &variant_title),
                    unit_price: Money::new(r.get("price_minor"), currency),
                    price_at_add: Money::new(r.get("price_at_add_minor"), currency),
                    quantity: r.get("quantity"),
                    stock: r.get("stock"),
                    published: r.get("available"),
                },
                product_title,
                variant_title,
                product_slug: r.get("slug"),
                image_url: r.get("image_url"),
            })
        }

        /// Locks the cart row for the rest of the transaction; `false` when there is no such cart.
        async fn lock_cart(tx: &mut sqlx::Transaction<'static, $db>, cart_id: i64, now: i64) -> Result<bool, StoreError> {
            let touch = sqlx::query("UPDATE carts SET updated_at = $1 WHERE id = $2");
            Ok(<$store>::run(tx, touch.bind(now).bind(cart_id)).await? == 1)
        }

        async fn items_in(
            tx: &mut sqlx::Transaction<'static, $db>,
            cart_id: i64,
        ) -> Result<Vec<CartItem>, StoreError> {
            let rows = sqlx::query(ITEMS_SELECT).bind(cart_id).fetch_all(&mut **tx).await.map_err(map_sqlx)?;
            rows.iter().map(item_from).collect()
        }

        async fn cart_in(
            tx: &mut sqlx::Transaction<'static, $db>,
            owner: CartOwner<'_>,
            now: i64,
        ) -> Result<i64, StoreError> {
            let (insert, find) = match owner {
                CartOwner::Guest(_) => (
                    "INSERT INTO carts (token_hash, created_at, updated_at) VALUES ($1, $2, $2)
                     ON CONFLICT (token_hash) DO NOTHING",
                    "SELECT id FROM carts WHERE token_hash = $1",
                ),
                CartOwner::User(_) => (
                    "INSERT INTO carts (user_id, created_at, updated_at) VALUES ($1, $2, $2)
                     ON CONFLICT (user_id) DO NOTHING",
                    "SELECT id FROM carts WHERE user_id = $1",
                ),
            };
            let insert = sqlx::query(insert);
            let insert = match owner {
                CartOwner::Guest(hash) => insert.bind(hash),
                CartOwner::User(id) => insert.bind(id),
            };
            insert.bind(now).execute(&mut **tx).await.map_err(map_sqlx)?;
            let find = sqlx::query_scalar(find);
            let find = match owner {
                CartOwner::Guest(hash) => find.bind(hash),
                CartOwner::User(id) => find.bind(id),
            };
            find.fetch_one(&mut **tx).await.map_err(map_sqlx)
        }

        #[async_trait::async_trait]
        impl CartStore for $store {
            async fn find_cart(&self, owner: CartOwner<'_>) -> Result<Option<i64>, StoreError> {
                let query = match owner {
                    CartOwner::Guest(hash) => sqlx::query_scalar("SELECT id FROM carts WHERE token_hash = $1").bind(hash),
                    CartOwner::User(id) => sqlx::query_scalar("SELECT id FROM carts WHERE user_id = $1").bind(id),
                };
                query.fetch_optional(&self.pool).await.map_err(map_sqlx)
            }

            async fn cart_for(&self, owner: CartOwner<'_>, now: i64) -> Result<i64, StoreError> {
                if let Some(id) = self.find_cart(owner).await? {
                    return Ok(id);
                }
                // SQLite: with the other shoppers' writes, in one commit (`store::group_commit`).
                let owned = match owner {
                    CartOwner::Guest(hash) => Err(hash.to_string()),
                    CartOwner::User(id) => Ok(id),
                };
                self.grouped(
                    move |tx| {
                        Box::pin(async move {
                            let owner = match &owned {
                                Err(hash) => CartOwner::Guest(hash),
                                Ok(id) => CartOwner::User(*id),
                            };
                            cart_in(tx, owner, now).await
                        })
                    },
                    |_| true,
                )
                .await
            }

            async fn add_item(
                &self,
                cart_id: i64,
                variant_id: i64,
                quantity: i64,
                now: i64,
            ) -> Result<AddOutcome, StoreError> {
                if !(1..=MAX_QTY_PER_LINE).contains(&quantity) {
                    return Err(StoreError::Invalid(format!("a quantity is 1 to {MAX_QTY_PER_LINE}")));
                }
                // SQLite: with the other shoppers' writes, in one commit (`store::group_commit`).
                self.grouped(
                    move |tx| {
                        Box::pin(async move {
                            if !lock_cart(tx, cart_id, now).await? {
                                return Err(StoreError::Invalid("no such cart".into()));
                            }
                            let variant = sqlx::query(
                                "SELECT p.title AS product_title, v.title AS variant_title, v.price_minor, v.stock,
                                    (p.status = 'published' AND m.status = 'active') AS available,
                                    (SELECT ci.quantity FROM cart_items ci WHERE ci.cart_id = $2 AND ci.variant_id = v.id) AS current
                                 FROM product_variants v JOIN products p ON p.id = v.product_id JOIN merchants m ON m.id = p.merchant_id
                                 WHERE v.id = $1",
                            )
                            .bind(variant_id)
                            .bind(cart_id)
                            .fetch_optional(&mut **tx)
                            .await
                            .map_err(map_sqlx)?;
                            let Some(v) = variant.filter(|v| v.get::<bool, _>("available")) else {
                                return Ok(AddOutcome::Refused("This product is no longer available.".into()));
                            };
                            let title = line_title(&v.get::<String, _>("product_title"), &v.get::<String, _>("variant_title"));
                            let current: Option<i64> = v.get("current");
                            let outcome = plan_add(current.unwrap_or(0), quantity, v.get("stock"), &title);
                            if let AddOutcome::Added { quantity, .. } = &outcome {
                                // A new line records today's price; an existing one keeps the price first seen.
                                let upsert = sqlx::query(
                                    "INSERT INTO cart_items (cart_id, variant_id, quantity, price_at_add_minor, added_at)
                                     VALUES ($1, $2, $3, $4, $5)
                                     ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = excluded.quantity",
                                );
                                let price: i64 = v.get("price_minor");
                                <$store>::run(tx, upsert.bind(cart_id).bind(variant_id).bind(*quantity).bind(price).bind(now)).await?;
                                // The analytics funnel's "added to cart", kept after checkout empties the cart.
                                let added = *quantity - current.unwrap_or(0);
                                <$store>::run(tx, sqlx::query(ADD_EVENT).bind(cart_id).bind(variant_id).bind(added).bind(now)).await?;
                            }
                            Ok(outcome)
                        })
                    },
                    |outcome| matches!(outcome, AddOutcome::Added { .. }),
                )
                .await
            }

            async fn set_quantity(
                &self,
                cart_id: i64,
                variant_id: i64,
                quantity: i64,
                now: i64,
            ) -> Result<bool, StoreError> {
                if quantity == 0 {
                    return self.remove_item(cart_id, variant_id).await;
                }
                if !(1..=MAX_QTY_PER_LINE).contains(&quantity) {
                    return Err(StoreError::Invalid(format!("a quantity is 0 to {MAX_QTY_PER_LINE}")));
                }
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if !lock_cart(&mut tx, cart_id, now).await? {
                    return Ok(false);
                }
                let update = sqlx::query(
                    "UPDATE cart_items SET quantity = $1,
                        price_at_add_minor = (SELECT v.price_minor FROM product_variants v WHERE v.id = cart_items.variant_id)
                     WHERE cart_id = $2 AND variant_id = $3",
                );
                let changed = Self::run(&mut tx, update.bind(quantity).bind(cart_id).bind(variant_id)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(changed == 1)
            }

            async fn remove_item(&self, cart_id: i64, variant_id: i64) -> Result<bool, StoreError> {
                Ok(self.write_one(sqlx::query(DELETE_LINE).bind(cart_id).bind(variant_id)).await? == 1)
            }

            async fn items(&self, cart_id: i64) -> Result<Vec<CartItem>, StoreError> {
                let rows = sqlx::query(ITEMS_SELECT).bind(cart_id).fetch_all(&self.pool).await.map_err(map_sqlx)?;
                rows.iter().map(item_from).collect()
            }

            async fn item_count(&self, cart_id: i64) -> Result<i64, StoreError> {
                let count: Option<i64> =
                    sqlx::query_scalar("SELECT CAST(SUM(quantity) AS BIGINT) FROM cart_items WHERE cart_id = $1")
                        .bind(cart_id)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                Ok(count.unwrap_or(0))
            }

            async fn merge_guest_cart(
                &self,
                guest_token_hash: &str,
                user_id: i64,
                now: i64,
            ) -> Result<Vec<CartNotice>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let guest: Option<i64> = sqlx::query_scalar("SELECT id FROM carts WHERE token_hash = $1")
                    .bind(guest_token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                let Some(guest) = guest else {
                    return Ok(Vec::new());
                };
                let account = cart_in(&mut tx, CartOwner::User(user_id), now).await?;
                if account == guest {
                    return Ok(Vec::new());
                }
                // Lock both carts, always in the same order, so two merges cannot deadlock.
                for id in [guest.min(account), guest.max(account)] {
                    lock_cart(&mut tx, id, now).await?;
                }
                let account_lines: Vec<CartLine> = items_in(&mut tx, account).await?.into_iter().map(|i| i.line).collect();
                let guest_lines: Vec<CartLine> = items_in(&mut tx, guest).await?.into_iter().map(|i| i.line).collect();
                let (merged, notices) = merge_guest_cart(&account_lines, &guest_lines);
                for line in &account_lines {
                    if !merged.iter().any(|m| m.variant_id == line.variant_id) {
                        Self::run(&mut tx, sqlx::query(DELETE_LINE).bind(account).bind(line.variant_id)).await?;
                    }
                }
                for line in &merged {
                    if account_lines.iter().any(|a| a.variant_id == line.variant_id && a.quantity == line.quantity) {
                        continue;
                    }
                    let upsert = sqlx::query(UPSERT_LINE).bind(account).bind(line.variant_id).bind(line.quantity);
                    Self::run(&mut tx, upsert.bind(line.price_at_add.minor).bind(now)).await?;
                }
                Self::run(&mut tx, sqlx::query("DELETE FROM carts WHERE id = $1").bind(guest)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(notices)
            }

            async fn clear(&self, cart_id: i64) -> Result<(), StoreError> {
                // SQLite: with the other shoppers' writes, in one commit (`store::group_commit`).
                self.grouped(
                    move |tx| {
                        Box::pin(async move {
                            lock_cart(tx, cart_id, app::services::clock::now()).await?;
                            let empty = sqlx::query("DELETE FROM cart_items WHERE cart_id = $1");
                            <$store>::run(tx, empty.bind(cart_id)).await.map(|_| ())
                        })
                    },
                    |_| true,
                )
                .await
            }
        }
    };
}
