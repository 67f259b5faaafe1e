-- Staff invitations and e-mail verification (issue 17, "Go live, part 2", item 2).
-- Accounts that existed before this migration (the demo shop's, admins made by `create-admin`)
-- count as verified: they were made by an operator or before the rule existed.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
UPDATE users SET email_verified_at = created_at;

-- A single-use, expiring link that proves an account owns its address. Only the token's hash is
-- stored (like sessions and password resets).
CREATE TABLE email_verifications (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);

-- An owner's invitation of an address to join the store as staff: single use, expiring, only the
-- token's hash stored. One pending invitation per store and address (inviting again refreshes
-- it); accepted ones stay as history. Revoking deletes the row.
CREATE TABLE staff_invitations (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX staff_invitations_pending ON staff_invitations (merchant_id, email) WHERE accepted_at IS NULL;
