"""Submitting a paper the catalog does not have yet: the fetch from arXiv is queued and done by
a background thread, so a slow or unreachable arXiv never holds the page. The submit page waits
a few seconds for the first try; after that the submission shows on the user's page with its
state in plain words ("arXiv could not be reached; retrying at 14:05 UTC")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SourceError
from paperwire.ids import parse_arxiv_id
from paperwire.models import DailyEntry, IncomingPaper
from paperwire.models_community import User
from paperwire.models_queues import QueuedSubmission
from paperwire.services import community
from paperwire.services.background import WorkLoop
from paperwire.storage import Store

log = logging.getLogger(__name__)
RETRY_BASE = timedelta(minutes=1)
MAX_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 12
POLL_S = 30.0
CLAIM_S = timedelta(minutes=10)  # a taken submission is due again then if its worker died
WAIT_FOR_FIRST_TRY_S = 3.0
UNREACHABLE = "arXiv could not be reached"


def retry_delay(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: 1, 2, 4… minutes, at most an hour."""
    wait: timedelta = RETRY_BASE * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_WAIT)


def describe(item: QueuedSubmission) -> str:
    """The state of a queued submission in plain words."""
    if item.status == "done":
        return "on the daily list"
    if item.status == "failed":
        return item.last_error or "could not be submitted"
    if item.last_error:
        return f"{item.last_error}; retrying at {item.next_try_at:%H:%M} UTC"
    return "waiting for arXiv; the paper appears on today's list when arXiv answers"


@dataclass(frozen=True)
class SubmitOutcome:
    """Either the daily entry (the paper was known or fetched at once) or the queued item."""

    entry: DailyEntry | None = None
    queued: QueuedSubmission | None = None


class SubmissionQueue:
    """The background fetcher of queued submissions."""

    def __init__(self, store: Store, settings: Settings, fetcher: community.PaperFetcher,
                 poll_s: float = POLL_S, wait_s: float = WAIT_FOR_FIRST_TRY_S) -> None:
        self.store = store
        self.settings = settings
        self.fetcher = fetcher
        self.wait_s = wait_s
        self.loop = WorkLoop("paperwire-submissions", self._round, poll_s)

    def _round(self) -> list[int]:
        return list(process_due(self.store, self.settings, self.fetcher))

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def wait_for(self, item_id: int) -> None:
        self.loop.wake_and_wait(item_id, self.wait_s)


def _local_paper_id(store: Store, arxiv_id: str) -> str | None:
    if store.get_paper(arxiv_id) is not None:
        return arxiv_id
    return store.resolve_alias(arxiv_id)


def submit(store: Store, settings: Settings, queue: SubmissionQueue | None, user: User,
           reference: str, comment: str = "") -> SubmitOutcome:
    """Put a known paper on today's list now, or queue the fetch of a new one."""
    try:
        arxiv_id = parse_arxiv_id(reference.strip()[:300]).base
    except InvalidInput as exc:
        raise InvalidInput(f"{reference[:80]!r} is not an arXiv id or URL", field="paper") from exc
    if _local_paper_id(store, arxiv_id) is not None or queue is None:
        fetcher = None if queue is None else queue.fetcher
        return SubmitOutcome(entry=community.submit_paper(store, settings, fetcher, user,
                                                          arxiv_id, comment))
    community.check_submission(store, settings, user, comment)
    store.enqueue_submission(user.id, arxiv_id, comment.strip() or None, now_utc())
    item = _find(store, user, arxiv_id)
    queue.wait_for(item.id)
    return _outcome(store, user, arxiv_id)


def _find(store: Store, user: User, arxiv_id: str) -> QueuedSubmission:
    item = store.get_queued_submission(user.id, arxiv_id)
    if item is None:
        raise NotFound(f"no queued submission of {arxiv_id}")
    return item


def _outcome(store: Store, user: User, arxiv_id: str) -> SubmitOutcome:
    item = _find(store, user, arxiv_id)
    if item.status == "done" and item.paper_id is not None:
        entry = store.get_daily_entry(item.paper_id)
        if entry is not None:
            return SubmitOutcome(entry=entry)
    if item.status == "failed":
        raise InvalidInput(describe(item), field="paper")
    return SubmitOutcome(queued=item)


def process_due(store: Store, settings: Settings, fetcher: community.PaperFetcher,
                now: datetime | None = None, limit: int = 20) -> dict[int, str]:
    """Try every due submission; return id → new status."""
    now = now or now_utc()
    return {item.id: process_one(store, settings, fetcher, item, now)
            for item in store.claim_due_submissions(now, limit, now + CLAIM_S)}


def process_one(store: Store, settings: Settings, fetcher: community.PaperFetcher,
                item: QueuedSubmission, now: datetime) -> str:
    attempts = item.attempts + 1
    try:
        incoming = fetcher.fetch_paper(item.arxiv_id)
    except SourceError as exc:
        log.warning("submission %s: fetching %s failed (try %s): %s", item.id, item.arxiv_id,
                    attempts, exc)
        if attempts >= MAX_ATTEMPTS:
            return _mark(store, item, "failed", attempts, now,
                         f"{UNREACHABLE} after {attempts} tries; submit it again later")
        return _mark(store, item, "queued", attempts, now + retry_delay(attempts), UNREACHABLE)
    if incoming is None:
        return _mark(store, item, "failed", attempts, now, f"arXiv has no paper {item.arxiv_id}")
    return _add_to_daily(store, settings, item, incoming, attempts, now)


def _add_to_daily(store: Store, settings: Settings, item: QueuedSubmission,
                  incoming: IncomingPaper, attempts: int, now: datetime) -> str:
    store.upsert_papers([IncomingPaper(incoming.paper, organization=incoming.organization)])
    user = store.get_user_by_name(item.username)
    if user is None:
        return _mark(store, item, "failed", attempts, now, "the account no longer exists")
    try:
        entry = community.submit_paper(store, settings, None, user, item.arxiv_id,
                                       item.comment or "")
    except (Conflict, PermissionDenied, NotFound, InvalidInput) as exc:
        return _mark(store, item, "failed", attempts, now, str(exc))
    return _mark(store, item, "done", attempts, now, None, entry.paper.id)


def _mark(store: Store, item: QueuedSubmission, status: str, attempts: int, next_try: datetime,
          error: str | None, paper_id: str | None = None) -> str:
    store.mark_submission(item.id, status, attempts, next_try, error, paper_id)
    return status
