//! Orders read back as stored, for the services to show: the whole order (its parts, lines and
//! payment, with its parts' parcels and returns as records), a shopper's history and a store's
//! queue.

macro_rules! orders_reading {
    ($store:ty, $db:ty) => {
        use app::domain::money::Money;
        use app::domain::order::PartStatus;
        use app::domain::paging::Cursor;
        use app::services::order_store::{OrderReading, OrderRecord, PartFilter};
        use app::views::orders::{MerchantPartSummary, OrderSummary};

        fn part_status(raw: &str) -> Result<PartStatus, StoreError> {
            parsed("order part status", raw, PartStatus::parse(raw))
        }

        #[async_trait::async_trait]
        impl OrderReading for $store {
            async fn order(&self, number: &str) -> Result<Option<OrderRecord>, StoreError> {
                use app::domain::address::AddressInput;
                use app::views::orders::{OrderLineView, OrderPartView, OrderView, PaymentEventView, PaymentView};
                let Some(o) = sqlx::query("SELECT * FROM orders WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(map_sqlx)?
                else {
                    return Ok(None);
                };
                let currency = currency(o.get::<&str, _>("currency"))?;
                let m = |minor: i64| Money::new(minor, currency);
                // An order and each of its parts carry the same five amounts.
                let amounts = |r: &<$db as sqlx::Database>::Row| {
                    ["subtotal_minor", "shipping_minor", "discount_minor", "tax_minor", "total_minor"].map(|c| m(r.get(c)))
                };
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
                // Parcels and returns go with the part's store (one part per store and order).
                let merchant_of = |part_id: i64| {
                    parts.iter().find(|p| p.get::<i64, _>("id") == part_id).map_or(0, |p| p.get::<i64, _>("merchant_id"))
                };
                let shipments =
                    self.shipments_of_parts(&part_ids).await?.into_iter().map(|(p, s)| (merchant_of(p), s)).collect();
                let returns =
                    self.returns_of_parts(&part_ids).await?.into_iter().map(|(p, r)| (merchant_of(p), r)).collect();
                let [subtotal, shipping, discount, tax, total] = amounts(&o);
                let view = OrderView {
                    number: o.get("number"),
                    status: o.get("status"),
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
                            let [subtotal, shipping, discount, tax, total] = amounts(p);
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
                                subtotal,
                                shipping,
                                discount,
                                tax,
                                total,
                                refunded: m(p.get("refunded_minor")),
                                delivered_at: p.get("last_delivery"),
                                shipments: Vec::new(),
                                returns: Vec::new(),
                            }
                        })
                        .collect(),
                    subtotal,
                    shipping,
                    discount,
                    tax,
                    total,
                    payment,
                };
                Ok(Some(OrderRecord { user_id: o.get("user_id"), order: view, shipments, returns }))
            }

            async fn orders_of_user(
                &self,
                user_id: i64,
                limit: i64,
            ) -> Result<Vec<(OrderSummary, Vec<PartStatus>)>, StoreError> {
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
                    let summary = OrderSummary {
                        number: r.get("number"),
                        status: r.get("status"),
                        created_at: r.get("created_at"),
                        total: Money::new(r.get("total_minor"), currency(r.get::<&str, _>("currency"))?),
                        items: r.get("items"),
                        stores: r.get("stores"),
                    };
                    out.push((summary, parts.iter().map(|s| part_status(s)).collect::<Result<_, _>>()?));
                }
                Ok(out)
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
                filter: &PartFilter,
                cursor: Cursor,
                limit: i64,
            ) -> Result<Vec<MerchantPartSummary>, StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT p.order_id, o.number, o.created_at, o.email, o.ship_name, o.ship_country, o.currency,
                        p.status, p.subtotal_minor, p.shipping_minor, p.discount_minor, p.tax_minor, p.total_minor,
                        (SELECT y.status FROM payments y WHERE y.order_id = o.id) AS payment_status,
                        CAST((SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.part_id = p.id) AS BIGINT) AS items
                     FROM order_parts p JOIN orders o ON o.id = p.order_id WHERE p.merchant_id = ",
                );
                qb.push_bind(merchant_id);
                if let Some(status) = filter.status {
                    qb.push(" AND p.status = ").push_bind(status.as_str());
                }
                if let Some(q) = &filter.search {
                    // Each branch is an indexed lookup (migration 0024): the search's cost does
                    // not grow with the store's orders.
                    qb.push(" AND p.order_id IN (SELECT id FROM orders WHERE number = ")
                        .push_bind(q.number.clone().unwrap_or_default())
                        .push(" UNION SELECT id FROM orders WHERE email >= ")
                        .push_bind(q.prefix.clone())
                        .push(" AND email < ")
                        .push_bind(q.prefix_end.clone())
                        .push(" UNION SELECT id FROM orders WHERE LOWER(ship_name) >= ")
                        .push_bind(q.prefix.clone())
                        .push(" AND LOWER(ship_name) < ")
                        .push_bind(q.prefix_end.clone())
                        .push(" UNION SELECT x.order_id FROM order_lines l JOIN order_parts x ON x.id = l.part_id WHERE l.sku = ")
                        .push_bind(q.sku.clone())
                        .push(" AND x.merchant_id = ")
                        .push_bind(merchant_id)
                        .push(")");
                }
                // The cursor bounds both sides of the join: PostgreSQL merges the two index scans,
                // and an unbounded orders side walked from the newest order down to the cursor
                // (19 ms for a page in the middle of 100,000 orders; 0.3 ms bounded).
                match cursor {
                    Cursor::Newest => qb.push(" ORDER BY p.order_id DESC"),
                    Cursor::Before(k) => qb
                        .push(" AND p.order_id < ")
                        .push_bind(k)
                        .push(" AND o.id < ")
                        .push_bind(k)
                        .push(" ORDER BY p.order_id DESC"),
                    Cursor::After(k) => qb
                        .push(" AND p.order_id > ")
                        .push_bind(k)
                        .push(" AND o.id > ")
                        .push_bind(k)
                        .push(" ORDER BY p.order_id ASC"),
                };
                qb.push(" LIMIT ").push_bind(limit.max(0));
                let rows = qb.build().fetch_all(&self.pool).await.map_err(map_sqlx)?;
                rows.iter()
                    .map(|r| {
                        let currency = currency(r.get::<&str, _>("currency"))?;
                        let m = |column: &str| Money::new(r.get(column), currency);
                        Ok(MerchantPartSummary {
                            order_id: r.get("order_id"),
                            number: r.get("number"),
                            created_at: r.get("created_at"),
                            status: r.get("status"),
                            payment_status: r.get("payment_status"),
                            email: r.get("email"),
                            ship_name: r.get("ship_name"),
                            ship_country: r.get("ship_country"),
                            items: r.get("items"),
                            subtotal: m("subtotal_minor"),
                            shipping: m("shipping_minor"),
                            discount: m("discount_minor"),
                            tax: m("tax_minor"),
                            total: m("total_minor"),
                        })
                    })
                    .collect()
            }

            async fn order_status(&self, order_id: i64) -> Result<Option<(String, OrderStatus)>, StoreError> {
                let order = sqlx::query("SELECT number, status FROM orders WHERE id = $1").bind(order_id);
                let Some(r) = self.find(order).await? else { return Ok(None) };
                Ok(Some((r.get("number"), order_status(r.get("status"))?)))
            }
        }
    };
}
