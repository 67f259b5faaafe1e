//! The account SQL that SQLite and PostgreSQL share, written once (see `store/mod.rs` for why a
//! macro). Booleans are stored as 0/1 integers so both engines decode them the same way.

/// Failures older than this no longer count towards a lock.
pub const FAILURE_MEMORY_SECS: i64 = 24 * 3600;

/// The claim: one conditional upsert. In `DO UPDATE`, `login_failures.*` are the row's values
/// before this attempt, so "stale" and "open" describe the state the attempt found. Binds:
/// $1 key, $2 now, $3 stale before, $4 free, $5 doublings, $6 max lock, $7 first lock,
/// $8 the lock a first attempt earns. The lock formula is `ThrottlePolicy::lock_after` in SQL.
pub fn claim_sql() -> String {
    let stale = "login_failures.updated_at < $3";
    let open = format!("({stale} OR login_failures.locked_until <= $2)");
    let count = format!("(CASE WHEN {stale} THEN 1 ELSE login_failures.failures + 1 END)");
    let lock = format!(
        "(CASE WHEN {count} < $4 THEN 0 WHEN {count} - $4 >= $5 THEN $6 ELSE $7 << CAST({count} - $4 AS INTEGER) END)"
    );
    format!(
        "INSERT INTO login_failures (key, failures, locked_until, updated_at, admitted) VALUES ($1, 1, $8, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           failures = {count},
           admitted = CASE WHEN {open} THEN 1 ELSE 0 END,
           locked_until = CASE WHEN {open} THEN $2 + {lock} ELSE login_failures.locked_until END,
           updated_at = $2
         RETURNING failures, locked_until, admitted"
    )
}

