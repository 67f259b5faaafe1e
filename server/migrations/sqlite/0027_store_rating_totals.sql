-- A store's review count and rating sum, kept by triggers as its products' totals
-- (product_rating_stats) change, so the dashboard's Reviews page and the public store page read
-- one row instead of summing every product of the store (20–70 ms at 100,000 products).
CREATE TABLE merchant_rating_stats (
    merchant_id  INTEGER PRIMARY KEY REFERENCES merchants (id) ON DELETE CASCADE,
    review_count BIGINT  NOT NULL DEFAULT 0,
    rating_sum   BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO merchant_rating_stats (merchant_id, review_count, rating_sum)
SELECT p.merchant_id, SUM(s.review_count), SUM(s.rating_sum)
FROM product_rating_stats s JOIN products p ON p.id = s.product_id GROUP BY p.merchant_id;

CREATE TRIGGER merchant_rating_stats_insert AFTER INSERT ON product_rating_stats BEGIN
    INSERT INTO merchant_rating_stats (merchant_id, review_count, rating_sum)
    SELECT merchant_id, new.review_count, new.rating_sum FROM products WHERE id = new.product_id
    ON CONFLICT (merchant_id) DO UPDATE SET
        review_count = review_count + excluded.review_count, rating_sum = rating_sum + excluded.rating_sum;
END;

CREATE TRIGGER merchant_rating_stats_update AFTER UPDATE OF review_count, rating_sum ON product_rating_stats BEGIN
    UPDATE merchant_rating_stats
    SET review_count = review_count + new.review_count - old.review_count,
        rating_sum = rating_sum + new.rating_sum - old.rating_sum
    WHERE merchant_id = (SELECT merchant_id FROM products WHERE id = new.product_id);
END;

CREATE TRIGGER merchant_rating_stats_delete AFTER DELETE ON product_rating_stats BEGIN
    UPDATE merchant_rating_stats
    SET review_count = review_count - old.review_count, rating_sum = rating_sum - old.rating_sum
    WHERE merchant_id = (SELECT merchant_id FROM products WHERE id = old.product_id);
END;
