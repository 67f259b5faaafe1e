-- Catalog: stores, a category tree, products with variants and images.
-- Money is integer minor units; times are unix seconds.
CREATE TABLE merchants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL CHECK (length(name) > 0),
    description TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'suspended')),
    created_at  INTEGER NOT NULL
);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL CHECK (length(name) > 0),
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    merchant_id  INTEGER NOT NULL REFERENCES merchants (id),
    category_id  INTEGER NOT NULL REFERENCES categories (id),
    slug         TEXT    NOT NULL UNIQUE,
    title        TEXT    NOT NULL CHECK (length(title) > 0),
    description  TEXT    NOT NULL DEFAULT '',
    option_names TEXT    NOT NULL DEFAULT '[]', -- JSON array, e.g. ["Size","Colour"]
    status       TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX products_category ON products (category_id, status, created_at);
CREATE INDEX products_merchant ON products (merchant_id, status);
CREATE INDEX products_newest ON products (status, created_at);

-- A SKU is unique within its store, not across the marketplace.
CREATE TABLE product_variants (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    merchant_id      INTEGER NOT NULL REFERENCES merchants (id),
    sku              TEXT    NOT NULL CHECK (length(sku) > 0),
    title            TEXT    NOT NULL,
    option_values    TEXT    NOT NULL DEFAULT '[]', -- JSON array, one value per option name
    price_minor      INTEGER NOT NULL CHECK (price_minor >= 0),
    compare_at_minor INTEGER CHECK (compare_at_minor IS NULL OR compare_at_minor >= 0),
    stock            INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    position         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (merchant_id, sku)
);
CREATE INDEX product_variants_product ON product_variants (product_id, position);

CREATE TABLE product_images (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT    NOT NULL,
    alt        TEXT    NOT NULL DEFAULT '',
    UNIQUE (product_id, position)
);
