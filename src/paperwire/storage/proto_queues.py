"""What background work needs from storage: the mail queue and the submission queue.
Times are timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from paperwire.models_queues import QueuedMail, QueuedSubmission


class QueueStore(Protocol):
    # -- mail ------------------------------------------------------------------------
    def enqueue_mail(self, recipient: str, subject: str, message: str, status: str,
                     now: datetime) -> int: ...

    def due_mail(self, now: datetime, limit: int) -> list[QueuedMail]: ...

    def claim_due_mail(self, now: datetime, limit: int, until: datetime) -> list[QueuedMail]:
        """Take due messages for delivery: each is due again only at ``until`` (unless marked
        before), so that two workers never take the same message."""
        ...

    def mark_mail(self, mail_id: int, status: str, attempts: int, next_try_at: datetime,
                  error: str | None, now: datetime) -> None: ...

    def list_mail(self, limit: int) -> list[QueuedMail]: ...

    def get_mail(self, mail_id: int) -> QueuedMail | None: ...

    # -- submissions -----------------------------------------------------------------
    def enqueue_submission(self, user_id: int, arxiv_id: str, comment: str | None,
                           now: datetime) -> bool: ...

    def due_submissions(self, now: datetime, limit: int) -> list[QueuedSubmission]: ...

    def claim_due_submissions(self, now: datetime, limit: int,
                              until: datetime) -> list[QueuedSubmission]:
        """Take due submissions, as ``claim_due_mail`` takes messages."""
        ...

    def mark_submission(self, submission_id: int, status: str, attempts: int,
                        next_try_at: datetime, error: str | None,
                        paper_id: str | None) -> None: ...

    def get_queued_submission(self, user_id: int, arxiv_id: str) -> QueuedSubmission | None: ...

    def user_submission_queue(self, user_id: int, limit: int) -> list[QueuedSubmission]: ...
