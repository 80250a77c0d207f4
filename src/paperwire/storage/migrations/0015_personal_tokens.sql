-- Personal tokens: API tokens (sent as "Authorization: Bearer ...") and private feed URLs
-- (For you, follows, one collection). Only the SHA-256 of a token is kept; revoking deletes
-- the row. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE personal_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('api', 'feed')),
    scope TEXT NOT NULL,
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX personal_tokens_user ON personal_tokens (user_id, kind);
