-- Inventory: every stock adjustment with its reason, kept as a history (the stock it left, who
-- made it), and each store's low-stock threshold. An adjustment changes product_variants.stock in
-- the same transaction as its row here. Times are unix seconds.
CREATE TABLE stock_adjustments (
    id              INTEGER PRIMARY KEY,
    variant_id      INTEGER NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    merchant_id     INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    delta           INTEGER NOT NULL CHECK (delta <> 0),
    reason          TEXT    NOT NULL CHECK (reason IN ('received', 'damaged', 'correction')),
    note            TEXT    NOT NULL DEFAULT '',
    stock_after     INTEGER NOT NULL CHECK (stock_after >= 0),
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- A resubmitted form carries the same key and applies once.
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX stock_adjustments_variant ON stock_adjustments (variant_id, id);
CREATE UNIQUE INDEX stock_adjustments_key ON stock_adjustments (merchant_id, idempotency_key);

ALTER TABLE merchants ADD COLUMN low_stock_threshold INTEGER NOT NULL DEFAULT 5
    CHECK (low_stock_threshold BETWEEN 0 AND 10000);
