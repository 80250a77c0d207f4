-- How many papers the account's mutes left out of a queued digest: the mail says so in one
-- line (the count is fixed when the digest is composed, like its papers).
ALTER TABLE digest_outbox ADD COLUMN hidden_muted INTEGER NOT NULL DEFAULT 0;
