-- Carts, orders split into one part per store, payments with their event history, idempotency
-- keys and discount codes. Money is integer minor units; times are unix seconds.

-- A guest's cart is found by the SHA-256 of its cookie token; a signed-in shopper's by user.
CREATE TABLE carts (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    UNIQUE,
    user_id    INTEGER UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (token_hash IS NOT NULL OR user_id IS NOT NULL)
);

CREATE TABLE cart_items (
    cart_id            INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id         INTEGER NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    quantity           INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    -- The unit price when added: a later change is shown to the shopper before paying.
    price_at_add_minor INTEGER NOT NULL CHECK (price_at_add_minor >= 0),
    added_at           INTEGER NOT NULL,
    PRIMARY KEY (cart_id, variant_id)
);

CREATE TABLE discount_codes (
    code            TEXT    PRIMARY KEY, -- normalised: trimmed, uppercase
    kind            TEXT    NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value           INTEGER NOT NULL CHECK (value > 0), -- basis points, or minor units
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    min_spend_minor INTEGER NOT NULL DEFAULT 0 CHECK (min_spend_minor >= 0),
    expires_at      INTEGER,
    usage_limit     INTEGER CHECK (usage_limit IS NULL OR usage_limit > 0),
    times_used      INTEGER NOT NULL DEFAULT 0 CHECK (times_used >= 0),
    created_at      INTEGER NOT NULL
);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL UNIQUE, -- opaque, unguessable: "MM-" + 12 base32 chars
    user_id          INTEGER REFERENCES users (id),
    email            TEXT    NOT NULL,
    currency         TEXT    NOT NULL CHECK (length(currency) = 3),
    status           TEXT    NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'payment_failed', 'cancelled', 'expired')),
    subtotal_minor   INTEGER NOT NULL,
    shipping_minor   INTEGER NOT NULL,
    discount_minor   INTEGER NOT NULL,
    tax_minor        INTEGER NOT NULL,
    total_minor      INTEGER NOT NULL CHECK (total_minor >= 0),
    discount_code    TEXT,
    ship_name        TEXT    NOT NULL,
    ship_line1       TEXT    NOT NULL,
    ship_line2       TEXT    NOT NULL DEFAULT '',
    ship_city        TEXT    NOT NULL,
    ship_region      TEXT    NOT NULL DEFAULT '',
    ship_postal_code TEXT    NOT NULL,
    ship_country     TEXT    NOT NULL,
    -- Stock stays reserved for an unpaid order until then; a sweeper releases it after.
    reserved_until   INTEGER NOT NULL,
    stock_released   INTEGER NOT NULL DEFAULT 0 CHECK (stock_released IN (0, 1)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, created_at);
CREATE INDEX orders_unpaid ON orders (status, reserved_until);

-- Each store fulfils its own part of an order.
CREATE TABLE order_parts (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    merchant_id    INTEGER NOT NULL REFERENCES merchants (id),
    status         TEXT    NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'shipped', 'delivered', 'cancelled')),
    shipping_speed TEXT    NOT NULL CHECK (shipping_speed IN ('standard', 'express')),
    subtotal_minor INTEGER NOT NULL,
    shipping_minor INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    tax_minor      INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    UNIQUE (order_id, merchant_id)
);
CREATE INDEX order_parts_merchant ON order_parts (merchant_id, order_id);

CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    part_id          INTEGER NOT NULL REFERENCES order_parts (id) ON DELETE CASCADE,
    product_id       INTEGER NOT NULL REFERENCES products (id),
    variant_id       INTEGER NOT NULL REFERENCES product_variants (id),
    title            TEXT    NOT NULL,
    sku              TEXT    NOT NULL,
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    line_total_minor INTEGER NOT NULL
);
CREATE INDEX order_lines_part ON order_lines (part_id);

-- Only the card's brand and last four digits are ever stored.
CREATE TABLE payments (
    id                INTEGER PRIMARY KEY,
    order_id          INTEGER NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'failed')),
    currency          TEXT    NOT NULL,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor >= 0),
    captured_minor    INTEGER NOT NULL DEFAULT 0,
    refunded_minor    INTEGER NOT NULL DEFAULT 0,
    card_brand        TEXT    NOT NULL,
    card_last4        TEXT    NOT NULL CHECK (length(card_last4) = 4),
    gateway           TEXT    NOT NULL,
    gateway_reference TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- Every transition of a payment, in order.
CREATE TABLE payment_events (
    id                INTEGER PRIMARY KEY,
    payment_id        INTEGER NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL,
    amount_minor      INTEGER NOT NULL,
    outcome           TEXT    NOT NULL,
    gateway_reference TEXT,
    idempotency_key   TEXT    NOT NULL,
    at                INTEGER NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

-- A retried checkout with the same key returns the first outcome; the same key with a
-- different payload (fingerprint) is refused.
CREATE TABLE idempotency_keys (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    order_id    INTEGER REFERENCES orders (id) ON DELETE CASCADE,
    outcome     TEXT,   -- JSON of the first outcome once known
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