macro_rules! impl_sql_accounts {
    ($store:ty, $db:ty) => {
        use app::domain::account::{MerchantStatus, StoreMembership, StoreRole, lockout_after};
        use app::domain::address::{Address, AddressInput};
        use app::services::account_store::{
            AccountStore, Claim, MerchantSummary, NewUser, SessionRecord, ThrottlePolicy, UserRecord,
        };
        use app::services::catalog_store::StoreError;
        use sqlx::Row;
        use $crate::store::errors::{conflict_means, map_sqlx, unknown};
        use app::services::clock;
        use $crate::store::accounts::FAILURE_MEMORY_SECS;
        use $crate::store::statements::Statement;

        const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.password_hash, u.is_admin, u.email_verified_at";

        fn user_from(r: &<$db as sqlx::Database>::Row) -> UserRecord {
            UserRecord {
                id: r.get("id"),
                email: r.get("email"),
                display_name: r.get("display_name"),
                password_hash: r.get("password_hash"),
                is_admin: r.get::<i64, _>("is_admin") == 1,
                email_verified: r.get::<Option<i64>, _>("email_verified_at").is_some(),
            }
        }

        fn merchant_status(raw: &str) -> Result<MerchantStatus, StoreError> {
            MerchantStatus::parse(raw).ok_or_else(|| unknown("store status", raw))
        }

        fn address_from(r: &<$db as sqlx::Database>::Row) -> Address {
            Address {
                id: r.get("id"),
                fields: AddressInput {
                    name: r.get("name"),
                    line1: r.get("line1"),
                    line2: r.get("line2"),
                    city: r.get("city"),
                    region: r.get("region"),
                    postal_code: r.get("postal_code"),
                    country: r.get("country"),
                    phone: r.get("phone"),
                },
            }
        }

        /// The address's fields bound as the statement's next eight arguments, in the order of
        /// the table's columns.
        fn bind_address<'q>(statement: Statement<'q, $db>, a: &'q AddressInput) -> Statement<'q, $db> {
            statement
                .bind(&a.name)
                .bind(&a.line1)
                .bind(&a.line2)
                .bind(&a.city)
                .bind(&a.region)
                .bind(&a.postal_code)
                .bind(&a.country)
                .bind(&a.phone)
        }

        #[async_trait::async_trait]
        impl AccountStore for $store {
            async fn create_user(&self, u: &NewUser) -> Result<i64, StoreError> {
                let now = clock::now();
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let id = sqlx::query_scalar(
                    "INSERT INTO users (email, display_name, password_hash, is_admin, created_at, updated_at, email_verified_at)
                     VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
                )
                .bind(&u.email)
                .bind(&u.display_name)
                .bind(&u.password_hash)
                .bind(i64::from(u.is_admin))
                .bind(now)
                .bind(u.email_verified.then_some(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_means(e, "An account with this email already exists."))?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(id)
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1");
                let row = sqlx::query(&sql).bind(email).fetch_optional(&self.pool).await.map_err(map_sqlx)?;
                Ok(row.as_ref().map(user_from))
            }

            async fn set_password(&self, user_id: i64, hash: &str, keep: Option<&str>) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let password = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3");
                Self::run(&mut tx, password.bind(hash).bind(clock::now()).bind(user_id)).await?;
                let others = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2");
                Self::run(&mut tx, others.bind(user_id).bind(keep.unwrap_or(""))).await?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn create_password_reset(
                &self,
                token_hash: &str,
                user_id: i64,
                expires_at: i64,
                now: i64,
            ) -> Result<(), StoreError> {
                let insert = sqlx::query(
                    "INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
                );
                self.write_one(insert.bind(token_hash).bind(user_id).bind(expires_at).bind(now)).await.map(drop)
            }

            async fn password_reset_open(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(open.is_some())
            }

            async fn use_password_reset(
                &self,
                token_hash: &str,
                hash: &str,
                now: i64,
            ) -> Result<Option<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // Claimed by a conditional update: two uses of one link cannot both pass.
                let claim = sqlx::query(
                    "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
                );
                if Self::run(&mut tx, claim.bind(now).bind(token_hash)).await? != 1 {
                    return Ok(None);
                }
                let user_id: i64 = sqlx::query_scalar("SELECT user_id FROM password_resets WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                let password = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3");
                Self::run(&mut tx, password.bind(hash).bind(now).bind(user_id)).await?;
                // Whoever knew the old password is signed out everywhere, and older links die.
                Self::run(&mut tx, sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id)).await?;
                let others = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL");
                Self::run(&mut tx, others.bind(now).bind(user_id)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Some(user_id))
            }

            async fn create_email_verification(
                &self,
                token_hash: &str,
                user_id: i64,
                expires_at: i64,
                now: i64,
            ) -> Result<(), StoreError> {
                let insert = sqlx::query(
                    "INSERT INTO email_verifications (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
                );
                self.write_one(insert.bind(token_hash).bind(user_id).bind(expires_at).bind(now)).await.map(drop)
            }

            async fn use_email_verification(&self, token_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // Claimed by a conditional update, as password resets are: one use per link.
                let user_id: Option<i64> = sqlx::query_scalar(
                    "UPDATE email_verifications SET used_at = $1
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
                )
                .bind(now)
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                let Some(user_id) = user_id else { return Ok(None) };
                let verified =
                    sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL");
                Self::run(&mut tx, verified.bind(now).bind(user_id)).await?;
                let others = sqlx::query("UPDATE email_verifications SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL");
                Self::run(&mut tx, others.bind(now).bind(user_id)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Some(user_id))
            }

            async fn create_session(&self, token_hash: &str, user_id: i64, now: i64) -> Result<(), StoreError> {
                let insert =
                    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)");
                self.write_one(insert.bind(token_hash).bind(user_id).bind(now)).await.map(drop)
            }

            async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
                let sql = format!(
                    "SELECT s.token_hash, s.created_at, s.last_seen_at, {USER_COLUMNS}
                     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
                );
                let row = sqlx::query(&sql).bind(token_hash).fetch_optional(&self.pool).await.map_err(map_sqlx)?;
                Ok(row.map(|r| SessionRecord {
                    token_hash: r.get("token_hash"),
                    created_at: r.get("created_at"),
                    last_seen_at: r.get("last_seen_at"),
                    user: user_from(&r),
                }))
            }

            async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
                let touch = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2");
                self.execute(touch.bind(now).bind(token_hash)).await.map(drop)
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
                self.execute(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await.map(drop)
            }

            async fn delete_expired_sessions(&self, idle_before: i64, created_before: i64) -> Result<u64, StoreError> {
                let expired = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2");
                self.execute(expired.bind(idle_before).bind(created_before)).await
            }

            async fn login_failures(&self, keys: &[String]) -> Result<Vec<(String, i64, i64)>, StoreError> {
                let mut out = Vec::new();
                let cutoff = clock::now() - FAILURE_MEMORY_SECS;
                for key in keys {
                    let row = sqlx::query("SELECT failures, locked_until FROM login_failures WHERE key = $1 AND updated_at >= $2")
                        .bind(key)
                        .bind(cutoff)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                    if let Some(r) = row {
                        out.push((key.clone(), r.get(0), r.get(1)));
                    }
                }
                Ok(out)
            }

            async fn record_login_failure(&self, keys: &[String], now: i64) -> Result<i64, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let mut longest = 0;
                for key in keys {
                    let failures: i64 = sqlx::query_scalar(
                        "INSERT INTO login_failures (key, failures, locked_until, updated_at) VALUES ($1, 1, 0, $2)
                         ON CONFLICT (key) DO UPDATE SET
                           failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END,
                           updated_at = $2
                         RETURNING failures",
                    )
                    .bind(key)
                    .bind(now)
                    .bind(now - FAILURE_MEMORY_SECS)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                    let until = now + lockout_after(failures);
                    let lock = sqlx::query("UPDATE login_failures SET locked_until = $1 WHERE key = $2");
                    Self::run(&mut tx, lock.bind(until).bind(key)).await?;
                    longest = longest.max(until);
                }
                tx.commit().await.map_err(map_sqlx)?;
                Ok(longest)
            }

            async fn clear_login_failures(&self, keys: &[String]) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                for key in keys {
                    Self::run(&mut tx, sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key)).await?;
                }
                tx.commit().await.map_err(map_sqlx)
            }

            async fn claim_attempt(&self, key: &str, policy: &ThrottlePolicy, now: i64) -> Result<Claim, StoreError> {
                static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                let sql = SQL.get_or_init($crate::store::accounts::claim_sql);
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let row = sqlx::query(sql)
                    .bind(key)
                    .bind(now)
                    .bind(now - policy.memory_secs)
                    .bind(policy.free)
                    .bind(policy.doublings())
                    .bind(policy.max_lock_secs)
                    .bind(policy.first_lock_secs)
                    .bind(now + policy.lock_after(1))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Claim {
                    attempts: row.get(0),
                    locked_until: row.get(1),
                    admitted: row.get::<i64, _>(2) == 1,
                })
            }

            async fn release_attempt(&self, key: &str, policy: &ThrottlePolicy, now: i64) -> Result<(), StoreError> {
                let release = sqlx::query(
                    "UPDATE login_failures SET
                       failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,
                       locked_until = CASE WHEN failures - 1 < $2 AND locked_until > $3 THEN $3 ELSE locked_until END
                     WHERE key = $1",
                );
                self.write_one(release.bind(key).bind(policy.free).bind(now)).await.map(drop)
            }

            async fn membership(&self, user_id: i64) -> Result<Option<StoreMembership>, StoreError> {
                let row = sqlx::query(
                    "SELECT m.id, m.name, m.slug, m.status, mm.role FROM merchant_members mm
                     JOIN merchants m ON m.id = mm.merchant_id WHERE mm.user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_sqlx)?;
                row.map(|r| {
                    Ok(StoreMembership {
                        merchant_id: r.get("id"),
                        merchant_name: r.get("name"),
                        merchant_slug: r.get("slug"),
                        merchant_status: merchant_status(r.get("status"))?,
                        role: StoreRole::parse(r.get::<&str, _>("role")).unwrap_or(StoreRole::Staff),
                    })
                })
                .transpose()
            }

            async fn open_store(&self, user_id: i64, slug: &str, name: &str, description: &str) -> Result<i64, StoreError> {
                let now = clock::now();
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let taken: Option<i64> = sqlx::query_scalar("SELECT merchant_id FROM merchant_members WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                if taken.is_some() {
                    return Err(StoreError::Conflict("Your account already belongs to a store.".into()));
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO merchants (slug, name, description, status, created_at) VALUES ($1, $2, $3, 'pending', $4) RETURNING id",
                )
                .bind(slug)
                .bind(name)
                .bind(description)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_means(e, "A store with this name already exists; choose another name."))?;
                sqlx::query("INSERT INTO merchant_members (merchant_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                    .bind(id)
                    .bind(user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(id)
            }

            async fn add_store_member(&self, merchant_id: i64, user_id: i64, role: StoreRole) -> Result<(), StoreError> {
                let insert =
                    sqlx::query("INSERT INTO merchant_members (merchant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)");
                self.write_one(insert.bind(merchant_id).bind(user_id).bind(role.as_str()).bind(clock::now())).await.map(drop)
            }

            async fn merchants(&self, with_product_counts: bool) -> Result<Vec<MerchantSummary>, StoreError> {
                let rows = sqlx::query(
                    "SELECT m.id, m.slug, m.name, m.status,
                        (SELECT u.email FROM merchant_members mm JOIN users u ON u.id = mm.user_id
                          WHERE mm.merchant_id = m.id AND mm.role = 'owner' ORDER BY u.id LIMIT 1) AS owner_email,
                        CAST(CASE WHEN $1 = 1 THEN (SELECT COUNT(*) FROM products p WHERE p.merchant_id = m.id) ELSE 0 END
                             AS BIGINT) AS product_count
                     FROM merchants m ORDER BY CASE m.status WHEN 'pending' THEN 0 ELSE 1 END, m.name",
                )
                .bind(i64::from(with_product_counts))
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                rows.iter()
                    .map(|r| {
                        let status: &str = r.get("status");
                        Ok(MerchantSummary {
                            id: r.get("id"),
                            slug: r.get("slug"),
                            name: r.get("name"),
                            status: merchant_status(status)?,
                            owner_email: r.get("owner_email"),
                            product_count: r.get("product_count"),
                        })
                    })
                    .collect()
            }

            async fn set_merchant_status(&self, merchant_id: i64, status: MerchantStatus) -> Result<bool, StoreError> {
                let update = sqlx::query("UPDATE merchants SET status = $1 WHERE id = $2");
                Ok(self.write_one(update.bind(status.as_str()).bind(merchant_id)).await? == 1)
            }

            async fn addresses(&self, user_id: i64) -> Result<Vec<Address>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, name, line1, line2, city, region, postal_code, country, phone
                     FROM addresses WHERE user_id = $1 ORDER BY id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(rows.iter().map(address_from).collect())
            }

            async fn add_address(&self, user_id: i64, a: &AddressInput) -> Result<i64, StoreError> {
                let insert = sqlx::query(
                    "INSERT INTO addresses (user_id, name, line1, line2, city, region, postal_code, country, phone, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                );
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let row = bind_address(insert.bind(user_id), a).bind(clock::now()).fetch_one(&mut *tx).await.map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(row.get(0))
            }

            async fn update_address(&self, user_id: i64, id: i64, a: &AddressInput) -> Result<bool, StoreError> {
                let update = sqlx::query(
                    "UPDATE addresses SET name = $1, line1 = $2, line2 = $3, city = $4, region = $5, postal_code = $6,
                       country = $7, phone = $8, updated_at = $9 WHERE id = $10 AND user_id = $11",
                );
                Ok(self.write_one(bind_address(update, a).bind(clock::now()).bind(id).bind(user_id)).await? == 1)
            }

            async fn delete_address(&self, user_id: i64, id: i64) -> Result<bool, StoreError> {
                let delete = sqlx::query("DELETE FROM addresses WHERE id = $1 AND user_id = $2");
                Ok(self.write_one(delete.bind(id).bind(user_id)).await? == 1)
            }
        }
    };
}
