//! A store's members and staff invitations, written once for both engines (see `store/mod.rs`).
//! Accepting an invitation claims it with a conditional update, so one link admits one person
//! even when it is pressed twice at once; everything an acceptance changes commits together.

macro_rules! impl_sql_staff {
    ($store:ty, $db:ty) => {
        use app::domain::account::StoreRole;
        use app::domain::staff::{ALREADY_IN_STORE, Member, OpenInvitation, PendingInvitation};
        use app::services::catalog_store::StoreError;
        use app::services::staff_store::{InvitedSignUp, NewInvitation, StaffStore};
        use sqlx::Row;
        use $crate::store::errors::{conflict_means, map_sqlx, unknown};

        /// The claim every acceptance starts with: pending, unexpired, and (when `$3` is not
        /// empty) for that address. Binds: $1 now, $2 token hash, $3 email or ''.
        const CLAIM: &str = "UPDATE staff_invitations SET accepted_at = $1
             WHERE token_hash = $2 AND accepted_at IS NULL AND expires_at > $1 AND ($3 = '' OR email = $3)
             RETURNING merchant_id, email";

        impl $store {
            /// Claims the invitation inside `tx`: its (store, address), or None when the link does
            /// not work (any more).
            async fn claim_invitation(
                tx: &mut sqlx::Transaction<'static, $db>,
                token_hash: &str,
                email: &str,
                now: i64,
            ) -> Result<Option<(i64, String)>, StoreError> {
                let row = sqlx::query(CLAIM)
                    .bind(now)
                    .bind(token_hash)
                    .bind(email)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(map_sqlx)?;
                Ok(row.map(|r| (r.get("merchant_id"), r.get("email"))))
            }

            /// Adds the user to the store as staff inside `tx`; Conflict when they already
            /// belong to a store (one store per account).
            async fn join_as_staff(
                tx: &mut sqlx::Transaction<'static, $db>,
                merchant_id: i64,
                user_id: i64,
                now: i64,
            ) -> Result<(), StoreError> {
                let taken: Option<i64> = sqlx::query_scalar("SELECT merchant_id FROM merchant_members WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(map_sqlx)?;
                if taken.is_some() {
                    return Err(StoreError::Conflict(ALREADY_IN_STORE.into()));
                }
                sqlx::query("INSERT INTO merchant_members (merchant_id, user_id, role, created_at) VALUES ($1, $2, 'staff', $3)")
                    .bind(merchant_id)
                    .bind(user_id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    // Two acceptances by one account at once: the unique user_id decides.
                    .map_err(|e| conflict_means(e, ALREADY_IN_STORE))?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl StaffStore for $store {
            async fn members(&self, merchant_id: i64) -> Result<Vec<Member>, StoreError> {
                let rows = self
                    .rows(
                        sqlx::query(
                            "SELECT u.id, u.display_name, u.email, mm.role FROM merchant_members mm
                             JOIN users u ON u.id = mm.user_id WHERE mm.merchant_id = $1
                             ORDER BY CASE mm.role WHEN 'owner' THEN 0 ELSE 1 END, u.display_name, u.id",
                        )
                        .bind(merchant_id),
                    )
                    .await?;
                rows.iter()
                    .map(|r| {
                        let role: &str = r.get("role");
                        Ok(Member {
                            user_id: r.get("id"),
                            display_name: r.get("display_name"),
                            email: r.get("email"),
                            role: StoreRole::parse(role).ok_or_else(|| unknown("store role", role))?,
                        })
                    })
                    .collect()
            }

            async fn pending_invitations(&self, merchant_id: i64, now: i64) -> Result<Vec<PendingInvitation>, StoreError> {
                let rows = self
                    .rows(
                        sqlx::query(
                            "SELECT id, email, expires_at FROM staff_invitations
                             WHERE merchant_id = $1 AND accepted_at IS NULL ORDER BY created_at DESC, id DESC",
                        )
                        .bind(merchant_id),
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| {
                        let expires_at: i64 = r.get("expires_at");
                        PendingInvitation { id: r.get("id"), email: r.get("email"), expires_at, expired: expires_at <= now }
                    })
                    .collect())
            }

            async fn upsert_invitation(&self, i: &NewInvitation<'_>) -> Result<(), StoreError> {
                // The partial unique index (one pending invitation per store and address) is the
                // conflict target: inviting again replaces the token and the expiry in place.
                let upsert = sqlx::query(
                    "INSERT INTO staff_invitations (merchant_id, email, token_hash, invited_by, expires_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (merchant_id, email) WHERE accepted_at IS NULL DO UPDATE SET
                       token_hash = excluded.token_hash, invited_by = excluded.invited_by,
                       expires_at = excluded.expires_at, created_at = excluded.created_at",
                );
                let bound =
                    upsert.bind(i.merchant_id).bind(i.email).bind(i.token_hash).bind(i.invited_by).bind(i.expires_at).bind(i.now);
                self.write_one(bound).await.map(drop)
            }

            async fn revoke_invitation(&self, merchant_id: i64, invitation_id: i64) -> Result<bool, StoreError> {
                let delete = sqlx::query(
                    "DELETE FROM staff_invitations WHERE id = $1 AND merchant_id = $2 AND accepted_at IS NULL",
                );
                Ok(self.write_one(delete.bind(invitation_id).bind(merchant_id)).await? == 1)
            }

            async fn remove_staff(&self, merchant_id: i64, user_id: i64) -> Result<bool, StoreError> {
                // The role is part of the condition: an owner is never removed here, whatever asks.
                let delete =
                    sqlx::query("DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2 AND role = 'staff'");
                Ok(self.write_one(delete.bind(merchant_id).bind(user_id)).await? == 1)
            }

            async fn open_invitation(&self, token_hash: &str, now: i64) -> Result<Option<OpenInvitation>, StoreError> {
                let row = self
                    .find(
                        sqlx::query(
                            "SELECT i.merchant_id, i.email, m.name FROM staff_invitations i JOIN merchants m ON m.id = i.merchant_id
                             WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2",
                        )
                        .bind(token_hash)
                        .bind(now),
                    )
                    .await?;
                Ok(row.map(|r| OpenInvitation {
                    merchant_id: r.get("merchant_id"),
                    store_name: r.get("name"),
                    email: r.get("email"),
                }))
            }

            async fn accept_invitation(
                &self,
                token_hash: &str,
                user_id: i64,
                email: &str,
                now: i64,
            ) -> Result<Option<i64>, StoreError> {
                if email.is_empty() {
                    return Ok(None);
                }
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some((merchant_id, _)) = Self::claim_invitation(&mut tx, token_hash, email, now).await? else {
                    return Ok(None);
                };
                Self::join_as_staff(&mut tx, merchant_id, user_id, now).await?;
                // The link reached this address: it is verified now, if it was not yet.
                let verified =
                    sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL");
                Self::run(&mut tx, verified.bind(now).bind(user_id)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Some(merchant_id))
            }

            async fn accept_invitation_signing_up(&self, s: &InvitedSignUp<'_>) -> Result<Option<(i64, i64)>, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let Some((merchant_id, email)) = Self::claim_invitation(&mut tx, s.token_hash, "", s.now).await? else {
                    return Ok(None);
                };
                let user_id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (email, display_name, password_hash, is_admin, created_at, updated_at, email_verified_at)
                     VALUES ($1, $2, $3, 0, $4, $4, $4) RETURNING id",
                )
                .bind(&email)
                .bind(s.display_name)
                .bind(s.password_hash)
                .bind(s.now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| {
                    conflict_means(e, "An account with this e-mail address already exists: sign in, then open the link again.")
                })?;
                Self::join_as_staff(&mut tx, merchant_id, user_id, s.now).await?;
                let session =
                    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)");
                Self::run(&mut tx, session.bind(s.session_hash).bind(user_id).bind(s.now)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(Some((user_id, merchant_id)))
            }
        }
    };
}
