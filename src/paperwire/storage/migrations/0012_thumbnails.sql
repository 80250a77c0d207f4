-- First-page thumbnails of arXiv papers: the key (a hash of the picture, used in its URL and
-- ETag) once made, and how many tries failed (papers are not tried again after a few).
ALTER TABLE papers ADD COLUMN thumbnail TEXT;
ALTER TABLE papers ADD COLUMN thumbnail_tries INTEGER NOT NULL DEFAULT 0;
