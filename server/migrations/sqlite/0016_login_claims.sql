-- Sign-in and sign-up throttles count an attempt before the password is checked, and decide in
-- the same statement whether it may go ahead; `admitted` is that decision, read back with
-- RETURNING (SQLite cannot return the row's old values). Keys: "ip:…", "login:…|…",
-- "account:…", "register:…" (see app/src/services/accounts.rs).
ALTER TABLE login_failures ADD COLUMN admitted INTEGER NOT NULL DEFAULT 1 CHECK (admitted IN (0, 1));
