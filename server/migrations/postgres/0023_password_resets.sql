-- Password reset by e-mail (issue 17): a single-use, expiring link per request. Only the token's
-- hash is stored (like sessions), so a database dump opens no account.
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT,
    created_at BIGINT  NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
