//! The product image SQL (the `ProductImageStore` port), shared by SQLite and PostgreSQL through
//! one macro like `inventory`.
//!
//! Positions stay 0, 1, 2… without gaps (cards show position 0). `UNIQUE (product_id, position)`
//! is checked row by row on PostgreSQL, so a swap parks one row at -1 first and a removal shifts
//! the later rows through negative positions instead of decrementing them in place. Each write
//! starts with a no-op update of the product row scoped to the store: it proves the product is the
//! store's and, on PostgreSQL, locks it so concurrent appends to one product queue up (SQLite's
//! `BEGIN IMMEDIATE` already serialises writers).

/// Proves (and locks) store `$2`'s product `$1`.
pub const LOCK_PRODUCT: &str = "UPDATE products SET updated_at = updated_at WHERE id = $1 AND merchant_id = $2";

pub const IMAGES: &str = "SELECT id, position, url, alt, width, height, bytes FROM product_images
    WHERE product_id = $1 ORDER BY position, id";

macro_rules! impl_sql_product_images {
    ($store:ty, $db:ty) => {
        use app::domain::product_image::{Move, ProductImages, swap_target};
        use app::services::catalog_store::StoreError;
        use app::services::product_image_store::{
            AddOutcome, NewProductImage, ProductImageStore, Removed, admin_image,
        };
        use sqlx::Row;
        use $crate::store::errors::map_sqlx;
        use $crate::store::product_images::{IMAGES, LOCK_PRODUCT};

        async fn lock_product(
            tx: &mut sqlx::Transaction<'static, $db>,
            merchant_id: i64,
            product_id: i64,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(LOCK_PRODUCT)
                .bind(product_id)
                .bind(merchant_id)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?;
            Ok(done.rows_affected() == 1)
        }

        /// The image's position, if it belongs to the product.
        async fn position_of(
            tx: &mut sqlx::Transaction<'static, $db>,
            product_id: i64,
            image_id: i64,
        ) -> Result<Option<i64>, StoreError> {
            sqlx::query_scalar("SELECT position FROM product_images WHERE id = $1 AND product_id = $2")
                .bind(image_id)
                .bind(product_id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_sqlx)
        }

        #[async_trait::async_trait]
        impl ProductImageStore for $store {
            async fn product_images(&self, product_id: i64) -> Result<Option<ProductImages>, StoreError> {
                let head = sqlx::query("SELECT merchant_id, title FROM products WHERE id = $1")
                    .bind(product_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                let Some(head) = head else { return Ok(None) };
                let images = sqlx::query(IMAGES)
                    .bind(product_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                    .iter()
                    .map(|r| {
                        admin_image(
                            r.get("id"),
                            r.get("position"),
                            r.get("url"),
                            r.get("alt"),
                            r.get("width"),
                            r.get("height"),
                            r.get("bytes"),
                        )
                    })
                    .collect();
                Ok(Some(ProductImages {
                    product_id,
                    merchant_id: head.get("merchant_id"),
                    title: head.get("title"),
                    images,
                }))
            }

            async fn add_images(
                &self,
                merchant_id: i64,
                product_id: i64,
                images: &[NewProductImage],
                max: usize,
            ) -> Result<AddOutcome, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if !lock_product(&mut tx, merchant_id, product_id).await? {
                    return Ok(AddOutcome::NotFound);
                }
                let (count, last): (i64, Option<i64>) =
                    sqlx::query_as("SELECT COUNT(*), MAX(position) FROM product_images WHERE product_id = $1")
                        .bind(product_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                if count as usize + images.len() > max {
                    return Ok(AddOutcome::Full { has: count as usize });
                }
                let mut next = last.map_or(0, |p| p + 1);
                let mut ids = Vec::with_capacity(images.len());
                for img in images {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO product_images (product_id, position, url, alt, width, height, bytes, content_hash)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(product_id)
                    .bind(next)
                    .bind(&img.url)
                    .bind(&img.alt)
                    .bind(img.width)
                    .bind(img.height)
                    .bind(img.bytes)
                    .bind(&img.content_hash)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    ids.push(id);
                    next += 1;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(AddOutcome::Added(ids))
            }

            async fn move_image(
                &self,
                merchant_id: i64,
                product_id: i64,
                image_id: i64,
                to: Move,
            ) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if !lock_product(&mut tx, merchant_id, product_id).await? {
                    return Ok(false);
                }
                let Some(from) = position_of(&mut tx, product_id, image_id).await? else { return Ok(false) };
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
                    .bind(product_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                let Some(target) = swap_target(from, count, to) else { return Ok(true) };
                let set = "UPDATE product_images SET position = $1 WHERE product_id = $2 AND position = $3";
                for (new, old) in [(-1, from), (from, target), (target, -1)] {
                    sqlx::query(set).bind(new).bind(product_id).bind(old).execute(&mut *tx).await.map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(true)
            }

            async fn set_alt(
                &self,
                merchant_id: i64,
                product_id: i64,
                image_id: i64,
                alt: &str,
            ) -> Result<bool, StoreError> {
                let update = sqlx::query(
                    "UPDATE product_images SET alt = $1 WHERE id = $2 AND product_id = $3
                       AND product_id IN (SELECT id FROM products WHERE merchant_id = $4)",
                );
                Ok(self.execute(update.bind(alt).bind(image_id).bind(product_id).bind(merchant_id)).await? == 1)
            }

            async fn remove_image(
                &self,
                merchant_id: i64,
                product_id: i64,
                image_id: i64,
            ) -> Result<Option<Removed>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                if !lock_product(&mut tx, merchant_id, product_id).await? {
                    return Ok(None);
                }
                let row: Option<(i64, String)> =
                    sqlx::query_as("DELETE FROM product_images WHERE id = $1 AND product_id = $2 RETURNING position, url")
                        .bind(image_id)
                        .bind(product_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                let Some((position, url)) = row else { return Ok(None) };
                // Close the gap through negative positions (distinct, so no clash midway).
                sqlx::query("UPDATE product_images SET position = -position WHERE product_id = $1 AND position > $2")
                    .bind(product_id)
                    .bind(position)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                sqlx::query("UPDATE product_images SET position = -position - 1 WHERE product_id = $1 AND position < 0")
                    .bind(product_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE url = $1")
                    .bind(&url)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Some(Removed { url, still_used: others > 0 }))
            }

            async fn url_in_use(&self, url: &str) -> Result<bool, StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE url = $1")
                    .bind(url)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(n > 0)
            }
        }
    };
}
