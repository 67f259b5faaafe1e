-- A store's review count and rating sum, kept by a trigger as its products' totals
-- (product_rating_stats) change, so the dashboard's Reviews page and the public store page read
-- one row instead of summing every product of the store (20–70 ms at 100,000 products).
CREATE TABLE merchant_rating_stats (
    merchant_id  BIGINT PRIMARY KEY REFERENCES merchants (id) ON DELETE CASCADE,
    review_count BIGINT NOT NULL DEFAULT 0,
    rating_sum   BIGINT NOT NULL DEFAULT 0
);
INSERT INTO merchant_rating_stats (merchant_id, review_count, rating_sum)
SELECT p.merchant_id, SUM(s.review_count), SUM(s.rating_sum)
FROM product_rating_stats s JOIN products p ON p.id = s.product_id GROUP BY p.merchant_id;

-- The change a row of product_rating_stats brings, added to its store's row (inserted on the
-- store's first review). An upsert adds atomically, so concurrent reviews of one store add up.
CREATE FUNCTION merchant_rating_stats_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d_count BIGINT := 0;
    d_sum   BIGINT := 0;
    product BIGINT;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        d_count := d_count + NEW.review_count;
        d_sum := d_sum + NEW.rating_sum;
        product := NEW.product_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        d_count := d_count - OLD.review_count;
        d_sum := d_sum - OLD.rating_sum;
        product := OLD.product_id;
    END IF;
    INSERT INTO merchant_rating_stats (merchant_id, review_count, rating_sum)
    SELECT merchant_id, d_count, d_sum FROM products WHERE id = product
    ON CONFLICT (merchant_id) DO UPDATE SET
        review_count = merchant_rating_stats.review_count + EXCLUDED.review_count,
        rating_sum = merchant_rating_stats.rating_sum + EXCLUDED.rating_sum;
    RETURN NULL;
END
$$;

CREATE TRIGGER merchant_rating_stats_apply AFTER INSERT OR UPDATE OF review_count, rating_sum OR DELETE
    ON product_rating_stats FOR EACH ROW EXECUTE FUNCTION merchant_rating_stats_apply();
