-- Catalog: papers, organizations, daily submissions, id aliases, import log.
-- Portable SQL (SQLite and PostgreSQL). Every table that refers to a paper declares
-- REFERENCES papers(id) ON UPDATE CASCADE so that merging a derived id into an arXiv id
-- carries every reference along.
CREATE TABLE papers (
    id TEXT PRIMARY KEY,
    version INTEGER,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    authors_json TEXT NOT NULL DEFAULT '[]',
    author_count INTEGER NOT NULL DEFAULT 0,
    categories TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    updated_at TEXT,
    pdf_url TEXT,
    github_repo TEXT,
    github_stars INTEGER,
    project_page TEXT,
    ai_keywords_json TEXT NOT NULL DEFAULT '[]',
    imported_upvotes INTEGER NOT NULL DEFAULT 0,
    upvotes INTEGER NOT NULL DEFAULT 0,
    num_comments INTEGER NOT NULL DEFAULT 0,
    withdrawn_at TEXT,
    id_is_derived INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL,
    row_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX papers_title_key ON papers (title_key);
CREATE INDEX papers_published ON papers (published_at);
CREATE INDEX papers_row_seq ON papers (row_seq);

CREATE TABLE paper_aliases (
    old_id TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE organizations (
    name TEXT PRIMARY KEY,
    fullname TEXT NOT NULL,
    avatar TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE paper_organizations (
    paper_id TEXT NOT NULL REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE,
    organization TEXT NOT NULL REFERENCES organizations(name) ON UPDATE CASCADE ON DELETE CASCADE,
    PRIMARY KEY (paper_id, organization)
);

CREATE TABLE daily_submissions (
    paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE,
    day TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT,
    comment TEXT
);
CREATE INDEX daily_submissions_day ON daily_submissions (day);

CREATE TABLE import_log (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    records_read INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    error_sample TEXT NOT NULL DEFAULT ''
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('paper_seq', 0);
