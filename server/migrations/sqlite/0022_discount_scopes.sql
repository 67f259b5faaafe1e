-- Discount codes made in the dashboard (issue 17): a store's own codes (merchant_id; NULL is the
-- marketplace's), free shipping as a kind (value 0), and codes switched off without deleting
-- them (orders keep naming the code they used). SQLite cannot change a CHECK, so the table is
-- rebuilt; no other table references it.
CREATE TABLE discount_codes_new (
    code            TEXT    PRIMARY KEY, -- normalised: trimmed, uppercase
    kind            TEXT    NOT NULL CHECK (kind IN ('percent', 'fixed', 'free_shipping')),
    value           INTEGER NOT NULL CHECK (value >= 0), -- basis points, minor units, or 0
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    min_spend_minor INTEGER NOT NULL DEFAULT 0 CHECK (min_spend_minor >= 0),
    expires_at      INTEGER,
    usage_limit     INTEGER CHECK (usage_limit IS NULL OR usage_limit > 0),
    times_used      INTEGER NOT NULL DEFAULT 0 CHECK (times_used >= 0),
    created_at      INTEGER NOT NULL,
    merchant_id     INTEGER REFERENCES merchants (id) ON DELETE CASCADE,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
INSERT INTO discount_codes_new (code, kind, value, currency, min_spend_minor, expires_at, usage_limit, times_used,
    created_at)
    SELECT code, kind, value, currency, min_spend_minor, expires_at, usage_limit, times_used, created_at
    FROM discount_codes;
DROP TABLE discount_codes;
ALTER TABLE discount_codes_new RENAME TO discount_codes;
CREATE INDEX discount_codes_merchant ON discount_codes (merchant_id, created_at);
