-- Title matching looks papers up by a 64-bit hash of the normalized title (see the portable
-- 0006_title_hash.sql). PostgreSQL has no paperwire_title_hash function: the store fills the
-- column from Python (ids.title_hash) on every write, and a PostgreSQL database starts from
-- an empty catalog at version 1, so there are no rows to fill here.
ALTER TABLE papers ADD COLUMN title_hash INTEGER NOT NULL DEFAULT 0;
DROP INDEX papers_title_key;
CREATE INDEX papers_title_hash ON papers (title_hash);
