-- One stored timestamp format (see the portable 0010_utc_timestamps.sql). Every timestamp a
-- PostgreSQL store has written is in that format already (storage/rows.ts): nothing to rewrite.
SELECT 1;
