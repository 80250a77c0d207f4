-- Digests: subscribers, double opt-in confirmations, the outbox and what each digest held.
-- One outbox row per (subscriber, period), unique; a row is marked sent only after the mail
-- server accepted it. digest_items remembers the papers of every digest so that no paper is
-- sent twice to the same subscriber.
CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    username TEXT,
    status TEXT NOT NULL,
    frequency TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    preferences_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT,
    bounced_at TEXT
);
CREATE INDEX subscribers_status ON subscribers (status, frequency);
CREATE INDEX subscribers_username ON subscribers (username);

CREATE TABLE subscription_confirmations (
    token_hash TEXT PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX subscription_confirmations_subscriber
    ON subscription_confirmations (subscriber_id, created_at);

CREATE TABLE digest_outbox (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    message_id TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT,
    UNIQUE (subscriber_id, period)
);
CREATE INDEX digest_outbox_due ON digest_outbox (status, next_attempt_at);
CREATE INDEX digest_outbox_sent ON digest_outbox (sent_at);

CREATE TABLE digest_items (
    outbox_id INTEGER NOT NULL REFERENCES digest_outbox(id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE,
    section TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (outbox_id, paper_id)
);
CREATE INDEX digest_items_paper ON digest_items (paper_id, subscriber_id);
