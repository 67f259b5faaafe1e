//! The keys that open a guest's order (hashed; the key itself is never stored).

macro_rules! orders_access {
    ($store:ty, $db:ty) => {
        use app::services::order_store::OrderAccessKeys;

        #[async_trait::async_trait]
        impl OrderAccessKeys for $store {
            async fn add_access_key(&self, order_id: i64, key_hash: &str, now: i64) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // Only a guest's order takes keys: a signed-in shopper's opens with their account.
                let added = sqlx::query(
                    "INSERT INTO order_access_keys (key_hash, order_id, created_at)
                     SELECT $1, id, $3 FROM orders WHERE id = $2 AND user_id IS NULL",
                )
                .bind(key_hash)
                .bind(order_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                tx.commit().await.map_err(map_sqlx)?;
                Ok(added == 1)
            }

            async fn guest_key_opens(&self, number: &str, key_hash: &str) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT o.id FROM order_access_keys k JOIN orders o ON o.id = k.order_id
                     WHERE k.key_hash = $1 AND o.number = $2 AND o.user_id IS NULL",
                )
                .bind(key_hash)
                .bind(number)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(found.is_some())
            }
        }
    };
}
