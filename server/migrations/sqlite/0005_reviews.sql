-- Product reviews: one per shopper and product (editable), helpful votes, one merchant reply,
-- and per-product rating totals that listings read instead of counting reviews. The totals are
-- kept by the store code in the same transaction as every review change. Times are unix seconds.
CREATE TABLE product_reviews (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body           TEXT    NOT NULL DEFAULT '',
    helpful_count  INTEGER NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
    merchant_reply TEXT,
    replied_at     INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (product_id, user_id)
);
CREATE INDEX product_reviews_newest ON product_reviews (product_id, created_at);
CREATE INDEX product_reviews_helpful ON product_reviews (product_id, helpful_count);
CREATE INDEX product_reviews_user ON product_reviews (user_id);

CREATE TABLE review_helpful_votes (
    review_id  INTEGER NOT NULL REFERENCES product_reviews (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (review_id, user_id)
);

-- r1..r5: how many ratings of each star count; review_count = r1 + … + r5.
CREATE TABLE product_rating_stats (
    product_id   INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    review_count BIGINT  NOT NULL,
    rating_sum   BIGINT  NOT NULL,
    r1           BIGINT  NOT NULL DEFAULT 0,
    r2           BIGINT  NOT NULL DEFAULT 0,
    r3           BIGINT  NOT NULL DEFAULT 0,
    r4           BIGINT  NOT NULL DEFAULT 0,
    r5           BIGINT  NOT NULL DEFAULT 0
);
