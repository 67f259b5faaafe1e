-- The search index (and so its vocabulary: completions, typo corrections) holds only what a
-- shopper may buy: published products of active stores. Before, drafts and the products of
-- pending or suspended stores were indexed and filtered after the 240-hit cut-off, so anyone
-- who opened a store could crowd real products out of a popular search and plant completions.
-- The triggers keep the index in step with a product's status and its store's status and name.
DROP TRIGGER products_search_insert;
DROP TRIGGER products_search_update;

CREATE TRIGGER products_search_insert AFTER INSERT ON products
WHEN new.status = 'published' AND (SELECT status FROM merchants WHERE id = new.merchant_id) = 'active'
BEGIN
    INSERT INTO product_search (rowid, title, category, merchant, description)
    VALUES (new.id, new.title,
            (SELECT name FROM categories WHERE id = new.category_id),
            (SELECT name FROM merchants WHERE id = new.merchant_id),
            new.description);
END;

CREATE TRIGGER products_search_update AFTER UPDATE OF title, description, category_id, merchant_id, status ON products
BEGIN
    DELETE FROM product_search WHERE rowid = old.id;
    INSERT INTO product_search (rowid, title, category, merchant, description)
    SELECT new.id, new.title, (SELECT name FROM categories WHERE id = new.category_id), m.name, new.description
    FROM merchants m
    WHERE m.id = new.merchant_id AND m.status = 'active' AND new.status = 'published';
END;

-- A store approved, suspended or renamed: its products enter, leave or are re-indexed.
CREATE TRIGGER merchants_search_update AFTER UPDATE OF status, name ON merchants
WHEN old.status IS NOT new.status OR old.name IS NOT new.name
BEGIN
    DELETE FROM product_search WHERE rowid IN (SELECT id FROM products WHERE merchant_id = new.id);
    INSERT INTO product_search (rowid, title, category, merchant, description)
    SELECT p.id, p.title, c.name, new.name, p.description
    FROM products p JOIN categories c ON c.id = p.category_id
    WHERE p.merchant_id = new.id AND p.status = 'published' AND new.status = 'active';
END;

DELETE FROM product_search WHERE rowid IN (
    SELECT p.id FROM products p JOIN merchants m ON m.id = p.merchant_id
    WHERE p.status <> 'published' OR m.status <> 'active'
);
