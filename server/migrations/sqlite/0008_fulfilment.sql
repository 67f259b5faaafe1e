-- After payment: the part lifecycle widened (processing, partially shipped, refunded), shipments
-- with their lines and carrier tracking events, refunds with their lines, and returns.
-- Money is integer minor units; times are unix seconds.

-- SQLite cannot alter a CHECK, so order_parts is rebuilt. The runner applies this file in one
-- transaction with foreign keys on, where dropping order_parts would cascade into order_lines
-- (and PRAGMA foreign_keys is a no-op inside a transaction): the lines are set aside in a
-- temporary table and put back, ids and all, before the transaction commits. Nothing else
-- references order_parts yet.
CREATE TEMP TABLE keep_order_lines AS SELECT * FROM order_lines;

CREATE TABLE order_parts_new (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    merchant_id    INTEGER NOT NULL REFERENCES merchants (id),
    status         TEXT    NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'processing', 'partially_shipped',
                                                      'shipped', 'delivered', 'cancelled', 'refunded')),
    shipping_speed TEXT    NOT NULL CHECK (shipping_speed IN ('standard', 'express')),
    subtotal_minor INTEGER NOT NULL,
    shipping_minor INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    tax_minor      INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    -- Refunded so far (refunds in flight included): never above total_minor.
    refunded_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= total_minor),
    -- Bumped by every change after payment: writers update only the version they read.
    version        INTEGER NOT NULL DEFAULT 0,
    delivered_at   INTEGER,
    cancelled_at   INTEGER,
    cancel_reason  TEXT,
    -- The part's reserved stock went back on the shelf (cancelled): never twice.
    stock_released INTEGER NOT NULL DEFAULT 0 CHECK (stock_released IN (0, 1)),
    UNIQUE (order_id, merchant_id)
);
INSERT INTO order_parts_new (id, order_id, merchant_id, status, shipping_speed, subtotal_minor, shipping_minor,
    discount_minor, tax_minor, total_minor)
SELECT id, order_id, merchant_id, status, shipping_speed, subtotal_minor, shipping_minor, discount_minor, tax_minor,
    total_minor FROM order_parts;
DROP TABLE order_parts;
ALTER TABLE order_parts_new RENAME TO order_parts;
CREATE INDEX order_parts_merchant ON order_parts (merchant_id, order_id);
INSERT INTO order_lines SELECT * FROM keep_order_lines;
DROP TABLE keep_order_lines;

-- A line's share of what was paid (see domain::refund::line_shares) bounds its refunds.
ALTER TABLE order_lines ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0);

CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY,
    part_id         INTEGER NOT NULL REFERENCES order_parts (id) ON DELETE CASCADE,
    carrier         TEXT    NOT NULL, -- Carrier::code
    tracking_number TEXT    NOT NULL, -- normalised by the carrier's rules
    status          TEXT    NOT NULL CHECK (status IN ('label_created', 'picked_up', 'in_transit', 'out_for_delivery',
                                                       'delivered', 'delivery_exception')),
    -- /track/{token}: 128 random bits, hex.
    token           TEXT    NOT NULL UNIQUE,
    -- Bumped with every recorded event: the public page polls it.
    version         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (carrier, tracking_number)
);
CREATE INDEX shipments_part ON shipments (part_id);
CREATE INDEX shipments_open ON shipments (status, created_at);

CREATE TABLE shipment_lines (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    line_id     INTEGER NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, line_id)
);
CREATE INDEX shipment_lines_line ON shipment_lines (line_id);

-- Carrier events, once per (carrier, event id); `at` is when it happened, `received_at` when
-- it reached us.
CREATE TABLE tracking_events (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    carrier     TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('label_created', 'picked_up', 'in_transit', 'out_for_delivery',
                                                 'delivered', 'exception')),
    at          INTEGER NOT NULL,
    location    TEXT,
    description TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (carrier, event_id)
);
CREATE INDEX tracking_events_shipment ON tracking_events (shipment_id, at);

CREATE TABLE returns (
    id               INTEGER PRIMARY KEY,
    part_id          INTEGER NOT NULL REFERENCES order_parts (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'received', 'refunded')),
    reason           TEXT    NOT NULL,
    rejection_reason TEXT,
    requested_at     INTEGER NOT NULL,
    decided_at       INTEGER,
    received_at      INTEGER,
    refunded_at      INTEGER
);
CREATE INDEX returns_part ON returns (part_id);

CREATE TABLE return_lines (
    return_id INTEGER NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
    line_id   INTEGER NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, line_id)
);

-- Money going back to the shopper: reserved (pending) before the gateway is asked, then
-- succeeded, or failed and its amounts given back to the part, lines and payment.
CREATE TABLE refunds (
    id                INTEGER PRIMARY KEY,
    part_id           INTEGER NOT NULL REFERENCES order_parts (id) ON DELETE CASCADE,
    payment_id        INTEGER NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    return_id         INTEGER REFERENCES returns (id) ON DELETE SET NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('refund', 'cancel', 'return')),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    idempotency_key   TEXT    NOT NULL UNIQUE,
    gateway_reference TEXT,
    created_at        INTEGER NOT NULL,
    completed_at      INTEGER
);
CREATE INDEX refunds_part ON refunds (part_id);

CREATE TABLE refund_lines (
    refund_id    INTEGER NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
    line_id      INTEGER NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (refund_id, line_id)
);
