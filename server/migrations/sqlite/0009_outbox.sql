-- The outbox of messages to shoppers (order confirmation, shipped, delivered, refund issued,
-- return decision), rendered when queued and delivered by a background sender with retries.
-- Times are unix seconds.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    -- Names the event the message is about ("order-confirmation:MM-…"): queued once.
    dedupe_key      TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    -- A sender's lease while sending: another instance may take the message only after it.
    locked_until    INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);

-- The sender's question: what is due now?
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
