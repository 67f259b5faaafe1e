-- Product CSV imports: one row per uploaded file, with its progress (rows done of the total,
-- how many were written and refused), and the refused rows with their line and reason. The
-- products themselves are written to products / product_variants. Times are unix seconds.
CREATE TABLE import_jobs (
    id              INTEGER PRIMARY KEY,
    merchant_id     INTEGER NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    -- A retried upload carries the same key and finds this job instead of starting another.
    idempotency_key TEXT    NOT NULL,
    file_name       TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'rejected')),
    message         TEXT    NOT NULL DEFAULT '',
    total_rows      INTEGER NOT NULL DEFAULT 0,
    rows_done       INTEGER NOT NULL DEFAULT 0,
    ok_rows         INTEGER NOT NULL DEFAULT 0,
    failed_rows     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (merchant_id, idempotency_key)
);

CREATE TABLE import_job_errors (
    id      INTEGER PRIMARY KEY,
    job_id  INTEGER NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line    INTEGER NOT NULL,
    handle  TEXT    NOT NULL DEFAULT '',
    sku     TEXT    NOT NULL DEFAULT '',
    message TEXT    NOT NULL
);
CREATE INDEX import_job_errors_job ON import_job_errors (job_id, line);
