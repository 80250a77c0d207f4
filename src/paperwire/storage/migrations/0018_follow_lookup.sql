-- The newest papers of a followed author or arXiv category come from two lookup tables
-- (see storage/facets.py): one row per paper and author name (ASCII-lowered, as lower() has
-- always matched them) or category, keyed (key, newest, paper id). newest is minus the
-- publication time in microseconds since the epoch (2^62 without one), so that the primary
-- key's ascending order is newest first. The store keeps them in step with every paper write;
-- here they are filled in once from the papers already stored (published_at is UTC text of
-- one fixed width since version 10).
CREATE TABLE paper_authors (
    name_key TEXT NOT NULL,
    newest INTEGER NOT NULL,
    paper_id TEXT NOT NULL,
    PRIMARY KEY (name_key, newest, paper_id)
) WITHOUT ROWID;

CREATE TABLE paper_categories (
    category TEXT NOT NULL,
    newest INTEGER NOT NULL,
    paper_id TEXT NOT NULL,
    PRIMARY KEY (category, newest, paper_id)
) WITHOUT ROWID;

INSERT INTO paper_authors (name_key, newest, paper_id)
SELECT DISTINCT lower(json_extract(a.value, '$.name')),
    CASE WHEN p.published_at IS NULL THEN 4611686018427387904
    ELSE -(CAST(strftime('%s', substr(p.published_at, 1, 19)) AS INTEGER) * 1000000
           + CAST(substr(p.published_at, 21, 6) AS INTEGER)) END,
    p.id
FROM papers p, json_each(p.authors_json) a
WHERE json_type(a.value, '$.name') = 'text' AND json_extract(a.value, '$.name') <> '';

WITH RECURSIVE split (paper_id, published_at, token, rest) AS (
    SELECT id, published_at, '', categories || ' ' FROM papers
    UNION ALL
    SELECT paper_id, published_at, substr(rest, 1, instr(rest, ' ') - 1),
        substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO paper_categories (category, newest, paper_id)
SELECT DISTINCT lower(token),
    CASE WHEN published_at IS NULL THEN 4611686018427387904
    ELSE -(CAST(strftime('%s', substr(published_at, 1, 19)) AS INTEGER) * 1000000
           + CAST(substr(published_at, 21, 6) AS INTEGER)) END,
    paper_id
FROM split WHERE token <> ''
