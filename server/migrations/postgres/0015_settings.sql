-- Marketplace-wide settings the platform admin changes at runtime (key → value).
CREATE TABLE marketplace_settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
-- 'automatic': checkout authorizes and captures at once; 'manual': checkout only authorizes and
-- the money is taken from /admin/payments.
INSERT INTO marketplace_settings (key, value, updated_at) VALUES ('capture_mode', 'automatic', 0);

-- Where shoppers can write to a store (shown on its orders); empty means the platform's address.
ALTER TABLE merchants ADD COLUMN support_email TEXT NOT NULL DEFAULT '';

CREATE INDEX payments_status ON payments (status, created_at);
