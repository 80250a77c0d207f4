-- Work queued by the web site and done in the background: outgoing mail (kept until the mail
-- server takes it, or for reading on /dev/mail with the outbox mailer) and submissions whose
-- paper must first be fetched from arXiv. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE mail_queue (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'kept', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX mail_queue_due ON mail_queue (status, next_try_at);

CREATE TABLE submission_queue (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    arxiv_id TEXT NOT NULL,
    comment TEXT,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    last_error TEXT,
    paper_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, arxiv_id)
);
CREATE INDEX submission_queue_due ON submission_queue (status, next_try_at);
