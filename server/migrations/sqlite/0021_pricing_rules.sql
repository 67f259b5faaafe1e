-- The merchant's own shipping and the marketplace's tax rules (issue 17), priced by the same
-- `services::checkout::price` that charges.

-- A store's shipping zones: destination countries (a space-separated list of ISO codes, or '*'
-- for everywhere else) with standard rates by order value (bands: JSON [[from_minor, price_minor],
-- …], the first from 0) and an optional express price. A store with no zones ships everywhere at
-- the marketplace's default rates.
CREATE TABLE shipping_zones (
    id            INTEGER PRIMARY KEY,
    merchant_id   INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    countries     TEXT    NOT NULL CHECK (length(countries) > 0),
    bands         TEXT    NOT NULL,
    express_minor INTEGER CHECK (express_minor >= 0),
    created_at    INTEGER NOT NULL
);
CREATE INDEX shipping_zones_merchant ON shipping_zones (merchant_id, id);

-- Tax by destination: a country's rate, or a region's ('' = the whole country), in basis points.
CREATE TABLE tax_rates (
    country    TEXT    NOT NULL CHECK (length(country) = 2),
    region     TEXT    NOT NULL DEFAULT '',
    rate_bps   INTEGER NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (country, region)
);
-- The rates checkout used before they could be edited.
INSERT INTO tax_rates (country, region, rate_bps, updated_at) VALUES
    ('US', '', 0, 0), ('GB', '', 2000, 0), ('DE', '', 1900, 0), ('FR', '', 2000, 0), ('NL', '', 2100, 0),
    ('CA', '', 500, 0);
-- 'true': listed prices include tax (the tax line is the part of the price that is tax);
-- 'false': tax is added on top.
INSERT INTO marketplace_settings (key, value, updated_at) VALUES ('prices_include_tax', 'false', 0);
