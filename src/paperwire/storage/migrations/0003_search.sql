-- Search: stored embeddings (with the model that made them) and indexing watermarks.
-- vector holds float16 little-endian values; seq increases on every write so the vector
-- index can pick up changes incrementally.
CREATE TABLE paper_embeddings (
    paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE,
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    seq INTEGER NOT NULL,
    embedded_at TEXT NOT NULL
);
CREATE INDEX paper_embeddings_seq ON paper_embeddings (seq);
CREATE INDEX paper_embeddings_model ON paper_embeddings (model);

CREATE TABLE search_state (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO search_state (name, value) VALUES ('catalog_seq', 0);
INSERT INTO search_state (name, value) VALUES ('embedding_seq', 0)
