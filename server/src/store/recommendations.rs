//! The recommendation SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why
//! a macro). Reads are one query each: the candidates (stored neighbours, or given ids) and the
//! popular products that fill up a short list are unioned with an order key, joined to the card
//! columns, filtered to what a shopper may buy now (published, active store, in stock) and cut to
//! the limit. The job's write replaces every row in one transaction guarded by its lease row.

/// Rows per multi-row INSERT when replacing similarities (5 binds each).
pub const INSERT_BATCH: usize = 500;
/// Popular products considered beyond the limit (sold-out or hidden ones are skipped).
pub const POPULAR_SLACK: i64 = 60;
/// The most recent views that make one viewer's co-view basket.
pub const VIEW_BASKET: usize = 50;

/// Card columns for a candidate list `c (id, ord)` joined in by the caller.
pub const VISIBLE: &str = " WHERE p.status = 'published' AND m.status = 'active'";
pub const HAVING_STOCK: &str = " HAVING SUM(v.stock) > 0";

macro_rules! impl_sql_recommendations {
    ($store:ty, $db:ty) => {
        use app::domain::catalog::ProductCard;
        use app::domain::recommend::{Interaction, InteractionKind, InterestWeights};
        use app::services::catalog_store::StoreError;
        use app::services::recommendation_store::{
            HistoryOrder, RecommendationStore, SimilarityRow, ViewEvent, Viewer,
        };
        use sqlx::{QueryBuilder, Row};
        use std::collections::HashMap;
        use $crate::store::errors::map_sqlx;
        use $crate::store::catalog::rows::{CARD_GROUP, CARD_SELECT};
        use $crate::store::recommendations::{HAVING_STOCK, INSERT_BATCH, POPULAR_SLACK, VIEW_BASKET, VISIBLE};

        card_from_row_fn!($db);

        /// `CARD_SELECT` joined to the candidates the closure pushes (`SELECT id, ord …`, ord as a
        /// float: lower first), popular products after them, then the newest, minus `exclude`, visible only.
        async fn cards_for(
            pool: &sqlx::Pool<$db>,
            limit: i64,
            exclude: &[i64],
            candidates: impl FnOnce(&mut QueryBuilder<'_, $db>),
        ) -> Result<Vec<ProductCard>, StoreError> {
            let mut qb = QueryBuilder::<$db>::new(CARD_SELECT);
            qb.push(" JOIN (SELECT id, MIN(ord) AS ord FROM (");
            candidates(&mut qb);
            qb.push(" UNION ALL SELECT product_id AS id, CAST(1000000 + rank AS DOUBLE PRECISION) AS ord FROM item_popularity WHERE rank <= ")
                .push_bind(limit + exclude.len() as i64 + POPULAR_SLACK);
            // Last resort, so a block is never empty while anything is on sale: the newest.
            qb.push(
                " UNION ALL SELECT id, CAST(3000000000 - created_at AS DOUBLE PRECISION) AS ord FROM (SELECT id, created_at
                  FROM products WHERE status = 'published' ORDER BY created_at DESC, id DESC LIMIT ",
            )
            .push_bind(limit + exclude.len() as i64 + POPULAR_SLACK);
            qb.push(") newest) cand GROUP BY id) c ON c.id = p.id");
            qb.push(VISIBLE);
            if !exclude.is_empty() {
                qb.push(" AND p.id NOT IN (");
                let mut list = qb.separated(", ");
                for id in exclude {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
            }
            qb.push(CARD_GROUP).push(", c.ord").push(HAVING_STOCK);
            qb.push(" ORDER BY c.ord, p.id LIMIT ").push_bind(limit.max(0));
            let rows = qb.build().fetch_all(pool).await.map_err(map_sqlx)?;
            rows.iter().map(card).collect()
        }

        fn push_ids(qb: &mut QueryBuilder<'_, $db>, ids: &[i64]) {
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
        }

        fn kind(text: &str) -> InteractionKind {
            match text {
                "purchase" => InteractionKind::Purchase,
                "rating" => InteractionKind::Rating,
                "cart" => InteractionKind::Cart,
                _ => InteractionKind::View,
            }
        }

        #[async_trait::async_trait]
        impl RecommendationStore for $store {
            async fn record_views(&self, views: &[ViewEvent]) -> Result<usize, StoreError> {
                // One row per viewer and product: (count, latest time).
                let mut rows: HashMap<(&Viewer, i64), (i64, i64)> = HashMap::new();
                for v in views {
                    let e = rows.entry((&v.viewer, v.product_id)).or_insert((0, v.at));
                    e.0 += 1;
                    e.1 = e.1.max(v.at);
                }
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let mut written = 0usize;
                for ((viewer, product_id), (count, at)) in rows {
                    let done = match viewer {
                        Viewer::User(user_id) => sqlx::query(
                            "INSERT INTO product_views (user_id, product_id, view_count, last_viewed_at)
                             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM products WHERE id = $2)
                               AND EXISTS (SELECT 1 FROM users WHERE id = $1)
                             ON CONFLICT (user_id, product_id) DO UPDATE SET
                               view_count = product_views.view_count + excluded.view_count,
                               last_viewed_at = CASE WHEN excluded.last_viewed_at > product_views.last_viewed_at
                                   THEN excluded.last_viewed_at ELSE product_views.last_viewed_at END",
                        )
                        .bind(*user_id),
                        Viewer::Visitor(hash) => sqlx::query(
                            "INSERT INTO anon_product_views (visitor, product_id, view_count, last_viewed_at)
                             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM products WHERE id = $2)
                             ON CONFLICT (visitor, product_id) DO UPDATE SET
                               view_count = anon_product_views.view_count + excluded.view_count,
                               last_viewed_at = CASE WHEN excluded.last_viewed_at > anon_product_views.last_viewed_at
                                   THEN excluded.last_viewed_at ELSE anon_product_views.last_viewed_at END",
                        )
                        .bind(hash.clone()),
                    }
                    .bind(product_id)
                    .bind(count)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    if done.rows_affected() > 0 {
                        written += count as usize;
                    }
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(written)
            }

            async fn history(&self, user_id: i64, since: i64, limit: i64) -> Result<Vec<Interaction>, StoreError> {
                let history = sqlx::query(
                    "SELECT item, at, kind, rating FROM (
                       SELECT l.product_id AS item, o.created_at AS at, 'purchase' AS kind, CAST(NULL AS BIGINT) AS rating
                         FROM orders o JOIN order_parts pt ON pt.order_id = o.id JOIN order_lines l ON l.part_id = pt.id
                         WHERE o.user_id = $1 AND o.status = 'paid' AND o.created_at >= $2
                       UNION ALL
                       SELECT product_id, created_at, 'rating', CAST(rating AS BIGINT) FROM product_reviews
                         WHERE user_id = $1 AND created_at >= $2
                       UNION ALL
                       SELECT product_id, at, 'cart', CAST(NULL AS BIGINT) FROM cart_adds WHERE user_id = $1 AND at >= $2
                       UNION ALL
                       SELECT product_id, last_viewed_at, 'view', CAST(NULL AS BIGINT) FROM product_views
                         WHERE user_id = $1 AND last_viewed_at >= $2
                     ) h ORDER BY at DESC, item LIMIT $3",
                );
                let rows = self.rows(history.bind(user_id).bind(since).bind(limit)).await?;
                Ok(rows
                    .iter()
                    .map(|r| {
                        let k: String = r.get("kind");
                        let rating: Option<i64> = r.get("rating");
                        Interaction {
                            item: r.get("item"),
                            kind: kind(&k),
                            at: r.get("at"),
                            rating: rating.map(|n| n.clamp(1, 5) as u8),
                        }
                    })
                    .collect())
            }

            async fn visitor_history(
                &self,
                visitor: &str,
                since: i64,
                limit: i64,
            ) -> Result<Vec<Interaction>, StoreError> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT product_id, last_viewed_at FROM anon_product_views
                     WHERE visitor = $1 AND last_viewed_at >= $2 ORDER BY last_viewed_at DESC, product_id LIMIT $3",
                )
                .bind(visitor)
                .bind(since)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(rows
                    .into_iter()
                    .map(|(item, at)| Interaction { item, kind: InteractionKind::View, at, rating: None })
                    .collect())
            }

            async fn order_baskets(&self, since: i64) -> Result<Vec<Vec<i64>>, StoreError> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT o.id, l.product_id FROM orders o
                     JOIN order_parts pt ON pt.order_id = o.id JOIN order_lines l ON l.part_id = pt.id
                     WHERE o.status = 'paid' AND o.created_at >= $1 ORDER BY o.id",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let mut baskets: Vec<Vec<i64>> = Vec::new();
                let mut last = None;
                for (order, product) in rows {
                    if last != Some(order) {
                        baskets.push(Vec::new());
                        last = Some(order);
                    }
                    let basket = baskets.last_mut().expect("pushed above");
                    if !basket.contains(&product) {
                        basket.push(product);
                    }
                }
                Ok(baskets)
            }

            async fn view_baskets(&self, since: i64) -> Result<Vec<Vec<i64>>, StoreError> {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT CAST(user_id AS TEXT) AS who, product_id, last_viewed_at FROM product_views WHERE last_viewed_at >= $1
                     UNION ALL
                     SELECT 'v' || visitor, product_id, last_viewed_at FROM anon_product_views WHERE last_viewed_at >= $1
                     ORDER BY 1, 3 DESC",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let mut baskets: Vec<Vec<i64>> = Vec::new();
                let mut last: Option<String> = None;
                for (who, product, _) in rows {
                    if last.as_deref() != Some(who.as_str()) {
                        baskets.push(Vec::new());
                        last = Some(who);
                    }
                    let basket = baskets.last_mut().expect("pushed above");
                    if basket.len() < VIEW_BASKET {
                        basket.push(product);
                    }
                }
                baskets.retain(|b| b.len() > 1);
                Ok(baskets)
            }

            async fn popularity_events(
                &self,
                since: i64,
                w: &InterestWeights,
            ) -> Result<Vec<(i64, i64, f64)>, StoreError> {
                let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
                    "SELECT l.product_id, o.created_at, 'purchase', CAST(l.quantity AS BIGINT)
                       FROM orders o JOIN order_parts pt ON pt.order_id = o.id JOIN order_lines l ON l.part_id = pt.id
                       WHERE o.status = 'paid' AND o.created_at >= $1
                     UNION ALL
                     SELECT product_id, created_at, 'rating', CAST(rating AS BIGINT) FROM product_reviews WHERE created_at >= $1
                     UNION ALL
                     SELECT product_id, at, 'cart', CAST(1 AS BIGINT) FROM cart_adds WHERE at >= $1
                     UNION ALL
                     SELECT product_id, last_viewed_at, 'view', CAST(1 AS BIGINT) FROM product_views WHERE last_viewed_at >= $1
                     UNION ALL
                     SELECT product_id, last_viewed_at, 'view', CAST(1 AS BIGINT) FROM anon_product_views WHERE last_viewed_at >= $1",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(rows
                    .into_iter()
                    .map(|(item, at, k, n)| {
                        let weight = match kind(&k) {
                            InteractionKind::Purchase => w.purchase * n.max(1) as f64,
                            InteractionKind::Rating => w.rating * n.clamp(1, 5) as f64 / 5.0,
                            InteractionKind::Cart => w.cart,
                            InteractionKind::View => w.view,
                        };
                        (item, at, weight)
                    })
                    .collect())
            }

            async fn try_lease(&self, name: &str, holder: &str, now: i64, ttl: i64) -> Result<bool, StoreError> {
                let insert = sqlx::query(
                    "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
                );
                if self.execute(insert.bind(name).bind(holder).bind(now + ttl)).await? == 1 {
                    return Ok(true);
                }
                let take = sqlx::query(
                    "UPDATE job_leases SET holder = $2, expires_at = $3
                     WHERE name = $1 AND (expires_at <= $4 OR holder = $2)",
                );
                Ok(self.execute(take.bind(name).bind(holder).bind(now + ttl).bind(now)).await? == 1)
            }

            async fn release_lease(&self, name: &str, holder: &str, now: i64, done: bool) -> Result<(), StoreError> {
                let release = sqlx::query(
                    "UPDATE job_leases SET expires_at = 0,
                       refreshed_at = CASE WHEN $3 = 1 THEN $4 ELSE refreshed_at END
                     WHERE name = $1 AND holder = $2",
                );
                self.execute(release.bind(name).bind(holder).bind(i64::from(done)).bind(now)).await.map(drop)
            }

            async fn replace(
                &self,
                (name, holder): (&str, &str),
                now: i64,
                similarities: &[SimilarityRow],
                popular: &[(i64, f64)],
            ) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // Locks the lease row until commit: a holder whose lease ran out writes nothing.
                let held = sqlx::query(
                    "UPDATE job_leases SET expires_at = expires_at WHERE name = $1 AND holder = $2 AND expires_at > $3",
                )
                .bind(name)
                .bind(holder)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if held.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM item_similarities").execute(&mut *tx).await.map_err(map_sqlx)?;
                sqlx::query("DELETE FROM item_popularity").execute(&mut *tx).await.map_err(map_sqlx)?;
                for chunk in similarities.chunks(INSERT_BATCH) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO item_similarities (product_id, similar_id, score, support, rank) ",
                    );
                    qb.push_values(chunk, |mut b, s| {
                        b.push_bind(s.product_id)
                            .push_bind(s.similar_id)
                            .push_bind(s.score)
                            .push_bind(s.support)
                            .push_bind(s.rank);
                    });
                    qb.build().execute(&mut *tx).await.map_err(map_sqlx)?;
                }
                let ranked: Vec<(i64, f64, i64)> =
                    popular.iter().enumerate().map(|(i, (id, score))| (*id, *score, i as i64 + 1)).collect();
                for chunk in ranked.chunks(INSERT_BATCH) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO item_popularity (product_id, score, rank) ");
                    qb.push_values(chunk, |mut b, (id, score, rank)| {
                        b.push_bind(*id).push_bind(*score).push_bind(*rank);
                    });
                    qb.build().execute(&mut *tx).await.map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(true)
            }

            async fn also_bought(&self, product_id: i64, limit: i64) -> Result<Vec<ProductCard>, StoreError> {
                cards_for(&self.pool, limit, &[product_id], |qb| {
                    qb.push("SELECT similar_id AS id, CAST(rank AS DOUBLE PRECISION) AS ord FROM item_similarities WHERE product_id = ")
                        .push_bind(product_id);
                })
                .await
            }

            async fn together(&self, product_ids: &[i64], limit: i64) -> Result<Vec<ProductCard>, StoreError> {
                if product_ids.is_empty() {
                    return cards_for(&self.pool, limit, &[], |qb| {
                        qb.push("SELECT product_id AS id, CAST(1000000 + rank AS DOUBLE PRECISION) AS ord FROM item_popularity WHERE 1 = 0");
                    })
                    .await;
                }
                cards_for(&self.pool, limit, product_ids, |qb| {
                    qb.push("SELECT similar_id AS id, CAST(-SUM(score) AS DOUBLE PRECISION) AS ord FROM item_similarities WHERE product_id IN (");
                    push_ids(qb, product_ids);
                    qb.push(" GROUP BY similar_id");
                })
                .await
            }

            async fn neighbours(&self, product_ids: &[i64]) -> Result<Vec<(i64, i64, f64)>, StoreError> {
                if product_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT product_id, similar_id, score FROM item_similarities WHERE product_id IN (",
                );
                push_ids(&mut qb, product_ids);
                qb.push(" ORDER BY product_id, rank");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
            }

            async fn popularity(&self, limit: i64) -> Result<Vec<(i64, f64)>, StoreError> {
                let rows = sqlx::query("SELECT product_id, score FROM item_popularity ORDER BY rank LIMIT $1")
                    .bind(limit.max(0))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                rows.iter()
                    .map(|r| Ok((r.try_get(0).map_err(map_sqlx)?, r.try_get(1).map_err(map_sqlx)?)))
                    .collect()
            }

            async fn ranked_cards(
                &self,
                ranked: &[i64],
                exclude: &[i64],
                limit: i64,
            ) -> Result<Vec<ProductCard>, StoreError> {
                cards_for(&self.pool, limit, exclude, |qb| {
                    if ranked.is_empty() {
                        qb.push("SELECT product_id AS id, CAST(rank AS DOUBLE PRECISION) AS ord FROM item_popularity WHERE 1 = 0");
                        return;
                    }
                    for (i, id) in ranked.iter().enumerate() {
                        if i > 0 {
                            qb.push(" UNION ALL ");
                        }
                        qb.push("SELECT CAST(").push_bind(*id).push(" AS BIGINT) AS id, CAST(").push_bind(i as f64);
                        qb.push(" AS DOUBLE PRECISION) AS ord");
                    }
                })
                .await
            }

            async fn import_history(&self, orders: &[HistoryOrder]) -> Result<usize, StoreError> {
                // product id → (first variant, merchant, price, sku, title, currency)
                let variants: HashMap<i64, (i64, i64, i64, String, String, String)> = sqlx::query(
                    "SELECT v.product_id, v.id, v.merchant_id, v.price_minor, v.sku, p.title, p.currency
                     FROM product_variants v JOIN products p ON p.id = v.product_id
                     JOIN (SELECT MIN(id) AS id FROM product_variants GROUP BY product_id) f ON f.id = v.id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?
                .iter()
                .map(|r| {
                    (r.get(0), (r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6)))
                })
                .collect();
                let base: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let mut written = 0;
                for (n, order) in orders.iter().enumerate() {
                    // Lines grouped by store, in first-seen order.
                    let mut parts: Vec<(i64, Vec<(i64, i64)>)> = Vec::new();
                    for (product, qty) in &order.lines {
                        let Some((_, merchant, ..)) = variants.get(product) else { continue };
                        match parts.iter_mut().find(|(m, _)| m == merchant) {
                            Some((_, lines)) => lines.push((*product, *qty)),
                            None => parts.push((*merchant, vec![(*product, *qty)])),
                        }
                    }
                    if parts.is_empty() {
                        continue;
                    }
                    let total: i64 = order.lines.iter().filter_map(|(v, q)| variants.get(v).map(|x| x.2 * q)).sum();
                    let currency = variants[&parts[0].1[0].0].5.clone();
                    let number = format!("MM-DEM{:09}", base as usize + n + 1);
                    let order_id: i64 = sqlx::query_scalar(
                        "INSERT INTO orders (number, user_id, email, currency, status, subtotal_minor, shipping_minor,
                           discount_minor, tax_minor, total_minor, ship_name, ship_line1, ship_city, ship_postal_code,
                           ship_country, reserved_until, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, 'paid', $5, 0, 0, 0, $5, 'Demo shopper', '1 Market Street',
                           'Springfield', '12345', 'US', $6, $6, $6) RETURNING id",
                    )
                    .bind(&number)
                    .bind(order.user_id)
                    .bind(&order.email)
                    .bind(&currency)
                    .bind(total)
                    .bind(order.at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    for (merchant, lines) in &parts {
                        let subtotal: i64 = lines.iter().map(|(v, q)| variants[v].2 * q).sum();
                        let part_id: i64 = sqlx::query_scalar(
                            "INSERT INTO order_parts (order_id, merchant_id, status, shipping_speed, subtotal_minor,
                               shipping_minor, discount_minor, tax_minor, total_minor, delivered_at)
                             VALUES ($1, $2, 'delivered', 'standard', $3, 0, 0, 0, $3, $4) RETURNING id",
                        )
                        .bind(order_id)
                        .bind(*merchant)
                        .bind(subtotal)
                        .bind(order.at + 4 * 86_400)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                        for (product, qty) in lines {
                            let (variant, _, price, sku, title, _) = &variants[product];
                            let line = sqlx::query(
                                "INSERT INTO order_lines (part_id, product_id, variant_id, title, sku, unit_price_minor,
                                   quantity, line_total_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            )
                            .bind(part_id)
                            .bind(*product)
                            .bind(*variant)
                            .bind(title)
                            .bind(sku)
                            .bind(*price)
                            .bind(*qty)
                            .bind(price * qty);
                            Self::run(&mut tx, line).await?;
                        }
                    }
                    let payment = sqlx::query(
                        "INSERT INTO payments (order_id, status, currency, amount_minor, captured_minor, card_brand,
                           card_last4, gateway, created_at, updated_at)
                         VALUES ($1, 'captured', $2, $3, $3, 'visa', '4242', 'test', $4, $4)",
                    );
                    Self::run(&mut tx, payment.bind(order_id).bind(&currency).bind(total).bind(order.at)).await?;
                    written += 1;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(written)
            }
        }
    };
}
