-- The dashboard at a real store's size (issue 17): every list is read by cursor, and the orders
-- search is a set of indexed lookups, so neither grows with the store's orders.
-- A store's queue filtered by status, newest first (the unfiltered queue uses order_parts_merchant).
CREATE INDEX order_parts_merchant_status ON order_parts (merchant_id, status, order_id);
-- Orders by the customer's e-mail (exact or its start) and by the start of the ship-to name.
CREATE INDEX orders_email ON orders (email);
CREATE INDEX orders_ship_name ON orders (LOWER(ship_name));
-- Orders holding a SKU.
CREATE INDEX order_lines_sku ON order_lines (sku);
