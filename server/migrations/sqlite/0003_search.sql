-- Full-text search over products: title, category and store names, description.
-- rowid = products.id. unicode61 folds case and diacritics; prefix indexes serve search-as-you-type.
CREATE VIRTUAL TABLE product_search USING fts5 (
    title, category, merchant, description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- Every indexed word with the number of products that contain it (typo correction).
CREATE VIRTUAL TABLE product_search_terms USING fts5vocab (product_search, 'row');

CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_search (rowid, title, category, merchant, description)
    VALUES (new.id, new.title,
            (SELECT name FROM categories WHERE id = new.category_id),
            (SELECT name FROM merchants WHERE id = new.merchant_id),
            new.description);
END;

CREATE TRIGGER products_search_update AFTER UPDATE OF title, description, category_id, merchant_id ON products BEGIN
    DELETE FROM product_search WHERE rowid = old.id;
    INSERT INTO product_search (rowid, title, category, merchant, description)
    VALUES (new.id, new.title,
            (SELECT name FROM categories WHERE id = new.category_id),
            (SELECT name FROM merchants WHERE id = new.merchant_id),
            new.description);
END;

CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    DELETE FROM product_search WHERE rowid = old.id;
END;

INSERT INTO product_search (rowid, title, category, merchant, description)
SELECT p.id, p.title, c.name, m.name, p.description
FROM products p JOIN categories c ON c.id = p.category_id JOIN merchants m ON m.id = p.merchant_id;
