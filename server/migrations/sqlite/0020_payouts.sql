-- Marketplace money (issue 16): the platform's commission, frozen on each order part when the
-- order is placed, and the payouts the platform made to stores. A store's ledger and balance are
-- worked out from its captured parts, their refunds and these payouts (services::payouts), so
-- every figure is the orders and refunds it comes from.

-- The marketplace's default commission in basis points (1000 = 10 %).
INSERT INTO marketplace_settings (key, value, updated_at) VALUES ('commission_bps', '1000', 0);
-- A store's own rate; NULL takes the marketplace's default.
ALTER TABLE merchants ADD COLUMN commission_bps INTEGER CHECK (commission_bps BETWEEN 0 AND 10000);
-- The rate in force when the part was placed (the store's own, else the default): a later change
-- of rate never rewrites past sales. Parts placed before this migration take the default.
ALTER TABLE order_parts ADD COLUMN commission_bps INTEGER NOT NULL DEFAULT 1000
    CHECK (commission_bps BETWEEN 0 AND 10000);

CREATE TABLE payouts (
    id              INTEGER PRIMARY KEY,
    merchant_id     INTEGER NOT NULL REFERENCES merchants (id),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    -- The bank transfer's (or provider's) reference, as the admin typed it.
    reference       TEXT    NOT NULL CHECK (length(reference) > 0),
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL
);
CREATE INDEX payouts_merchant ON payouts (merchant_id, created_at);
