"""Domain objects of work done in the background: queued mail and queued submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QueuedMail:
    """One message in the mail queue. ``status``: queued (waiting for the mail server), sent,
    kept (the outbox mailer keeps messages for reading on /dev/mail) or failed (refused)."""

    id: int
    recipient: str
    subject: str
    message: str
    status: str
    attempts: int
    next_try_at: datetime
    created_at: datetime
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class QueuedSubmission:
    """A submission whose paper is being fetched from arXiv. ``status``: queued (not fetched
    yet, or to be retried at ``next_try_at``), done (on the daily list) or failed (for good)."""

    id: int
    username: str
    arxiv_id: str
    comment: str | None
    status: str
    attempts: int
    next_try_at: datetime
    created_at: datetime
    last_error: str | None = None
    paper_id: str | None = None
