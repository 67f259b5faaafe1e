-- Full-text search over products: a weighted tsvector (title A, category and store B,
-- description C) kept current by a trigger, with a GIN index. Accents are folded with
-- translate() so no extension is needed; the 'simple' configuration keeps words as typed.
ALTER TABLE products ADD COLUMN search_vector tsvector;

CREATE FUNCTION shop_fold(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT translate(lower($1),
        'àáâãäåçèéêëìíîïñòóôõöøùúûüýÿß',
        'aaaaaaceeeeiiiinoooooouuuuyys')
$$;

CREATE FUNCTION products_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', shop_fold(coalesce(NEW.title, ''))), 'A') ||
        setweight(to_tsvector('simple', shop_fold(coalesce((SELECT name FROM categories WHERE id = NEW.category_id), ''))), 'B') ||
        setweight(to_tsvector('simple', shop_fold(coalesce((SELECT name FROM merchants WHERE id = NEW.merchant_id), ''))), 'B') ||
        setweight(to_tsvector('simple', shop_fold(coalesce(NEW.description, ''))), 'C');
    RETURN NEW;
END
$$;

CREATE TRIGGER products_search_refresh BEFORE INSERT OR UPDATE OF title, description, category_id, merchant_id
    ON products FOR EACH ROW EXECUTE FUNCTION products_search_refresh();

UPDATE products SET title = title;
CREATE INDEX products_search ON products USING GIN (search_vector);
