-- The follow lookup tables of the portable 0018_follow_lookup.sql, filled in the same way:
-- translate() lowers ASCII letters only (as SQLite's lower() and the store's fold_key do).
CREATE TABLE paper_authors (
    name_key TEXT NOT NULL,
    newest INTEGER NOT NULL,
    paper_id TEXT NOT NULL,
    PRIMARY KEY (name_key, newest, paper_id)
);

CREATE TABLE paper_categories (
    category TEXT NOT NULL,
    newest INTEGER NOT NULL,
    paper_id TEXT NOT NULL,
    PRIMARY KEY (category, newest, paper_id)
);

INSERT INTO paper_authors (name_key, newest, paper_id)
SELECT DISTINCT translate(a.value ->> 'name', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                          'abcdefghijklmnopqrstuvwxyz'),
    CASE WHEN p.published_at IS NULL THEN 4611686018427387904
    ELSE -(CAST(extract(epoch FROM CAST(substr(p.published_at, 1, 19) AS timestamp))
                AS INTEGER) * 1000000
           + CAST(substr(p.published_at, 21, 6) AS INTEGER)) END,
    p.id
FROM papers p, jsonb_array_elements(p.authors_json::jsonb) a
WHERE jsonb_typeof(a.value -> 'name') = 'string' AND a.value ->> 'name' <> '';

INSERT INTO paper_categories (category, newest, paper_id)
SELECT DISTINCT translate(c.token, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
    CASE WHEN p.published_at IS NULL THEN 4611686018427387904
    ELSE -(CAST(extract(epoch FROM CAST(substr(p.published_at, 1, 19) AS timestamp))
                AS INTEGER) * 1000000
           + CAST(substr(p.published_at, 21, 6) AS INTEGER)) END,
    p.id
FROM papers p, unnest(string_to_array(p.categories, ' ')) AS c (token)
WHERE c.token <> ''
