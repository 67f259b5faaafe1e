-- Recommendations (issue 8): what anonymous visitors looked at, the item-to-item similarities and
-- the popularity the periodic job computes, and the lease that lets one server instance at a time
-- recompute them. Times are unix seconds.

-- Views by visitors who are not signed in, one row per visitor and product. `visitor` is the
-- SHA-256 of the guest cart cookie or of the random visitor cookie (never the cookie itself).
-- Signed-in shoppers' views stay in product_views (the analytics funnel and ranking read them).
CREATE TABLE anon_product_views (
    visitor        TEXT    NOT NULL,
    product_id     BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    view_count     BIGINT  NOT NULL DEFAULT 1,
    last_viewed_at BIGINT  NOT NULL,
    PRIMARY KEY (visitor, product_id)
);
CREATE INDEX anon_product_views_recent ON anon_product_views (last_viewed_at);
-- The job reads recent signed-in views as co-view baskets.
CREATE INDEX product_views_at ON product_views (last_viewed_at);
-- A shopper's history ("Recommended for you") reads their cart adds (ratings have their index).
CREATE INDEX cart_adds_user ON cart_adds (user_id, at);

-- For each product its top-N neighbours, best first (rank 1). No foreign keys: the job replaces
-- every row at once and the reads join products (a deleted product simply stops showing).
CREATE TABLE item_similarities (
    product_id BIGINT  NOT NULL,
    similar_id BIGINT  NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    -- Baskets (orders, or visitors' viewed sets) holding both products.
    support    BIGINT  NOT NULL,
    rank       BIGINT  NOT NULL,
    PRIMARY KEY (product_id, rank),
    UNIQUE (product_id, similar_id)
);

-- Time-decayed popularity (purchases, cart adds, ratings, views), best first (rank 1).
CREATE TABLE item_popularity (
    product_id BIGINT  PRIMARY KEY,
    score      DOUBLE PRECISION NOT NULL,
    rank       BIGINT  NOT NULL UNIQUE
);

-- One row per periodic job: the instance holding it and until when. Taken with a conditional
-- INSERT/UPDATE; a holder that dies simply lets it expire.
CREATE TABLE job_leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    -- When the job last finished (0: never).
    refreshed_at BIGINT  NOT NULL DEFAULT 0
);
