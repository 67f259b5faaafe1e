-- One number that moves whenever something a storefront listing is built from changes: a
-- product (added, edited, published, hidden, moved, removed), a variant's price or title, a
-- variant selling out or coming back (not every unit sold: that would move it on every order),
-- a store's status or name, a category, a product's review totals. The in-process caches of the
-- category tree, the listing rows and the search vocabulary are kept per number, so a change made
-- through any instance shows on the next request on every instance (services::catalog_version).
CREATE TABLE catalog_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TRIGGER catalog_version_products_insert AFTER INSERT ON products
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_products_update AFTER UPDATE ON products
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_products_delete AFTER DELETE ON products
BEGIN UPDATE catalog_version SET version = version + 1; END;

CREATE TRIGGER catalog_version_variants_insert AFTER INSERT ON product_variants
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_variants_update AFTER UPDATE ON product_variants
WHEN OLD.price_minor IS NOT NEW.price_minor OR OLD.compare_at_minor IS NOT NEW.compare_at_minor
  OR OLD.title IS NOT NEW.title OR OLD.option_values IS NOT NEW.option_values OR OLD.sku IS NOT NEW.sku
  OR OLD.product_id IS NOT NEW.product_id OR (OLD.stock > 0) <> (NEW.stock > 0)
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_variants_delete AFTER DELETE ON product_variants
BEGIN UPDATE catalog_version SET version = version + 1; END;

CREATE TRIGGER catalog_version_merchants_insert AFTER INSERT ON merchants
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_merchants_update AFTER UPDATE ON merchants
WHEN OLD.status IS NOT NEW.status OR OLD.name IS NOT NEW.name OR OLD.slug IS NOT NEW.slug
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_merchants_delete AFTER DELETE ON merchants
BEGIN UPDATE catalog_version SET version = version + 1; END;

CREATE TRIGGER catalog_version_categories_insert AFTER INSERT ON categories
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_categories_update AFTER UPDATE ON categories
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_categories_delete AFTER DELETE ON categories
BEGIN UPDATE catalog_version SET version = version + 1; END;

CREATE TRIGGER catalog_version_ratings_insert AFTER INSERT ON product_rating_stats
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_ratings_update AFTER UPDATE ON product_rating_stats
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_ratings_delete AFTER DELETE ON product_rating_stats
BEGIN UPDATE catalog_version SET version = version + 1; END;
