"""What background work needs from storage: the mail queue and the submission queue.
Times are timezone-aware UTC datetimes.

Several processes may work the same queues: each claims a due item (``claim_*``: its next
try moved to ``until`` only if nobody moved it since it was read) before working on it, so an
item is worked by one process at a time, and again by any after ``until`` if that one died."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from paperwire.models_queues import QueuedMail, QueuedSubmission


class QueueStore(Protocol):
    # -- mail ------------------------------------------------------------------------
    def enqueue_mail(self, recipient: str, subject: str, message: str, status: str,
                     now: datetime) -> int: ...

    def due_mail(self, now: datetime, limit: int) -> list[QueuedMail]: ...

    def claim_mail(self, mail_id: int, seen_next_try: datetime, until: datetime) -> bool: ...

    def mark_mail(self, mail_id: int, status: str, attempts: int, next_try_at: datetime,
                  error: str | None, now: datetime) -> None: ...

    def list_mail(self, limit: int) -> list[QueuedMail]: ...

    def get_mail(self, mail_id: int) -> QueuedMail | None: ...

    # -- submissions -----------------------------------------------------------------
    def enqueue_submission(self, user_id: int, arxiv_id: str, comment: str | None,
                           now: datetime) -> bool: ...

    def due_submissions(self, now: datetime, limit: int) -> list[QueuedSubmission]: ...

    def claim_submission(self, submission_id: int, seen_next_try: datetime,
                         until: datetime) -> bool: ...

    def mark_submission(self, submission_id: int, status: str, attempts: int,
                        next_try_at: datetime, error: str | None,
                        paper_id: str | None) -> None: ...

    def get_queued_submission(self, user_id: int, arxiv_id: str) -> QueuedSubmission | None: ...

    def user_submission_queue(self, user_id: int, limit: int) -> list[QueuedSubmission]: ...
