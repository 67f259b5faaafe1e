//! The review SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why a
//! macro). Every change to a product's reviews recomputes its `product_rating_stats` row in the
//! same transaction, from the reviews themselves, so the totals cannot drift.

/// Recomputes one product's rating totals (`$1` is the product id).
pub const REFRESH_STATS: &str =
    "INSERT INTO product_rating_stats (product_id, review_count, rating_sum, r1, r2, r3, r4, r5)
    SELECT $1, COUNT(*), COALESCE(SUM(rating), 0),
        COALESCE(SUM(CASE WHEN rating = 1 THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN rating = 2 THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN rating = 3 THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN rating = 4 THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN rating = 5 THEN 1 ELSE 0 END), 0)
    FROM product_reviews WHERE product_id = $1
    ON CONFLICT (product_id) DO UPDATE SET
        review_count = excluded.review_count, rating_sum = excluded.rating_sum,
        r1 = excluded.r1, r2 = excluded.r2, r3 = excluded.r3, r4 = excluded.r4, r5 = excluded.r5";

/// Review columns plus the author's name and whether viewer `$2` voted it helpful.
pub const REVIEW_SELECT: &str = "SELECT r.id, r.product_id, r.user_id, u.display_name AS author_name, r.rating, r.body,
        r.helpful_count, r.merchant_reply, r.replied_at, r.created_at, r.updated_at,
        (SELECT COUNT(*) FROM review_helpful_votes v WHERE v.review_id = r.id AND v.user_id = $2) AS voted,
        (SELECT COUNT(*) FROM orders o JOIN order_parts p ON p.order_id = o.id JOIN order_lines l ON l.part_id = p.id
          WHERE o.user_id = r.user_id AND o.status = 'paid' AND l.product_id = r.product_id) AS bought
    FROM product_reviews r JOIN users u ON u.id = r.user_id";

pub fn order_by(sort: app::domain::review::ReviewSort) -> &'static str {
    use app::domain::review::ReviewSort;
    match sort {
        ReviewSort::Newest => " ORDER BY r.created_at DESC, r.id DESC",
        ReviewSort::Helpful => " ORDER BY r.helpful_count DESC, r.created_at DESC, r.id DESC",
    }
}

