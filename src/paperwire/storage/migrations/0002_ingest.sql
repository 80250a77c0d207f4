-- Ingest: checkpoints of resumable jobs and the request gate shared by every process.
-- A checkpoint is written in the same transaction as the records it covers.
CREATE TABLE ingest_checkpoints (
    name TEXT PRIMARY KEY,
    state_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per remote service: who holds the single request slot (until when), and the
-- earliest time (seconds since the epoch) the next request may start.
CREATE TABLE ingest_gates (
    name TEXT PRIMARY KEY,
    holder TEXT,
    lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    next_at DOUBLE PRECISION NOT NULL DEFAULT 0
);
