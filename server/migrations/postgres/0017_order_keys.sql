-- A guest's order opens with a secret key (issue 13): 256 random bits handed to the browser that
-- placed it (the confirmation page's link and an HttpOnly cookie) and to the receipt e-mail's
-- link. Only its SHA-256 is stored, so a leaked row is not a live link. The order number alone
-- opens nothing. A retried checkout (same idempotency key and payload) gets a key of its own,
-- hence a table rather than a column: every key of an order stays valid.
CREATE TABLE order_access_keys (
    key_hash   TEXT   PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX order_access_keys_order ON order_access_keys (order_id);

-- A declined or expired order gives its discount code's use back, once: the flag is flipped by a
-- conditional update in the same transaction as the status change (like `stock_released`).
ALTER TABLE orders ADD COLUMN discount_released BIGINT NOT NULL DEFAULT 0 CHECK (discount_released IN (0, 1));
