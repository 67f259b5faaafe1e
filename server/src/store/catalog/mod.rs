//! The catalog SQL (the `CatalogStore` port): merchants, categories, bulk product creation,
//! listings, product pages, search, views and ranking weights. The card columns and row mapping it
//! shares with recommendations, products and import are in `rows`.
#[macro_use]
pub mod rows;

/// Rows inserted per multi-row statement when bulk-creating products.
pub const BATCH: usize = 200;

macro_rules! impl_sql_catalog {
    ($store:ty, $db:ty, $engine:literal) => {
        use app::domain::catalog::{Category, Image, Merchant, ProductCard, ProductDetail, Variant};
        use app::domain::money::Money;
        use app::domain::product_form::ValidVariant;
        use app::services::catalog_store::{
            CatalogStore, NewCategory, NewMerchant, NewProduct, ProductQuery, StoreError, StoredProduct,
        };
        use sqlx::{QueryBuilder, Row};
        use $crate::store::catalog::BATCH;
        use $crate::store::errors::{currency as stored_currency, map_sqlx};
        use $crate::store::catalog::rows::{
            CARD_GROUP, CARD_SELECT, STORE_CURRENCY, VARIANTS_OF, json_list, order_by, parse_json_list,
        };
        use app::domain::listing::Sort;

        card_from_row_fn!($db);

        /// The listing's WHERE clause over `products p`. With `merchant_joined`, `merchants m` is
        /// in the FROM clause; without, the store's status is an EXISTS, so the planner can walk
        /// `products_newest` in order and stop at the page (joining merchants first made SQLite
        /// sort the whole catalog for the home page's eight new arrivals: 15 ms at 10 000 products).
        fn push_listing_filter(qb: &mut QueryBuilder<'_, $db>, q: &ProductQuery, merchant_joined: bool) {
            if merchant_joined {
                qb.push(" WHERE p.status = 'published' AND m.status = 'active'");
            } else {
                qb.push(
                    " WHERE p.status = 'published' AND EXISTS (SELECT 1 FROM merchants m WHERE m.id = p.merchant_id AND m.status = 'active')",
                );
            }
            if let Some(ids) = &q.category_ids {
                qb.push(" AND p.category_id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
            }
            if let Some(ids) = &q.ids {
                qb.push(" AND p.id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
            }
            if q.in_stock_only {
                qb.push(" AND EXISTS (SELECT 1 FROM product_variants sv WHERE sv.product_id = p.id AND sv.stock > 0)");
            }
        }

        impl $store {
            /// The currency a store's new products are priced in: its first product's, USD while
            /// it has none.
            pub(crate) async fn store_currency_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                merchant_id: i64,
            ) -> Result<String, StoreError> {
                let currency: Option<String> =
                    sqlx::query_scalar(STORE_CURRENCY).bind(merchant_id).fetch_optional(&mut **tx).await.map_err(map_sqlx)?;
                Ok(currency.unwrap_or_else(|| "USD".into()))
            }

            /// Inserts variants, as (product id, store id, position, variant), in one statement: a
            /// new product's (`create_products`) and the CSV import's.
            pub(crate) async fn insert_variant_rows(
                tx: &mut sqlx::Transaction<'static, $db>,
                rows: &[(i64, i64, usize, &ValidVariant)],
                now: i64,
            ) -> Result<(), StoreError> {
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO product_variants (product_id, merchant_id, sku, title, option_values, price_minor,
                        compare_at_minor, stock, position, created_at, updated_at) ",
                );
                qb.push_values(rows, |mut b, (product_id, merchant_id, pos, v)| {
                    b.push_bind(*product_id)
                        .push_bind(*merchant_id)
                        .push_bind(v.sku.as_str())
                        .push_bind(v.title.as_str())
                        .push_bind(json_list(&v.options))
                        .push_bind(v.price_minor)
                        .push_bind(v.compare_at_minor)
                        .push_bind(v.stock)
                        .push_bind(*pos as i64)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.build().execute(&mut **tx).await.map_err(map_sqlx)?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl CatalogStore for $store {
            fn engine(&self) -> &'static str {
                $engine
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_sqlx)?;
                Ok(())
            }

            async fn create_merchant(&self, m: &NewMerchant) -> Result<i64, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO merchants (slug, name, description, status, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(&m.slug)
                .bind(&m.name)
                .bind(&m.description)
                .bind(m.status.as_str())
                .bind(app::services::clock::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(id)
            }

            async fn create_category(&self, c: &NewCategory) -> Result<i64, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO categories (parent_id, slug, name, description, position) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(c.parent_id)
                .bind(&c.slug)
                .bind(&c.name)
                .bind(&c.description)
                .bind(c.position)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(id)
            }

            async fn create_products(&self, products: &[NewProduct]) -> Result<Vec<i64>, StoreError> {
                for p in products {
                    p.validate()?;
                }
                let now = app::services::clock::now();
                let mut ids = Vec::with_capacity(products.len());
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                for chunk in products.chunks(BATCH) {
                    let option_names: Vec<String> = chunk.iter().map(|p| json_list(&p.option_names)).collect();
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO products (merchant_id, category_id, slug, title, description, option_names, status, currency, created_at, updated_at) ",
                    );
                    qb.push_values(chunk.iter().zip(&option_names), |mut b, (p, names)| {
                        b.push_bind(p.merchant_id)
                            .push_bind(p.category_id)
                            .push_bind(p.slug.as_str())
                            .push_bind(p.title.as_str())
                            .push_bind(p.description.as_str())
                            .push_bind(names.as_str())
                            .push_bind(p.status.as_str())
                            .push_bind(p.currency.code())
                            .push_bind(p.created_at)
                            .push_bind(now);
                    });
                    // RETURNING order is not guaranteed, so match rows back by slug.
                    qb.push(" RETURNING id, slug");
                    let rows = qb.build().fetch_all(&mut *tx).await.map_err(map_sqlx)?;
                    let by_slug: std::collections::HashMap<String, i64> =
                        rows.iter().map(|r| (r.get::<String, _>("slug"), r.get::<i64, _>("id"))).collect();
                    let chunk_ids: Vec<i64> = chunk
                        .iter()
                        .map(|p| by_slug.get(&p.slug).copied())
                        .collect::<Option<_>>()
                        .ok_or_else(|| StoreError::Other("inserted products did not come back".into()))?;

                    let variants: Vec<(i64, i64, usize, &ValidVariant)> = chunk
                        .iter()
                        .zip(&chunk_ids)
                        .flat_map(|(p, id)| p.variants.iter().enumerate().map(move |(pos, v)| (*id, p.merchant_id, pos, v)))
                        .collect();
                    for vchunk in variants.chunks(BATCH * 2) {
                        Self::insert_variant_rows(&mut tx, vchunk, now).await?;
                    }

                    let images: Vec<(i64, usize, &app::services::catalog_store::NewImage)> = chunk
                        .iter()
                        .zip(&chunk_ids)
                        .flat_map(|(p, id)| p.images.iter().enumerate().map(move |(pos, img)| (*id, pos, img)))
                        .collect();
                    for ichunk in images.chunks(BATCH * 2) {
                        let mut qb = QueryBuilder::<$db>::new("INSERT INTO product_images (product_id, position, url, alt) ");
                        qb.push_values(ichunk, |mut b, (pid, pos, img)| {
                            b.push_bind(*pid).push_bind(*pos as i64).push_bind(img.url.as_str()).push_bind(img.alt.as_str());
                        });
                        qb.build().execute(&mut *tx).await.map_err(map_sqlx)?;
                    }
                    ids.extend(chunk_ids);
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(ids)
            }

            async fn catalog_version(&self) -> Result<i64, StoreError> {
                // Kept by triggers (migration 0019).
                sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_sqlx)
            }

            async fn categories(&self) -> Result<Vec<Category>, StoreError> {
                // One grouped pass over the products, not a correlated count per category.
                let counts: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT p.category_id, COUNT(*) FROM products p JOIN merchants m ON m.id = p.merchant_id
                     WHERE p.status = 'published' AND m.status = 'active' GROUP BY p.category_id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let rows = sqlx::query("SELECT id, parent_id, slug, name, description FROM categories ORDER BY position, id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(rows
                    .iter()
                    .map(|r| Category {
                        id: r.get("id"),
                        parent_id: r.get("parent_id"),
                        slug: r.get("slug"),
                        name: r.get("name"),
                        description: r.get("description"),
                        product_count: counts
                            .iter()
                            .find(|(c, _)| *c == r.get::<i64, _>("id"))
                            .map(|(_, n)| *n)
                            .unwrap_or(0),
                    })
                    .collect())
            }

            async fn count_listed(&self, q: &ProductQuery) -> Result<i64, StoreError> {
                if q.category_ids.as_ref().is_some_and(|ids| ids.is_empty()) || q.ids.as_ref().is_some_and(|ids| ids.is_empty()) {
                    return Ok(0);
                }
                let mut count = QueryBuilder::<$db>::new(
                    "SELECT COUNT(*) FROM products p JOIN merchants m ON m.id = p.merchant_id",
                );
                push_listing_filter(&mut count, q, true);
                count.build_query_scalar().fetch_one(&self.pool).await.map_err(map_sqlx)
            }

            async fn list_products(&self, q: &ProductQuery) -> Result<Vec<ProductCard>, StoreError> {
                if q.category_ids.as_ref().is_some_and(|ids| ids.is_empty()) || q.ids.as_ref().is_some_and(|ids| ids.is_empty()) {
                    return Ok(Vec::new());
                }

                let mut qb = QueryBuilder::<$db>::new(CARD_SELECT);
                let by_date = matches!(q.sort, Sort::Newest | Sort::Recommended | Sort::BestRated);
                if by_date {
                    // Page over products first (walking the (status, created_at) index), then
                    // aggregate variants for that page only, not for the whole catalog.
                    qb.push(" WHERE p.id IN (SELECT p.id FROM products p");
                    push_listing_filter(&mut qb, q, false);
                    qb.push(order_by(q.sort));
                    qb.push(" LIMIT ").push_bind(q.limit.max(0)).push(" OFFSET ").push_bind(q.offset.max(0)).push(")");
                    qb.push(CARD_GROUP);
                    qb.push(order_by(q.sort));
                } else {
                    push_listing_filter(&mut qb, q, true);
                    qb.push(CARD_GROUP);
                    qb.push(order_by(q.sort));
                    qb.push(" LIMIT ").push_bind(q.limit.max(0)).push(" OFFSET ").push_bind(q.offset.max(0));
                }
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                rows.iter().map(card).collect()
            }

            async fn product_by_slug(&self, slug: &str) -> Result<Option<StoredProduct>, StoreError> {
                let Some(row) = sqlx::query(
                    "SELECT p.id, p.slug, p.title, p.description, p.option_names, p.currency, p.category_id,
                            p.created_at, m.id AS merchant_id, m.slug AS merchant_slug, m.name AS merchant_name
                     FROM products p JOIN merchants m ON m.id = p.merchant_id
                     WHERE p.slug = $1 AND p.status = 'published' AND m.status = 'active'",
                )
                .bind(slug)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let id: i64 = row.get("id");
                let currency = stored_currency(row.get("currency"))?;
                let variants = self
                    .rows(sqlx::query(VARIANTS_OF).bind(id))
                    .await?
                    .iter()
                    .map(|v| Variant {
                        id: v.get("id"),
                        sku: v.get("sku"),
                        title: v.get("title"),
                        options: parse_json_list(v.get::<&str, _>("option_values")),
                        price: Money::new(v.get("price_minor"), currency),
                        compare_at: v.get::<Option<i64>, _>("compare_at_minor").map(|c| Money::new(c, currency)),
                        stock: v.get("stock"),
                    })
                    .collect();
                let images = sqlx::query("SELECT url, alt FROM product_images WHERE product_id = $1 ORDER BY position")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                    .iter()
                    .map(|i| Image { url: i.get("url"), alt: i.get("alt") })
                    .collect();
                Ok(Some(StoredProduct {
                    category_id: row.get("category_id"),
                    detail: ProductDetail {
                        id,
                        slug: row.get("slug"),
                        title: row.get("title"),
                        description: row.get("description"),
                        description_html: String::new(),
                        merchant: Merchant {
                            id: row.get("merchant_id"),
                            slug: row.get("merchant_slug"),
                            name: row.get("merchant_name"),
                        },
                        breadcrumbs: Vec::new(),
                        option_names: parse_json_list(row.get::<&str, _>("option_names")),
                        variants,
                        images,
                        created_at: row.get("created_at"),
                    },
                }))
            }

            async fn search(
                &self,
                words: &[String],
                limit: i64,
            ) -> Result<app::services::catalog_store::SearchHits, StoreError> {
                use app::services::catalog_store::{COMMON_MATCHES, SearchHits};
                if words.is_empty() {
                    return Ok(SearchHits::default());
                }
                self.search_engine(words, limit, COMMON_MATCHES).await.map_err(map_sqlx)
            }

            async fn search_vocabulary(&self) -> Result<Vec<(String, i64)>, StoreError> {
                self.vocabulary_engine().await.map_err(map_sqlx)
            }

            async fn listing_rows(
                &self,
                candidates: &app::services::catalog_store::Candidates,
            ) -> Result<Vec<app::services::catalog_store::ListingRow>, StoreError> {
                use app::services::catalog_store::{Candidates, ListingRow};
                let mut q = ProductQuery {
                    category_ids: None,
                    ids: None,
                    sort: app::domain::listing::Sort::Newest,
                    offset: 0,
                    limit: i64::MAX,
                    in_stock_only: false,
                };
                match candidates {
                    Candidates::Categories(ids) if ids.is_empty() => return Ok(Vec::new()),
                    Candidates::Ids(ids) if ids.is_empty() => return Ok(Vec::new()),
                    Candidates::Categories(ids) => q.category_ids = Some(ids.clone()),
                    Candidates::Ids(ids) => q.ids = Some(ids.clone()),
                    Candidates::Newest(_) => {}
                }
                // Per-product subqueries walk the variants index for exactly the products kept;
                // a join + GROUP BY sorted every variant row first (2-4x slower at 480 hits).
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT p.id, p.category_id, m.slug AS merchant_slug, m.name AS merchant_name, p.currency,
                        p.created_at,
                        COALESCE((SELECT MIN(v.price_minor) FROM product_variants v WHERE v.product_id = p.id), 0)
                            AS price_minor,
                        CAST(COALESCE((SELECT SUM(v.stock) FROM product_variants v WHERE v.product_id = p.id), 0)
                            AS BIGINT) AS total_stock,
                        CAST(COALESCE(r.review_count, 0) AS BIGINT) AS review_count,
                        CAST(COALESCE(r.rating_sum, 0) AS BIGINT) AS rating_sum
                     FROM products p
                     JOIN merchants m ON m.id = p.merchant_id
                     LEFT JOIN product_rating_stats r ON r.product_id = p.id",
                );
                push_listing_filter(&mut qb, &q, true);
                if let Candidates::Newest(n) = candidates {
                    // Walks the (status, created_at) index instead of reading the whole catalog.
                    qb.push(" AND p.id IN (SELECT id FROM products WHERE status = 'published' ORDER BY created_at DESC, id DESC LIMIT ")
                        .push_bind(*n)
                        .push(")");
                }
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                rows.iter()
                    .map(|r| Ok(ListingRow {
                        id: r.get("id"),
                        category_id: r.get("category_id"),
                        merchant_slug: r.get("merchant_slug"),
                        merchant_name: r.get("merchant_name"),
                        currency: stored_currency(r.get("currency"))?,
                        price_minor: r.get("price_minor"),
                        total_stock: r.get("total_stock"),
                        created_at: r.get("created_at"),
                        review_count: r.get("review_count"),
                        rating_sum: r.get("rating_sum"),
                    }))
                    .collect()
            }

            async fn rating_totals(&self) -> Result<(i64, i64), StoreError> {
                sqlx::query_as(
                    "SELECT CAST(COALESCE(SUM(review_count), 0) AS BIGINT), CAST(COALESCE(SUM(rating_sum), 0) AS BIGINT)
                     FROM product_rating_stats",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(map_sqlx)
            }

            async fn record_view(&self, user_id: i64, product_id: i64, at: i64) -> Result<(), StoreError> {
                let view = sqlx::query(
                    "INSERT INTO product_views (user_id, product_id, view_count, last_viewed_at) VALUES ($1, $2, 1, $3)
                     ON CONFLICT (user_id, product_id)
                     DO UPDATE SET view_count = product_views.view_count + 1, last_viewed_at = $3",
                );
                self.execute(view.bind(user_id).bind(product_id).bind(at)).await.map(drop)
            }

            async fn view_profile(
                &self,
                user_id: i64,
                since: i64,
            ) -> Result<app::services::catalog_store::ViewProfile, StoreError> {
                let rows: Vec<(i64, String, i64)> = sqlx::query_as(
                    "SELECT p.category_id, m.slug, CAST(SUM(v.view_count) AS BIGINT)
                     FROM product_views v JOIN products p ON p.id = v.product_id JOIN merchants m ON m.id = p.merchant_id
                     WHERE v.user_id = $1 AND v.last_viewed_at >= $2
                     GROUP BY p.category_id, m.slug",
                )
                .bind(user_id)
                .bind(since)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let mut profile = app::services::catalog_store::ViewProfile::default();
                for (category, merchant, n) in rows {
                    match profile.by_category.iter_mut().find(|(c, _)| *c == category) {
                        Some((_, total)) => *total += n,
                        None => profile.by_category.push((category, n)),
                    }
                    match profile.by_merchant.iter_mut().find(|(m, _)| *m == merchant) {
                        Some((_, total)) => *total += n,
                        None => profile.by_merchant.push((merchant, n)),
                    }
                }
                Ok(profile)
            }

            async fn ranking_weights(&self) -> Result<app::domain::ranking::Weights, StoreError> {
                use app::domain::ranking::{Signal, Weights};
                let rows: Vec<(String, f64)> = sqlx::query_as("SELECT signal, weight FROM ranking_weights")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                let defaults = Weights::default();
                Ok(Weights(
                    Signal::ALL
                        .into_iter()
                        .map(|s| {
                            let stored = rows.iter().find(|(k, _)| k == s.key()).map(|(_, w)| *w);
                            (s, stored.unwrap_or_else(|| defaults.get(s)))
                        })
                        .collect(),
                ))
            }

            async fn set_ranking_weights(&self, weights: &app::domain::ranking::Weights) -> Result<(), StoreError> {
                let now = app::services::clock::now();
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                for (signal, weight) in &weights.0 {
                    sqlx::query(
                        "INSERT INTO ranking_weights (signal, weight, updated_at) VALUES ($1, $2, $3)
                         ON CONFLICT (signal) DO UPDATE SET weight = $2, updated_at = $3",
                    )
                    .bind(signal.key())
                    .bind(*weight)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)
            }

            async fn count_products(&self) -> Result<i64, StoreError> {
                sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&self.pool).await.map_err(map_sqlx)
            }
        }
    };
}
