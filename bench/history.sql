-- A shop's history for bench/history.sh, in SQL both engines run (SQLite's sqlite3 and psql):
-- @CUSTOMERS@ customers, @ORDERS@ paid orders (one store part, one or two lines, a captured
-- payment) five minutes apart up to @NOW@, as many cart adds, one review per five orders, and
-- @VIEWS@ product views (four in five by anonymous visitors, the rest by the customers).
-- Products and variants are the ones already seeded; nothing here changes the catalog itself
-- except the review totals, which are recomputed from the reviews at the end.
-- Generated rows are deterministic (multiplicative hashing of the row number), so two runs of the
-- benchmark read the same shop.

CREATE TEMP TABLE hv AS
SELECT ROW_NUMBER() OVER (ORDER BY p.merchant_id, v.id) - 1 AS n, v.id AS variant_id, p.id AS product_id,
       p.merchant_id, p.title, v.sku, v.price_minor, p.currency
FROM product_variants v JOIN products p ON p.id = v.product_id
WHERE p.status = 'published';

CREATE TEMP TABLE hp AS
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM products WHERE status = 'published';

CREATE TEMP TABLE hn (i BIGINT PRIMARY KEY);
INSERT INTO hn (i)
WITH RECURSIVE s(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @MAX@)
SELECT i FROM s;

INSERT INTO users (email, display_name, password_hash, created_at, updated_at)
SELECT 'history-' || CAST(i AS TEXT) || '@example.com', 'History Customer ' || CAST(i AS TEXT),
       'not-a-password-hash', @NOW@ - 40000000, @NOW@ - 40000000
FROM hn WHERE i < @CUSTOMERS@;

CREATE TEMP TABLE hu AS
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id, email FROM users WHERE email LIKE 'history-%@example.com';

-- One order per row: the first variant picked by hashing, the second the next variant of the
-- same store when there is one.
CREATE TEMP TABLE ho AS
SELECT hn.i, hu.id AS user_id, hu.email, v1.merchant_id, v1.currency,
       v1.variant_id AS v1, v1.product_id AS p1, v1.title AS t1, v1.sku AS s1, v1.price_minor AS u1,
       1 + hn.i % 3 AS q1,
       v2.variant_id AS v2, v2.product_id AS p2, v2.title AS t2, v2.sku AS s2, v2.price_minor AS u2,
       v1.price_minor * (1 + hn.i % 3) + COALESCE(v2.price_minor, 0) AS subtotal,
       @NOW@ - (@ORDERS@ - hn.i) * 300 AS at
FROM hn
JOIN hu ON hu.n = hn.i % @CUSTOMERS@
JOIN hv v1 ON v1.n = (hn.i * 7919) % (SELECT COUNT(*) FROM hv)
LEFT JOIN hv v2 ON v2.n = v1.n + 1 AND v2.merchant_id = v1.merchant_id
WHERE hn.i < @ORDERS@;

INSERT INTO orders (number, user_id, email, currency, status, subtotal_minor, shipping_minor, discount_minor,
                    tax_minor, total_minor, ship_name, ship_line1, ship_city, ship_postal_code, ship_country,
                    reserved_until, stock_released, created_at, updated_at)
SELECT 'MM-H' || CAST(i AS TEXT), user_id, email, currency, 'paid', subtotal, 0, 0, 0, subtotal,
       'History Customer', '1 Bench Street', 'Springfield', '12345', 'US', at + 900, 0, at, at
FROM ho;

INSERT INTO order_parts (order_id, merchant_id, status, shipping_speed, subtotal_minor, shipping_minor,
                         discount_minor, tax_minor, total_minor, delivered_at)
SELECT o.id, ho.merchant_id, 'delivered', 'standard', ho.subtotal, 0, 0, 0, ho.subtotal, ho.at + 259200
FROM ho JOIN orders o ON o.number = 'MM-H' || CAST(ho.i AS TEXT);

