-- Every successful add to a cart, kept after checkout empties the cart: the analytics funnel
-- (product views → adds to cart → orders) counts them per store and day. Written by the cart
-- store's add in the same transaction as the cart line. Times are unix seconds.
CREATE TABLE cart_adds (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id  INTEGER NOT NULL,
    -- Who added: a signed-in shopper, or the SHA-256 of a guest's cart cookie token.
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    guest_hash  TEXT,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    at          INTEGER NOT NULL
);
CREATE INDEX cart_adds_store ON cart_adds (merchant_id, at);
