//! Order and payment SQL shared by SQLite and PostgreSQL, written once (see `sql_catalog`).
//! Stock is reserved with `UPDATE … SET stock = stock - n WHERE id = ? AND stock >= n`: on
//! PostgreSQL a concurrent checkout waits for the row lock and re-checks the condition; on SQLite
//! writers are serialised by `BEGIN IMMEDIATE`. Either way stock can never go negative.

macro_rules! impl_sql_orders {
    ($store:ty, $db:ty) => {
        use app::services::catalog_store::StoreError;
        use app::services::order_store::{
            IdempotencyClaim, NewOrder, OrderStore, OrderVariant, PaymentRecorded, PaymentReversal, PaymentUpdate,
            PlaceResult, Shortage,
        };
        use sqlx::{QueryBuilder, Row};
        use $crate::store::errors::map_sqlx;

        impl_idempotency_keys!($db);

        #[async_trait::async_trait]
        impl OrderStore for $store {
            async fn discount_code(
                &self,
                code: &str,
            ) -> Result<Option<app::domain::checkout::DiscountCode>, StoreError> {
                use app::domain::checkout::{DiscountCode, DiscountKind};
                use app::domain::money::{Currency, Money};
                let row = sqlx::query("SELECT * FROM discount_codes WHERE code = $1")
                    .bind(app::domain::checkout::normalize_code(code))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                Ok(row.map(|r| {
                    let currency = Currency::parse(r.get::<&str, _>("currency")).unwrap_or(Currency::USD);
                    let value: i64 = r.get("value");
                    let min: i64 = r.get("min_spend_minor");
                    DiscountCode {
                        code: r.get("code"),
                        kind: if r.get::<&str, _>("kind") == "percent" {
                            DiscountKind::Percent { bps: value.clamp(0, 10_000) as u32 }
                        } else {
                            DiscountKind::Fixed { amount: Money::new(value, currency) }
                        },
                        min_spend: (min > 0).then(|| Money::new(min, currency)),
                        expires_at: r.get("expires_at"),
                        usage_limit: r.get("usage_limit"),
                        times_used: r.get("times_used"),
                    }
                }))
            }

            async fn create_discount_code(
                &self,
                c: &app::domain::checkout::DiscountCode,
                now: i64,
            ) -> Result<(), StoreError> {
                use app::domain::checkout::DiscountKind;
                let (kind, value, currency) = match c.kind {
                    DiscountKind::Percent { bps } => {
                        ("percent", bps as i64, c.min_spend.map(|m| m.currency.code().to_string()).unwrap_or("USD".into()))
                    }
                    DiscountKind::Fixed { amount } => ("fixed", amount.minor, amount.currency.code().to_string()),
                };
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                sqlx::query(
                    "INSERT INTO discount_codes (code, kind, value, currency, min_spend_minor, expires_at, usage_limit,
                        times_used, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
                Ok(rows
                    .iter()
                    .map(|r| {
                        let product: String = r.get("product_title");
                        let variant: String = r.get("variant_title");
                        OrderVariant {
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
                            currency: r.get("currency"),
                            stock: r.get("stock"),
                            available: r.get::<String, _>("product_status") == "published"
                                && r.get::<String, _>("merchant_status") == "active",
                        }
                    })
                    .collect())
            }

            async fn place_order(&self, o: &NewOrder, claim: &IdempotencyClaim) -> Result<PlaceResult, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                match claim_key(&mut tx, claim, None, o.now).await? {
                    Claimed::New => {}
                    Claimed::Repeat { order_id, outcome } => {
                        tx.rollback().await.map_err(map_sqlx)?;
                        return Ok(PlaceResult::Repeat { order_id, outcome });
                    }
                    Claimed::Conflict => {
                        tx.rollback().await.map_err(map_sqlx)?;
                        return Ok(PlaceResult::Conflict);
                    }
                }

                // Reserve every line; collect every shortage so the shopper hears about all of them.
                let mut short = Vec::new();
                for line in o.parts.iter().flat_map(|p| &p.lines) {
                    let reserved = sqlx::query(
                        "UPDATE product_variants SET stock = stock - $1, updated_at = $3 WHERE id = $2 AND stock >= $1",
                    )
                    .bind(line.quantity)
                    .bind(line.variant_id)
                    .bind(o.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?
                    .rows_affected();
                    if reserved == 0 {
                        let available: Option<i64> = sqlx::query_scalar("SELECT stock FROM product_variants WHERE id = $1")
                            .bind(line.variant_id)
                            .fetch_optional(&mut *tx)
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
                    tx.rollback().await.map_err(map_sqlx)?;
                    return Ok(PlaceResult::OutOfStock(short));
                }
                if let Some(code) = &o.discount_code {
                    // Counted under the same conditions that priced it: never past the limit.
                    let counted = sqlx::query(
                        "UPDATE discount_codes SET times_used = times_used + 1
                         WHERE code = $1 AND (usage_limit IS NULL OR times_used < usage_limit)
                           AND (expires_at IS NULL OR expires_at > $2)",
                    )
                    .bind(code)
                    .bind(o.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?
                    .rows_affected();
                    if counted == 0 {
                        tx.rollback().await.map_err(map_sqlx)?;
                        return Ok(PlaceResult::DiscountUnavailable);
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
                .bind(&o.currency)
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
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                for part in &o.parts {
                    let part_id: i64 = sqlx::query_scalar(
                        "INSERT INTO order_parts (order_id, merchant_id, status, shipping_speed, subtotal_minor,
                            shipping_minor, discount_minor, tax_minor, total_minor)
                         VALUES ($1, $2, 'awaiting_payment', $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(order_id)
                    .bind(part.merchant_id)
                    .bind(&part.shipping_speed)
                    .bind(part.subtotal_minor)
                    .bind(part.shipping_minor)
                    .bind(part.discount_minor)
                    .bind(part.tax_minor)
                    .bind(part.total_minor)
                    .fetch_one(&mut *tx)
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
                    qb.build().execute(&mut *tx).await.map_err(map_sqlx)?;
                }
                let payment_id: i64 = sqlx::query_scalar(
                    "INSERT INTO payments (order_id, status, currency, amount_minor, card_brand, card_last4, gateway,
                        created_at, updated_at)
                     VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                )
                .bind(order_id)
                .bind(&o.currency)
                .bind(o.total_minor)
                .bind(&o.card_brand)
                .bind(&o.card_last4)
                .bind(&o.gateway)
                .bind(o.now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if let Some(hash) = &o.access_key_hash {
                    sqlx::query("INSERT INTO order_access_keys (key_hash, order_id, created_at) VALUES ($1, $2, $3)")
                        .bind(hash)
                        .bind(order_id)
                        .bind(o.now)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                }
                record_claim(&mut tx, claim, Some(order_id), None).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(PlaceResult::Placed { order_id, payment_id })
            }

            async fn record_payment(&self, u: &PaymentUpdate) -> Result<PaymentRecorded, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                // The order takes the answer only while it still waits for it: the sweeper may have
                // expired it (stock back on sale, discount use given back) while the gateway was
                // deciding. One conditional update in this transaction, so only one of them wins.
                // The order row is locked first, as `release_expired` does, so the two never
                // deadlock on PostgreSQL.
                let taken = sqlx::query(
                    "UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'awaiting_payment'",
                )
                .bind(&u.order_status)
                .bind(u.now)
                .bind(u.order_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
                // What the gateway did is recorded either way: money it took on a closed order must
                // show on the payment until it is given back.
                insert_payment_events(&mut tx, u.payment_id, &u.events).await?;
                sqlx::query(
                    "UPDATE payments SET status = $1, captured_minor = $2, gateway_reference = $3, updated_at = $4
                     WHERE id = $5",
                )
                .bind(u.payment_status.as_str())
                .bind(u.captured_minor)
                .bind(u.gateway_reference.as_deref())
                .bind(u.now)
                .bind(u.payment_id)
                .execute(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                if taken == 0 {
                    let status: Option<String> = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
                        .bind(u.order_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_sqlx)?;
                    tx.commit().await.map_err(map_sqlx)?;
                    return Ok(PaymentRecorded::OrderClosed { status: status.unwrap_or_else(|| "missing".into()) });
                }
                let part_status = if u.order_status == "paid" { "paid" } else { "cancelled" };
                sqlx::query("UPDATE order_parts SET status = $1 WHERE order_id = $2")
                    .bind(part_status)
                    .bind(u.order_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                if u.release_stock {
                    release_stock(&mut tx, u.order_id).await?;
                    release_discount(&mut tx, u.order_id).await?;
                }
                record_claim(&mut tx, &u.claim, None, Some(&u.outcome)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(PaymentRecorded::Applied)
            }

            async fn record_reversal(&self, r: &PaymentReversal) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                insert_payment_events(&mut tx, r.payment_id, &r.events).await?;
                sqlx::query("UPDATE payments SET status = $1, refunded_minor = $2, updated_at = $3 WHERE id = $4")
                    .bind(r.payment_status.as_str())
                    .bind(r.refunded_minor)
                    .bind(r.now)
                    .bind(r.payment_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?;
                record_claim(&mut tx, &r.claim, None, Some(&r.outcome)).await?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn release_expired(&self, now: i64) -> Result<u64, StoreError> {
                let due: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM orders WHERE status = 'awaiting_payment' AND reserved_until < $1 AND stock_released = 0
                     ORDER BY reserved_until LIMIT 200",
                )
                .bind(now)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let mut released = 0;
                for order_id in due {
                    let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                    // Claimed by a conditional update, so two instances never release twice.
                    let claimed = sqlx::query(
                        "UPDATE orders SET status = 'expired', updated_at = $1
                         WHERE id = $2 AND status = 'awaiting_payment' AND stock_released = 0",
                    )
                    .bind(now)
                    .bind(order_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_sqlx)?
                    .rows_affected();
                    if claimed == 1 {
                        release_stock(&mut tx, order_id).await?;
                        release_discount(&mut tx, order_id).await?;
                        sqlx::query("UPDATE order_parts SET status = 'cancelled' WHERE order_id = $1")
                            .bind(order_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                        sqlx::query("UPDATE payments SET status = 'failed', updated_at = $1 WHERE order_id = $2 AND status = 'pending'")
                            .bind(now)
                            .bind(order_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_sqlx)?;
                        released += 1;
                    }
                    tx.commit().await.map_err(map_sqlx)?;
                }
                Ok(released)
            }

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

            async fn order_view(
                &self,
                number: &str,
            ) -> Result<Option<(Option<i64>, app::domain::order_view::OrderView)>, StoreError> {
                use app::domain::address::AddressInput;
                use app::domain::money::{Currency, Money};
                use app::domain::order_view::{OrderLineView, OrderPartView, OrderView, PaymentEventView, PaymentView};
                let Some(o) = sqlx::query("SELECT * FROM orders WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let currency = Currency::parse(o.get::<&str, _>("currency")).unwrap_or(Currency::USD);
                let m = |minor: i64| Money::new(minor, currency);
                let order_id: i64 = o.get("id");
                let parts = sqlx::query(
                    "SELECT p.*, m.name AS merchant_name,
                        COALESCE(p.delivered_at, (SELECT MAX(s.delivered_at) FROM shipments s WHERE s.part_id = p.id))
                            AS last_delivery
                     FROM order_parts p JOIN merchants m ON m.id = p.merchant_id
                     WHERE p.order_id = $1 ORDER BY p.id",
                )
                .bind(order_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let lines = sqlx::query(
                    "SELECT l.*,
                        CAST((SELECT COALESCE(SUM(sl.quantity), 0) FROM shipment_lines sl WHERE sl.line_id = l.id)
                            AS BIGINT) AS shipped,
                        CAST((SELECT COALESCE(SUM(rl.quantity), 0) FROM return_lines rl
                              JOIN returns r ON r.id = rl.return_id WHERE rl.line_id = l.id AND r.status <> 'rejected')
                            AS BIGINT) AS returned
                     FROM order_lines l JOIN order_parts p ON p.id = l.part_id WHERE p.order_id = $1 ORDER BY l.id",
                )
                .bind(order_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let payment = sqlx::query("SELECT * FROM payments WHERE order_id = $1")
                    .bind(order_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                let payment = match payment {
                    None => None,
                    Some(p) => {
                        let events = sqlx::query(
                            "SELECT kind, amount_minor, outcome, at FROM payment_events WHERE payment_id = $1 ORDER BY id",
                        )
                        .bind(p.get::<i64, _>("id"))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?
                        .iter()
                        .map(|e| PaymentEventView {
                            kind: e.get("kind"),
                            amount: m(e.get("amount_minor")),
                            outcome: e.get("outcome"),
                            at: e.get("at"),
                        })
                        .collect();
                        Some(PaymentView {
                            status: p.get("status"),
                            card_brand: p.get("card_brand"),
                            card_last4: p.get("card_last4"),
                            amount: m(p.get("amount_minor")),
                            captured: m(p.get("captured_minor")),
                            events,
                        })
                    }
                };
                let part_ids: Vec<i64> = parts.iter().map(|p| p.get::<i64, _>("id")).collect();
                let mut shipments = self.shipments_of_parts(&part_ids).await?;
                let mut returns = self.returns_of_parts(&part_ids).await?;
                let part_statuses: Vec<String> = parts.iter().map(|p| p.get::<String, _>("status")).collect();
                let view = OrderView {
                    number: o.get("number"),
                    status: app::domain::order_view::shown_status(o.get::<&str, _>("status"), &part_statuses),
                    email: o.get("email"),
                    created_at: o.get("created_at"),
                    ship_to: AddressInput {
                        name: o.get("ship_name"),
                        line1: o.get("ship_line1"),
                        line2: o.get("ship_line2"),
                        city: o.get("ship_city"),
                        region: o.get("ship_region"),
                        postal_code: o.get("ship_postal_code"),
                        country: o.get("ship_country"),
                        phone: String::new(),
                    },
                    parts: parts
                        .iter()
                        .map(|p| {
                            let part_id: i64 = p.get("id");
                            OrderPartView {
                                merchant_id: p.get("merchant_id"),
                                merchant_name: p.get("merchant_name"),
                                status: p.get("status"),
                                shipping_speed: p.get("shipping_speed"),
                                lines: lines
                                    .iter()
                                    .filter(|l| l.get::<i64, _>("part_id") == part_id)
                                    .map(|l| OrderLineView {
                                        id: l.get("id"),
                                        title: l.get("title"),
                                        sku: l.get("sku"),
                                        quantity: l.get("quantity"),
                                        unit_price: m(l.get("unit_price_minor")),
                                        line_total: m(l.get("line_total_minor")),
                                        shipped: l.get("shipped"),
                                        returned: l.get("returned"),
                                        refunded: m(l.get("refunded_minor")),
                                    })
                                    .collect(),
                                subtotal: m(p.get("subtotal_minor")),
                                shipping: m(p.get("shipping_minor")),
                                discount: m(p.get("discount_minor")),
                                tax: m(p.get("tax_minor")),
                                total: m(p.get("total_minor")),
                                refunded: m(p.get("refunded_minor")),
                                delivered_at: p.get("last_delivery"),
                                shipments: take_of(&mut shipments, part_id),
                                returns: take_of(&mut returns, part_id),
                            }
                        })
                        .collect(),
                    subtotal: m(o.get("subtotal_minor")),
                    shipping: m(o.get("shipping_minor")),
                    discount: m(o.get("discount_minor")),
                    tax: m(o.get("tax_minor")),
                    total: m(o.get("total_minor")),
                    payment,
                };
                Ok(Some((o.get("user_id"), view)))
            }

            async fn orders_of_user(
                &self,
                user_id: i64,
                limit: i64,
            ) -> Result<Vec<app::domain::order_view::OrderSummary>, StoreError> {
                use app::domain::money::{Currency, Money};
                let rows = sqlx::query(
                    "SELECT o.id, o.number, o.status, o.created_at, o.total_minor, o.currency,
                        CAST((SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_parts p ON p.id = l.part_id
                              WHERE p.order_id = o.id) AS BIGINT) AS items,
                        (SELECT COUNT(*) FROM order_parts p WHERE p.order_id = o.id) AS stores
                     FROM orders o WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT $2",
                )
                .bind(user_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    let parts: Vec<String> = sqlx::query_scalar("SELECT status FROM order_parts WHERE order_id = $1")
                        .bind(r.get::<i64, _>("id"))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                    out.push((r, app::domain::order_view::shown_status(r.get::<&str, _>("status"), &parts)));
                }
                Ok(out
                    .into_iter()
                    .map(|(r, status)| app::domain::order_view::OrderSummary {
                        number: r.get("number"),
                        status,
                        created_at: r.get("created_at"),
                        total: Money::new(
                            r.get("total_minor"),
                            Currency::parse(r.get::<&str, _>("currency")).unwrap_or(Currency::USD),
                        ),
                        items: r.get("items"),
                        stores: r.get("stores"),
                    })
                    .collect())
            }

            async fn order_totals(&self) -> Result<(i64, i64, i64), StoreError> {
                sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM payments), (SELECT COUNT(*) FROM payment_events)",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(map_sqlx)
            }

            async fn parts_of_merchant(
                &self,
                merchant_id: i64,
                status: Option<&str>,
                limit: i64,
            ) -> Result<Vec<app::domain::order_view::MerchantPartSummary>, StoreError> {
                use app::domain::money::{Currency, Money};
                let rows = sqlx::query(
                    "SELECT o.number, o.created_at, o.email, o.currency, p.status, p.total_minor,
                        (SELECT y.status FROM payments y WHERE y.order_id = o.id) AS payment_status,
                        CAST((SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.part_id = p.id) AS BIGINT) AS items
                     FROM order_parts p JOIN orders o ON o.id = p.order_id
                     WHERE p.merchant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR p.status = $2)
                     ORDER BY o.created_at DESC, p.id DESC LIMIT $3",
                )
                .bind(merchant_id)
                .bind(status)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                Ok(rows
                    .iter()
                    .map(|r| app::domain::order_view::MerchantPartSummary {
                        number: r.get("number"),
                        created_at: r.get("created_at"),
                        status: r.get("status"),
                        payment_status: r.get("payment_status"),
                        email: r.get("email"),
                        items: r.get("items"),
                        total: Money::new(
                            r.get("total_minor"),
                            Currency::parse(r.get::<&str, _>("currency")).unwrap_or(Currency::USD),
                        ),
                    })
                    .collect())
            }

            async fn order_status(&self, order_id: i64) -> Result<Option<(String, String)>, StoreError> {
                sqlx::query_as("SELECT number, status FROM orders WHERE id = $1")
                    .bind(order_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)
            }
        }

        /// The views of one part, taken out of (part id, view) pairs.
        fn take_of<T>(all: &mut Vec<(i64, T)>, part_id: i64) -> Vec<T> {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(all).into_iter().partition(|(p, _)| *p == part_id);
            *all = rest;
            mine.into_iter().map(|(_, v)| v).collect()
        }

        /// Gives an order's reserved stock back, once: `stock_released` is flipped first.
        async fn release_stock(tx: &mut sqlx::Transaction<'static, $db>, order_id: i64) -> Result<(), StoreError> {
            let first = sqlx::query("UPDATE orders SET stock_released = 1 WHERE id = $1 AND stock_released = 0")
                .bind(order_id)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?
                .rows_affected();
            if first == 1 {
                // Parts cancelled one by one gave theirs back already (`stock_released`).
                sqlx::query(
                    "UPDATE product_variants SET stock = stock + (
                        SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_parts p ON p.id = l.part_id
                        WHERE p.order_id = $1 AND p.stock_released = 0 AND l.variant_id = product_variants.id)
                     WHERE id IN (SELECT l.variant_id FROM order_lines l JOIN order_parts p ON p.id = l.part_id
                        WHERE p.order_id = $1 AND p.stock_released = 0)",
                )
                .bind(order_id)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?;
                sqlx::query("UPDATE order_parts SET stock_released = 1 WHERE order_id = $1")
                    .bind(order_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(map_sqlx)?;
            }
            Ok(())
        }

        async fn insert_payment_events(
            tx: &mut sqlx::Transaction<'static, $db>,
            payment_id: i64,
            events: &[app::domain::payment::PaymentEvent],
        ) -> Result<(), StoreError> {
            for e in events {
                sqlx::query(
                    "INSERT INTO payment_events (payment_id, kind, amount_minor, outcome, gateway_reference,
                        idempotency_key, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(payment_id)
                .bind(e.kind.as_str())
                .bind(e.amount.minor)
                .bind(e.outcome.as_str())
                .bind(e.gateway_reference.as_deref())
                .bind(&e.idempotency_key)
                .bind(e.at)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?;
            }
            Ok(())
        }

        /// Gives a declined or expired order's discount code use back, once: `discount_released`
        /// is flipped first, so two sweepers (or a sweeper and a late payment answer) return it
        /// once between them. Never below zero, whatever an operator did to the count meanwhile.
        async fn release_discount(tx: &mut sqlx::Transaction<'static, $db>, order_id: i64) -> Result<(), StoreError> {
            let first = sqlx::query(
                "UPDATE orders SET discount_released = 1
                 WHERE id = $1 AND discount_released = 0 AND discount_code IS NOT NULL",
            )
            .bind(order_id)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?
            .rows_affected();
            if first == 1 {
                sqlx::query(
                    "UPDATE discount_codes SET times_used = times_used - 1
                     WHERE code = (SELECT discount_code FROM orders WHERE id = $1) AND times_used > 0",
                )
                .bind(order_id)
                .execute(&mut **tx)
                .await
                .map_err(map_sqlx)?;
            }
            Ok(())
        }
    };
}
