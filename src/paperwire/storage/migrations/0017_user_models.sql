-- Trained "For you" models, one per user, kept across processes: the signals version it was
-- trained for, when, the encoded model (dense weights, nonzero keyword weights and the idf
-- reference, compressed) and when a request of the user last trained it. Portable SQL.
CREATE TABLE user_models (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    trained_at TEXT NOT NULL,
    requested_at TEXT,
    data BLOB NOT NULL,
    PRIMARY KEY (user_id)
);
CREATE INDEX user_models_requested ON user_models (requested_at);
