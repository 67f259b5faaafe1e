-- One number that moves whenever something a storefront listing is built from changes: a
-- product (added, edited, published, hidden, moved, removed), a variant's price or title, a
-- variant selling out or coming back (not every unit sold: that would move it on every order),
-- a store's status or name, a category, a product's review totals. The in-process caches of the
-- category tree, the listing rows and the search vocabulary are kept per number, so a change made
-- through any instance shows on the next request on every instance (services::catalog_version).
--
-- The triggers are deferred constraint triggers: the row is bumped at commit, after every other
-- row the transaction locks, so two checkouts that sell out different products never wait for
-- each other in a cycle (one holding the number, the other a variant).
CREATE TABLE catalog_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction is enough: deferred, it runs after all of the transaction's changes
    -- (a CSV import of 10 000 products bumps once, not 30 000 times).
    IF current_setting('shop.catalog_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
    PERFORM set_config('shop.catalog_bumped', 'yes', true);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER catalog_version_products AFTER INSERT OR UPDATE OR DELETE ON products
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();

CREATE CONSTRAINT TRIGGER catalog_version_variants_insert_delete AFTER INSERT OR DELETE ON product_variants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();
CREATE CONSTRAINT TRIGGER catalog_version_variants_update AFTER UPDATE ON product_variants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.price_minor IS DISTINCT FROM NEW.price_minor OR OLD.compare_at_minor IS DISTINCT FROM NEW.compare_at_minor
       OR OLD.title IS DISTINCT FROM NEW.title OR OLD.option_values IS DISTINCT FROM NEW.option_values
       OR OLD.sku IS DISTINCT FROM NEW.sku OR OLD.product_id IS DISTINCT FROM NEW.product_id
       OR (OLD.stock > 0) <> (NEW.stock > 0))
    EXECUTE FUNCTION catalog_version_bump();

CREATE CONSTRAINT TRIGGER catalog_version_merchants_insert_delete AFTER INSERT OR DELETE ON merchants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();
CREATE CONSTRAINT TRIGGER catalog_version_merchants_update AFTER UPDATE ON merchants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION catalog_version_bump();

CREATE CONSTRAINT TRIGGER catalog_version_categories AFTER INSERT OR UPDATE OR DELETE ON categories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();

CREATE CONSTRAINT TRIGGER catalog_version_ratings AFTER INSERT OR UPDATE OR DELETE ON product_rating_stats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();