macro_rules! impl_sql_reviews {
    ($store:ty, $db:ty) => {
        use app::domain::review::{RatingSummary, ReviewSort};
        use app::services::catalog_store::StoreError;
        use app::services::review_store::{
            HelpfulVote, ImportedReview, NewReview, ReplyOutcome, ReviewStore, StoredReview,
        };
        use sqlx::Row;
        use $crate::store::errors::{conflict_means, map_sqlx};
        use $crate::store::reviews::{REFRESH_STATS, REVIEW_SELECT, order_by};

        fn review_from(r: &<$db as sqlx::Database>::Row) -> StoredReview {
            StoredReview {
                id: r.get("id"),
                product_id: r.get("product_id"),
                user_id: r.get("user_id"),
                author_name: r.get("author_name"),
                rating: r.get("rating"),
                body: r.get("body"),
                helpful_count: r.get("helpful_count"),
                merchant_reply: r.get("merchant_reply"),
                replied_at: r.get("replied_at"),
                created_at: r.get("created_at"),
                updated_at: r.get("updated_at"),
                voted_helpful: r.get::<i64, _>("voted") > 0,
                verified_purchase: r.get::<i64, _>("bought") > 0,
            }
        }

        #[async_trait::async_trait]
        impl ReviewStore for $store {
            async fn product_merchant(&self, product_id: i64) -> Result<Option<i64>, StoreError> {
                sqlx::query_scalar(
                    "SELECT p.merchant_id FROM products p JOIN merchants m ON m.id = p.merchant_id
                     WHERE p.id = $1 AND p.status = 'published' AND m.status = 'active'",
                )
                .bind(product_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)
            }

            async fn review_merchant(&self, review_id: i64) -> Result<Option<i64>, StoreError> {
                sqlx::query_scalar(
                    "SELECT p.merchant_id FROM product_reviews r JOIN products p ON p.id = r.product_id WHERE r.id = $1",
                )
                .bind(review_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)
            }

            async fn create_review(&self, review: &NewReview, now: i64) -> Result<i64, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO product_reviews (product_id, merchant_id, user_id, rating, body, created_at, updated_at)
                     VALUES ($1, (SELECT merchant_id FROM products WHERE id = $1), $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(review.product_id)
                .bind(review.user_id)
                .bind(review.rating)
                .bind(&review.body)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_means(e, "You have already reviewed this product."))?;
                sqlx::query(REFRESH_STATS).bind(review.product_id).execute(&mut *tx).await.map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(id)
            }

            async fn update_review(&self, review: &NewReview, now: i64) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let done = sqlx::query(
                    "UPDATE product_reviews SET rating = $1, body = $2, updated_at = $3
                     WHERE product_id = $4 AND user_id = $5",
                )
                .bind(review.rating)
                .bind(&review.body)
                .bind(now)
                .bind(review.product_id)
                .bind(review.user_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                sqlx::query(REFRESH_STATS).bind(review.product_id).execute(&mut *tx).await.map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(true)
            }

            async fn import_reviews(&self, reviews: &[ImportedReview]) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let mut products = std::collections::BTreeSet::new();
                for imported in reviews {
                    let r = &imported.review;
                    let (reply, replied_at) = match &imported.merchant_reply {
                        Some((text, at)) => (Some(text.as_str()), Some(*at)),
                        None => (None, None),
                    };
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO product_reviews (product_id, merchant_id, user_id, rating, body, helpful_count,
                             merchant_reply, replied_at, created_at, updated_at)
                         VALUES ($1, (SELECT merchant_id FROM products WHERE id = $1), $2, $3, $4, $5, $6, $7, $8, $8)
                         RETURNING id",
                    )
                    .bind(r.product_id)
                    .bind(r.user_id)
                    .bind(r.rating)
                    .bind(&r.body)
                    .bind(imported.helpful_voters.len() as i64)
                    .bind(reply)
                    .bind(replied_at)
                    .bind(imported.created_at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    for voter in &imported.helpful_voters {
                        sqlx::query("INSERT INTO review_helpful_votes (review_id, user_id) VALUES ($1, $2)")
                            .bind(id)
                            .bind(voter)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                    }
                    products.insert(r.product_id);
                }
                for product in products {
                    sqlx::query(REFRESH_STATS).bind(product).execute(&mut *tx).await.map_err(map_sqlx)?;
                }
                tx.commit().await.map_err(map_sqlx)
            }

            async fn review_by_author(&self, product_id: i64, user_id: i64) -> Result<Option<StoredReview>, StoreError> {
                let sql = format!("{REVIEW_SELECT} WHERE r.product_id = $1 AND r.user_id = $2");
                let row = sqlx::query(&sql)
                    .bind(product_id)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(row.as_ref().map(review_from))
            }

            async fn list_reviews(
                &self,
                product_id: i64,
                sort: ReviewSort,
                offset: i64,
                limit: i64,
                viewer: Option<i64>,
            ) -> Result<Vec<StoredReview>, StoreError> {
                let sql = format!("{REVIEW_SELECT} WHERE r.product_id = $1{} LIMIT $3 OFFSET $4", order_by(sort));
                let rows = sqlx::query(&sql)
                    .bind(product_id)
                    // No user has id 0, so a visitor has voted on nothing.
                    .bind(viewer.unwrap_or(0))
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(rows.iter().map(review_from).collect())
            }

            async fn rating_summary(&self, product_id: i64) -> Result<RatingSummary, StoreError> {
                let row = sqlx::query(
                    "SELECT review_count, rating_sum, r1, r2, r3, r4, r5 FROM product_rating_stats WHERE product_id = $1",
                )
                .bind(product_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(row
                    .map(|r| RatingSummary {
                        count: r.get("review_count"),
                        sum: r.get("rating_sum"),
                        distribution: [r.get("r1"), r.get("r2"), r.get("r3"), r.get("r4"), r.get("r5")],
                    })
                    .unwrap_or_default())
            }

            async fn vote_helpful(&self, review_id: i64, user_id: i64) -> Result<HelpfulVote, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let author: Option<i64> = sqlx::query_scalar("SELECT user_id FROM product_reviews WHERE id = $1")
                    .bind(review_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                match author {
                    None => return Ok(HelpfulVote::NoSuchReview),
                    Some(a) if a == user_id => return Ok(HelpfulVote::OwnReview),
                    Some(_) => {}
                }
                let added = sqlx::query(
                    "INSERT INTO review_helpful_votes (review_id, user_id) VALUES ($1, $2)
                     ON CONFLICT (review_id, user_id) DO NOTHING",
                )
                .bind(review_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if added.rows_affected() == 0 {
                    return Ok(HelpfulVote::AlreadyVoted);
                }
                sqlx::query("UPDATE product_reviews SET helpful_count = helpful_count + 1 WHERE id = $1")
                    .bind(review_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(HelpfulVote::Counted)
            }

            async fn reply(
                &self,
                review_id: i64,
                merchant_id: i64,
                reply: &str,
                now: i64,
            ) -> Result<ReplyOutcome, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let existing: Option<Option<String>> = sqlx::query_scalar(
                    "SELECT r.merchant_reply FROM product_reviews r JOIN products p ON p.id = r.product_id
                     WHERE r.id = $1 AND p.merchant_id = $2",
                )
                .bind(review_id)
                .bind(merchant_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                match existing {
                    None => return Ok(ReplyOutcome::NotFound),
                    Some(Some(_)) => return Ok(ReplyOutcome::AlreadyReplied),
                    Some(None) => {}
                }
                // The condition repeats the check, so two replies racing cannot both land.
                let done = sqlx::query(
                    "UPDATE product_reviews SET merchant_reply = $1, replied_at = $2
                     WHERE id = $3 AND merchant_reply IS NULL",
                )
                .bind(reply)
                .bind(now)
                .bind(review_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(if done.rows_affected() == 1 { ReplyOutcome::Saved } else { ReplyOutcome::AlreadyReplied })
            }
        }
    };
}
