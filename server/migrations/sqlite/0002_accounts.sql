-- Accounts, server-side sessions, login throttling, store membership, shipping addresses.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE, -- normalised: trimmed, lowercase
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,        -- Argon2id PHC string
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- Keys look like "email:ada@example.com" or "ip:203.0.113.7".
CREATE TABLE login_failures (
    key          TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- One store per account.
CREATE TABLE merchant_members (
    merchant_id INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'staff')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, user_id)
);

CREATE TABLE addresses (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    line1       TEXT    NOT NULL,
    line2       TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL,
    region      TEXT    NOT NULL DEFAULT '',
    postal_code TEXT    NOT NULL,
    country     TEXT    NOT NULL CHECK (length(country) = 2),
    phone       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id);
