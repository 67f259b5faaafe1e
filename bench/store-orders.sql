-- @ORDERS@ orders of one store (@MERCHANT@), run by `server seed --store-orders N STORE` (for
-- bench/orders-page.sh and the e2e queue test) on either engine: one part and one line each (a
-- variant of the store picked by hashing), a captured payment, customers buyer-<i>@example.com /
-- "Buyer <i> Example", one minute apart up to @NOW@ (over a year back, so a shop's recent
-- analytics do not change), the parts' statuses a mix (every 7th paid, every 13th shipped, the
-- rest delivered). Numbers are "MM-S" and 10,000,000,000 + i (i from @START@: later runs add more to
-- the same shop), which reads as an order number (`OrderNumber::parse`).
CREATE TEMP TABLE sv AS
SELECT ROW_NUMBER() OVER (ORDER BY v.id) - 1 AS n, v.id AS variant_id, p.id AS product_id, p.title, v.sku,
       v.price_minor, p.currency
FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.merchant_id = @MERCHANT@;

CREATE TEMP TABLE sn (i BIGINT PRIMARY KEY);
INSERT INTO sn (i)
WITH RECURSIVE s(i) AS (SELECT CAST(@START@ AS BIGINT) UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @START@ + @ORDERS@)
SELECT i FROM s;

CREATE TEMP TABLE so AS
SELECT sn.i, v.variant_id, v.product_id, v.title, v.sku, v.price_minor, v.currency,
       @NOW@ - (@START@ + @ORDERS@ - sn.i) * 60 AS at,
       CASE WHEN sn.i % 7 = 0 THEN 'paid' WHEN sn.i % 13 = 0 THEN 'shipped' ELSE 'delivered' END AS status
FROM sn JOIN sv v ON v.n = (sn.i * 7919) % (SELECT COUNT(*) FROM sv);

INSERT INTO orders (number, user_id, email, currency, status, subtotal_minor, shipping_minor, discount_minor,
                    tax_minor, total_minor, ship_name, ship_line1, ship_city, ship_postal_code, ship_country,
                    reserved_until, stock_released, created_at, updated_at)
SELECT 'MM-S' || CAST(10000000000 + i AS TEXT), NULL, 'buyer-' || CAST(i AS TEXT) || '@example.com', currency, 'paid',
       price_minor, 0, 0, 0, price_minor, 'Buyer ' || CAST(i AS TEXT) || ' Example', '1 Bench Street',
       'Springfield', '12345', 'US', at + 900, 0, at, at
FROM so;

INSERT INTO order_parts (order_id, merchant_id, status, shipping_speed, subtotal_minor, shipping_minor,
                         discount_minor, tax_minor, total_minor)
SELECT o.id, @MERCHANT@, so.status, 'standard', so.price_minor, 0, 0, 0, so.price_minor
FROM so JOIN orders o ON o.number = 'MM-S' || CAST(10000000000 + so.i AS TEXT);

INSERT INTO order_lines (part_id, product_id, variant_id, title, sku, unit_price_minor, quantity, line_total_minor)
SELECT op.id, so.product_id, so.variant_id, so.title, so.sku, so.price_minor, 1, so.price_minor
FROM so JOIN orders o ON o.number = 'MM-S' || CAST(10000000000 + so.i AS TEXT) JOIN order_parts op ON op.order_id = o.id;

INSERT INTO payments (order_id, status, currency, amount_minor, captured_minor, card_brand, card_last4, gateway,
                      gateway_reference, created_at, updated_at)
SELECT o.id, 'captured', so.currency, so.price_minor, so.price_minor, 'visa', '4242', 'test',
       'tg_ch_store' || CAST(so.i AS TEXT), so.at, so.at
FROM so JOIN orders o ON o.number = 'MM-S' || CAST(10000000000 + so.i AS TEXT);

DROP TABLE so;
DROP TABLE sn;
DROP TABLE sv;
