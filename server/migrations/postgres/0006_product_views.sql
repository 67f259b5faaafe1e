-- What a signed-in shopper looked at, one row per product: the personal-affinity ranking
-- signal reads the categories and stores they keep coming back to.
CREATE TABLE product_views (
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id     BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    view_count     BIGINT NOT NULL DEFAULT 1,
    last_viewed_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX product_views_recent ON product_views (user_id, last_viewed_at);