INSERT INTO order_lines (part_id, product_id, variant_id, title, sku, unit_price_minor, quantity, line_total_minor)
SELECT op.id, ho.p1, ho.v1, ho.t1, ho.s1, ho.u1, ho.q1, ho.u1 * ho.q1
FROM ho JOIN orders o ON o.number = 'MM-H' || CAST(ho.i AS TEXT) JOIN order_parts op ON op.order_id = o.id;

INSERT INTO order_lines (part_id, product_id, variant_id, title, sku, unit_price_minor, quantity, line_total_minor)
SELECT op.id, ho.p2, ho.v2, ho.t2, ho.s2, ho.u2, 1, ho.u2
FROM ho JOIN orders o ON o.number = 'MM-H' || CAST(ho.i AS TEXT) JOIN order_parts op ON op.order_id = o.id
WHERE ho.v2 IS NOT NULL;

INSERT INTO payments (order_id, status, currency, amount_minor, captured_minor, card_brand, card_last4, gateway,
                      gateway_reference, created_at, updated_at)
SELECT o.id, 'captured', ho.currency, ho.subtotal, ho.subtotal, 'visa', '4242', 'test',
       'tg_ch_history' || CAST(ho.i AS TEXT), ho.at, ho.at
FROM ho JOIN orders o ON o.number = 'MM-H' || CAST(ho.i AS TEXT);

INSERT INTO cart_adds (merchant_id, product_id, variant_id, user_id, quantity, at)
SELECT merchant_id, p1, v1, user_id, q1, at - 600 FROM ho;

INSERT INTO product_reviews (product_id, merchant_id, user_id, rating, body, created_at, updated_at)
SELECT hp.id, (SELECT merchant_id FROM products WHERE id = hp.id), hu.id, 5 - (hn.i % 7) % 3, 'Bought it again; does what it says.', @NOW@ - hn.i * 60, @NOW@ - hn.i * 60
FROM hn
JOIN hu ON hu.n = hn.i % @CUSTOMERS@
JOIN hp ON hp.n = (hn.i * 7919) % (SELECT COUNT(*) FROM hp)
WHERE hn.i < @ORDERS@ / 5
ON CONFLICT DO NOTHING;

DELETE FROM product_rating_stats;
INSERT INTO product_rating_stats (product_id, review_count, rating_sum, r1, r2, r3, r4, r5)
SELECT product_id, COUNT(*), SUM(rating),
       SUM(CASE WHEN rating = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN rating = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 4 THEN 1 ELSE 0 END),
       SUM(CASE WHEN rating = 5 THEN 1 ELSE 0 END)
FROM product_reviews GROUP BY product_id;

-- Views: visitor k sees products (k·31 + j·977) mod P for j = 0, 1, …: distinct per visitor.
INSERT INTO anon_product_views (visitor, product_id, view_count, last_viewed_at)
SELECT 'history-visitor-' || CAST(hn.i % 50000 AS TEXT), hp.id, 1 + hn.i % 4, @NOW@ - hn.i % 2592000
FROM hn JOIN hp ON hp.n = ((hn.i % 50000) * 31 + (hn.i / 50000) * 977) % (SELECT COUNT(*) FROM hp)
WHERE hn.i < @VIEWS@ * 4 / 5
ON CONFLICT DO NOTHING;

INSERT INTO product_views (user_id, product_id, view_count, last_viewed_at)
SELECT hu.id, hp.id, 1 + hn.i % 3, @NOW@ - hn.i % 2592000
FROM hn
JOIN hu ON hu.n = hn.i % @CUSTOMERS@
JOIN hp ON hp.n = ((hn.i % @CUSTOMERS@) * 31 + (hn.i / @CUSTOMERS@) * 977) % (SELECT COUNT(*) FROM hp)
WHERE hn.i < @VIEWS@ / 5
ON CONFLICT DO NOTHING;
