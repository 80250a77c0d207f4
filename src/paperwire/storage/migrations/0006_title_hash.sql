-- Title matching looks papers up by a 64-bit hash of the normalized title (then compares the
-- title itself): an index of 8-byte keys is a quarter of one of whole titles, and bulk
-- imports, which insert titles in random order, rewrite that many fewer index pages.
-- paperwire_title_hash is the store's function for ids.title_hash (registered on every
-- connection; a PostgreSQL store fills the column from Python the same way).
ALTER TABLE papers ADD COLUMN title_hash INTEGER NOT NULL DEFAULT 0;
UPDATE papers SET title_hash = paperwire_title_hash(title_key);
DROP INDEX papers_title_key;
CREATE INDEX papers_title_hash ON papers (title_hash);
