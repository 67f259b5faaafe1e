//! Placing an order: discount codes, the variants checkout prices, and the order itself, written
//! in one transaction with its idempotency claim (`store::idempotency`).

macro_rules! orders_placing {
    ($store:ty, $db:ty) => {
        use app::domain::idempotency::IdempotencyClaim;
        use app::services::order_store::{NewOrder, OrderPlacing, OrderVariant, PlaceResult, Shortage};

        #[async_trait::async_trait]
        impl OrderPlacing for $store {
            async fn discount_code(
                &self,
                code: &str,
            ) -> Result<Option<app::domain::checkout::DiscountCode>, StoreError> {
                let row = sqlx::query(&format!("{DISCOUNT_COLUMNS} WHERE code = $1"))
                    .bind(app::domain::checkout::normalize_code(code))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                row.as_ref().map(discount_from_row).transpose()
            }

            async fn create_discount_code(
                &self,
                c: &app::domain::checkout::DiscountCode,
                now: i64,
            ) -> Result<(), StoreError> {
                use app::domain::checkout::DiscountKind;
                let fallback = || c.min_spend.map(|m| m.currency.code().to_string()).unwrap_or("USD".into());
                let (kind, value, currency) = match c.kind {
                    DiscountKind::Percent { bps } => ("percent", bps as i64, fallback()),
                    DiscountKind::Fixed { amount } => ("fixed", amount.minor, amount.currency.code().to_string()),
                    DiscountKind::FreeShipping => ("free_shipping", 0, fallback()),
                };
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                sqlx::query(
                    "INSERT INTO discount_codes (code, kind, value, currency, min_spend_minor, expires_at, usage_limit,
                        times_used, created_at, merchant_id, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(app::domain::checkout::normalize_code(&c.code))
                .bind(kind)
                .bind(value)
                .bind(currency)
                .bind(c.min_spend.map(|m| m.minor).unwrap_or(0))
                .bind(c.expires_at)
                .bind(c.usage_limit)
                .bind(c.times_used)
                .bind(now)
                .bind(c.merchant_id)
                .bind(if c.disabled { 0i64 } else { 1 })
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn variants_for_order(&self, variant_ids: &[i64]) -> Result<Vec<OrderVariant>, StoreError> {
                if variant_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT v.id AS variant_id, p.id AS product_id, m.id AS merchant_id, m.name AS merchant_name,
                        p.title AS product_title, v.title AS variant_title, v.sku, v.price_minor, p.currency, v.stock,
                        p.status AS product_status, m.status AS merchant_status
                     FROM product_variants v
                     JOIN products p ON p.id = v.product_id
                     JOIN merchants m ON m.id = p.merchant_id
                     WHERE v.id IN (",
                );
                let mut list = qb.separated(", ");
                for id in variant_ids {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                rows.iter()
                    .map(|r| {
                        let product: String = r.get("product_title");
                        let variant: String = r.get("variant_title");
                        Ok(OrderVariant {
                            variant_id: r.get("variant_id"),
                            product_id: r.get("product_id"),
                            merchant_id: r.get("merchant_id"),
                            merchant_name: r.get("merchant_name"),
                            title: if variant.is_empty() || variant == product || variant == "Default" {
                                product
                            } else {
                                format!("{product} — {variant}")
                            },
                            sku: r.get("sku"),
                            unit_price_minor: r.get("price_minor"),
                            currency: currency(r.get::<&str, _>("currency"))?,
                            stock: r.get("stock"),
                            product_status: product_status(r.get("product_status"))?,
                            merchant_status: merchant_status(r.get("merchant_status"))?,
                        })
                    })
                    .collect()
            }

            async fn place_order(&self, o: &NewOrder, claim: &IdempotencyClaim) -> Result<PlaceResult, StoreError> {
                // SQLite: with the other writes waiting, in one commit (`store::group_commit`).
                let (o, claim) = (o.clone(), claim.clone());
                let placed = self
                    .grouped(
                        move |tx| Box::pin(async move { place_in(tx, &o, &claim).await }),
                        |placed| matches!(placed, PlaceResult::Placed { .. }),
                    )
                    .await;
                // Counted once committed (`grouped` answers after the commit).
                if let Ok(PlaceResult::Placed { .. }) = &placed {
                    crate::observability::order_placed();
                }
                placed
            }
        }

        /// Claims the key, reserves the stock, writes the order. Changes nothing the caller keeps
        /// unless it answers `Placed` (the caller rolls back anything else).
        async fn place_in(
            tx: &mut sqlx::Transaction<'static, $db>,
            o: &NewOrder,
            claim: &IdempotencyClaim,
        ) -> Result<PlaceResult, StoreError> {
            match claim_key(tx, claim, None, o.now).await? {
                Claimed::New => {}
                Claimed::Repeat { order_id, outcome } => {
                    return Ok(PlaceResult::Repeat { order_id, outcome });
                }
                Claimed::Conflict => {
                    return Ok(PlaceResult::Conflict);
                }
            }

            let s = &o.ship_to;
            let order_id: i64 = sqlx::query_scalar(
                "INSERT INTO orders (number, user_id, email, currency, status, subtotal_minor, shipping_minor,
                    discount_minor, tax_minor, total_minor, ship_name, ship_line1, ship_line2, ship_city, ship_region,
                    ship_postal_code, ship_country, reserved_until, discount_code, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'awaiting_payment', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $19, $18, $18) RETURNING id",
            )
            .bind(&o.number)
            .bind(o.user_id)
            .bind(&o.email)
            .bind(o.currency.code())
            .bind(o.subtotal_minor)
            .bind(o.shipping_minor)
            .bind(o.discount_minor)
            .bind(o.tax_minor)
            .bind(o.total_minor)
            .bind(&s.name)
            .bind(&s.line1)
            .bind(&s.line2)
            .bind(&s.city)
            .bind(&s.region)
            .bind(&s.postal_code)
            .bind(&s.country)
            .bind(o.reserved_until)
            .bind(o.now)
            .bind(o.discount_code.as_deref())
            .fetch_one(&mut **tx)
            .await
            .map_err(map_sqlx)?;
            for part in &o.parts {
                let part_id: i64 = sqlx::query_scalar(
                    // The commission in force is frozen on the part (migration 0020): the store's
                    // own rate, else the marketplace's default (`domain::payouts::effective_rate`).
                    "INSERT INTO order_parts (order_id, merchant_id, status, shipping_speed, subtotal_minor,
                        shipping_minor, discount_minor, tax_minor, total_minor, commission_bps)
                     VALUES ($1, $2, 'awaiting_payment', $3, $4, $5, $6, $7, $8,
                        COALESCE((SELECT m.commission_bps FROM merchants m WHERE m.id = $2),
                                 (SELECT CAST(s.value AS BIGINT) FROM marketplace_settings s WHERE s.key = 'commission_bps'),
                                 0)) RETURNING id",
                )
                .bind(order_id)
                .bind(part.merchant_id)
                .bind(&part.shipping_speed)
                .bind(part.subtotal_minor)
                .bind(part.shipping_minor)
                .bind(part.discount_minor)
                .bind(part.tax_minor)
                .bind(part.total_minor)
                .fetch_one(&mut **tx)
                .await
                .map_err(map_sqlx)?;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO order_lines (part_id, product_id, variant_id, title, sku, unit_price_minor, quantity,
                        line_total_minor) ",
                );
                qb.push_values(&part.lines, |mut b, l| {
                    b.push_bind(part_id)
                        .push_bind(l.product_id)
                        .push_bind(l.variant_id)
                        .push_bind(l.title.as_str())
                        .push_bind(l.sku.as_str())
                        .push_bind(l.unit_price_minor)
                        .push_bind(l.quantity)
                        .push_bind(l.line_total_minor);
                });
                qb.build().execute(&mut **tx).await.map_err(map_sqlx)?;
            }
            let payment_id: i64 = sqlx::query_scalar(
                "INSERT INTO payments (order_id, status, currency, amount_minor, card_brand, card_last4, gateway,
                    created_at, updated_at)
                 VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(order_id)
            .bind(o.currency.code())
            .bind(o.total_minor)
            .bind(&o.card_brand)
            .bind(&o.card_last4)
            .bind(&o.gateway)
            .bind(o.now)
            .fetch_one(&mut **tx)
            .await
            .map_err(map_sqlx)?;
            if let Some(hash) = &o.access_key_hash {
                sqlx::query("INSERT INTO order_access_keys (key_hash, order_id, created_at) VALUES ($1, $2, $3)")
                    .bind(hash)
                    .bind(order_id)
                    .bind(o.now)
                    .execute(&mut **tx)
                    .await
                    .map_err(map_sqlx)?;
            }
            record_claim(tx, claim, Some(order_id), None).await?;
            // Reserve every line, last: a hot product's row stays locked (PostgreSQL) from its
            // update to the commit, so the rows above are written before it is taken. In variant
            // order, so two orders that share products never wait for each other in a cycle.
            // Every shortage is collected so the shopper hears about all of them.
            let mut lines: Vec<_> = o.parts.iter().flat_map(|p| &p.lines).collect();
            lines.sort_by_key(|l| l.variant_id);
            let mut short = Vec::new();
            for line in lines {
                let reserved = sqlx::query(
                    "UPDATE product_variants SET stock = stock - $1, updated_at = $3 WHERE id = $2 AND stock >= $1",
                )
                .bind(line.quantity)
                .bind(line.variant_id)
                .bind(o.now)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if reserved == 0 {
                    let available: Option<i64> = sqlx::query_scalar("SELECT stock FROM product_variants WHERE id = $1")
                        .bind(line.variant_id)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(map_sqlx)?;
                    short.push(Shortage {
                        variant_id: line.variant_id,
                        title: line.title.clone(),
                        requested: line.quantity,
                        available: available.unwrap_or(0),
                    });
                }
            }
            if !short.is_empty() {
                return Ok(PlaceResult::OutOfStock(short));
            }
            if let Some(code) = &o.discount_code {
                // Counted under the same conditions that priced it: never past the limit.
                let counted = sqlx::query(
                    "UPDATE discount_codes SET times_used = times_used + 1
                     WHERE code = $1 AND active = 1 AND (usage_limit IS NULL OR times_used < usage_limit)
                       AND (expires_at IS NULL OR expires_at > $2)",
                )
                .bind(code)
                .bind(o.now)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                if counted == 0 {
                    return Ok(PlaceResult::DiscountUnavailable);
                }
            }

            Ok(PlaceResult::Placed { order_id, payment_id })
        }
    };
}
