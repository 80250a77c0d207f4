-- How far ``paperwire db copy`` got into this database, one row per copied table: the key of
-- the last row copied, written in the same transaction as the rows, so that a copy killed at
-- any point resumes after the last committed batch. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE copy_state (
    table_name TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    last_key TEXT,
    copied INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0
);
