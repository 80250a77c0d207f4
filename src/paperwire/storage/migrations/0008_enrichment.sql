-- Enrichment: GitHub repository stars fetched by the daily step (with the ETag for
-- conditional requests) and the watermarks of the enrichment passes.
CREATE TABLE github_repos (
    repo TEXT PRIMARY KEY,
    stars INTEGER,
    etag TEXT,
    status INTEGER,
    checked_at TEXT NOT NULL
);
CREATE INDEX papers_github_repo ON papers (github_repo);

CREATE TABLE enrichment_state (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
