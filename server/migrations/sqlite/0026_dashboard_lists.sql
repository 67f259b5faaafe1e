-- The dashboard's reviews, inventory and products lists read by cursor (issue 17, item 4), so a
-- page costs the same on a store's first page as on its last.
-- A review's store, copied from its product when it is written (a product never changes store),
-- so a store's reviews are one index range instead of a walk through every store's reviews.
ALTER TABLE product_reviews ADD COLUMN merchant_id INTEGER REFERENCES merchants (id);
UPDATE product_reviews SET merchant_id = (SELECT merchant_id FROM products WHERE id = product_reviews.product_id);
CREATE INDEX product_reviews_merchant ON product_reviews (merchant_id, id);
-- "Waiting for a reply": only the unanswered ones, newest first.
CREATE INDEX product_reviews_unanswered ON product_reviews (merchant_id, id) WHERE merchant_reply IS NULL;
-- The products table by its default order (last changed first) and by title; the inventory
-- list walks the latter and each product's variants (product_variants_product).
CREATE INDEX products_merchant_updated ON products (merchant_id, updated_at, id);
CREATE INDEX products_merchant_title ON products (merchant_id, LOWER(title), id);
