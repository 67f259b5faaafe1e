-- @N@ products of one store (@MERCHANT@) for bench/dashboard-lists.sh, on either engine: one
-- variant each (SKU BENCH-<i>, a spread of prices, stock i % 40 so some are out and some low),
-- one review each by user @USER@ (ratings 1–5, every third answered), one second apart up to
-- @NOW@, and the products' rating totals. Slugs "bench-item-<i>" and titles "Bench Item <i>".
CREATE TEMP TABLE cn (i BIGINT PRIMARY KEY);
INSERT INTO cn (i)
WITH RECURSIVE s(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM s WHERE i + 1 <= @N@)
SELECT i FROM s;

INSERT INTO products (merchant_id, category_id, slug, title, description, status, currency, created_at, updated_at)
SELECT @MERCHANT@, @CATEGORY@, 'bench-item-' || CAST(i AS TEXT), 'Bench Item ' || CAST(i AS TEXT),
       'A product for the dashboard benchmark.', 'published', 'USD', @NOW@ - i, @NOW@ - i
FROM cn;

CREATE TEMP TABLE cp AS
SELECT cn.i, p.id FROM cn JOIN products p ON p.slug = 'bench-item-' || CAST(cn.i AS TEXT);

INSERT INTO product_variants (product_id, merchant_id, sku, title, price_minor, stock, position, created_at, updated_at)
SELECT id, @MERCHANT@, 'BENCH-' || CAST(i AS TEXT), 'Default', 500 + (i * 37) % 20000, i % 40, 0, @NOW@ - i, @NOW@ - i
FROM cp;

INSERT INTO product_reviews (product_id, merchant_id, user_id, rating, body, merchant_reply, replied_at, created_at, updated_at)
SELECT id, @MERCHANT@, @USER@, 1 + i % 5, 'A review for the benchmark.',
       CASE WHEN i % 3 = 0 THEN 'Thank you!' END, CASE WHEN i % 3 = 0 THEN @NOW@ END, @NOW@ - i, @NOW@ - i
FROM cp;

INSERT INTO product_rating_stats (product_id, review_count, rating_sum, r1, r2, r3, r4, r5)
SELECT id, 1, 1 + i % 5, CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END, CASE WHEN i % 5 = 1 THEN 1 ELSE 0 END,
       CASE WHEN i % 5 = 2 THEN 1 ELSE 0 END, CASE WHEN i % 5 = 3 THEN 1 ELSE 0 END, CASE WHEN i % 5 = 4 THEN 1 ELSE 0 END
FROM cp;
