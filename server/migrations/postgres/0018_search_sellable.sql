-- The search index (and so its vocabulary: completions, typo corrections) holds only what a
-- shopper may buy: published products of active stores; any other product's search_vector is
-- NULL, which matches nothing and is left out of the GIN index's matches and of ts_stat. Before,
-- drafts and the products of pending or suspended stores were matched and filtered after the
-- 240-hit cut-off, so anyone who opened a store could crowd real products out of a popular
-- search and plant completions. The triggers keep the vector in step with a product's status
-- and its store's status and name.
CREATE OR REPLACE FUNCTION products_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'published'
       OR NOT EXISTS (SELECT 1 FROM merchants WHERE id = NEW.merchant_id AND status = 'active') THEN
        NEW.search_vector := NULL;
        RETURN NEW;
    END IF;
    NEW.search_vector :=
        setweight(to_tsvector('simple', shop_fold(coalesce(NEW.title, ''))), 'A') ||
        setweight(to_tsvector('simple', shop_fold(coalesce((SELECT name FROM categories WHERE id = NEW.category_id), ''))), 'B') ||
        setweight(to_tsvector('simple', shop_fold(coalesce((SELECT name FROM merchants WHERE id = NEW.merchant_id), ''))), 'B') ||
        setweight(to_tsvector('simple', shop_fold(coalesce(NEW.description, ''))), 'C');
    RETURN NEW;
END
$$;

DROP TRIGGER products_search_refresh ON products;
CREATE TRIGGER products_search_refresh BEFORE INSERT OR UPDATE OF title, description, category_id, merchant_id, status
    ON products FOR EACH ROW EXECUTE FUNCTION products_search_refresh();

-- A store approved, suspended or renamed: its products' vectors are rebuilt (or cleared) by
-- touching their status, which runs the trigger above.
CREATE FUNCTION merchants_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products SET status = status WHERE merchant_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER merchants_search_refresh AFTER UPDATE OF status, name ON merchants FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION merchants_search_refresh();

UPDATE products SET search_vector = NULL
WHERE status <> 'published' OR merchant_id IN (SELECT id FROM merchants WHERE status <> 'active');
