-- Discount codes made in the dashboard (issue 17): a store's own codes (merchant_id; NULL is the
-- marketplace's), free shipping as a kind (value 0), and codes switched off without deleting
-- them (orders keep naming the code they used).
ALTER TABLE discount_codes DROP CONSTRAINT discount_codes_kind_check;
ALTER TABLE discount_codes ADD CONSTRAINT discount_codes_kind_check CHECK (kind IN ('percent', 'fixed', 'free_shipping'));
ALTER TABLE discount_codes DROP CONSTRAINT discount_codes_value_check;
ALTER TABLE discount_codes ADD CONSTRAINT discount_codes_value_check CHECK (value >= 0);
ALTER TABLE discount_codes ADD COLUMN merchant_id BIGINT REFERENCES merchants (id) ON DELETE CASCADE;
ALTER TABLE discount_codes ADD COLUMN active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
CREATE INDEX discount_codes_merchant ON discount_codes (merchant_id, created_at);
