-- Per-client limits and login delays (events counted in a sliding window, shared by every
-- process on the database), the write probe of /healthz, and claims of imported author
-- handles by local accounts. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE rate_events (
    id INTEGER PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (bucket, key, at);
CREATE INDEX rate_events_at ON rate_events (at);

CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);

CREATE TABLE author_claims (
    handle_key TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    via TEXT NOT NULL,
    approved_at TEXT NOT NULL
);
CREATE INDEX author_claims_user ON author_claims (user_id);
