"""Sending the outbox: rate limit, retries with growing waits, bounces.

Each queued digest is marked sent only after the mail server accepted it, in its own
transaction, so a crash between the two sends that one message again on the next run (at most
one duplicate per crash) and never loses one. 4xx answers put the row back with a growing wait
(``compute_backoff``) and pause the whole sender a little; after ``max_attempts`` temporary
failures in a row the run stops, leaving the rest queued. A 5xx answer bounces the address.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

from paperwire.clock import now_utc
from paperwire.errors import InvalidInput
from paperwire.mail import Mailer, MailError
from paperwire.models_digests import OutboxEntry
from paperwire.storage.proto_digests import DigestStore

BATCH = 50
MAX_PAUSE_S = 900.0
MAX_WAIT_S = 3600.0

Compose = Callable[[OutboxEntry], EmailMessage | None]


def compute_backoff(attempts: int, base: float, cap: float = MAX_WAIT_S) -> float:
    """Seconds to wait after ``attempts`` failed tries: base, 2·base, 4·base, … up to cap."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


class RateLimiter:
    """At most ``rate`` messages per second, counted from when the server answered.

    Starts are spaced 1/rate apart, and a message may start only ``n/rate`` seconds after
    the server finished the n-th message before it (n = max(1, ⌊rate⌋)), so that any window
    of n/rate seconds sees at most n messages arrive at the server.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.count = max(1, int(rate))
        self.span = self.count / rate
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self._last_start: float | None = None
        self._finished: deque[float] = deque(maxlen=self.count)

    def wait(self) -> None:
        """Block until the next message may start."""
        ready = self.clock()
        if self._last_start is not None:
            ready = max(ready, self._last_start + self.interval)
        if len(self._finished) == self.count:
            ready = max(ready, self._finished[0] + self.span)
        delay = ready - self.clock()
        if delay > 0:
            self.sleep(delay)
        self._last_start = self.clock()

    def seed(self, seconds_ago: list[float]) -> None:
        """Count messages an earlier run sent ``seconds_ago`` (so a restart keeps the rate)."""
        now = self.clock()
        for ago in sorted(seconds_ago, reverse=True)[-self.count:]:
            self._finished.append(now - max(0.0, ago))
        if self._finished:
            self._last_start = self._finished[-1]

    def finished(self) -> None:
        """Record that the server answered the message just started."""
        self._finished.append(self.clock())


@dataclass(frozen=True)
class SendPolicy:
    rate: float
    retry_base: float
    max_attempts: int


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    bounced: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.stopped


class OutboxSender:
    """Sends every due outbox row until none is left, waiting for retries as needed."""

    def __init__(self, store: DigestStore, mailer: Mailer, compose: Compose,
                 policy: SendPolicy, sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.mailer = mailer
        self.compose = compose
        self.policy = policy
        self.sleep = sleep
        self.limiter = RateLimiter(policy.rate, sleep=sleep)
        now = now_utc()
        self.limiter.seed([(now - t).total_seconds()
                           for t in store.recent_send_times(self.limiter.count)])
        self.report = SendReport()
        self._consecutive_temporary = 0

    def run(self, max_messages: int | None = None) -> SendReport:
        """Send until nothing is due (or ``max_messages`` were handled); wait for retries."""
        handled = 0
        while (max_messages is None or handled < max_messages) and not self.report.stopped:
            limit = BATCH if max_messages is None else min(BATCH, max_messages - handled)
            batch = self.store.due_outbox(now_utc(), limit)
            for entry in batch:
                if self.report.stopped:
                    break
                self._send_one(entry)
            handled += len(batch)
            if batch:
                continue
            next_at = self.store.next_retry_at()
            if next_at is None:
                return self.report
            self.sleep(max(0.0, min(MAX_WAIT_S, (next_at - now_utc()).total_seconds())))
        return self.report

    def _send_one(self, entry: OutboxEntry) -> None:
        current = self.store.get_subscriber(token=entry.subscriber.token)
        if current is None or not current.confirmed:
            status = "gone" if current is None else current.status
            self._close(entry, "skipped", f"subscriber is {status}")
            return
        try:
            message = self.compose(entry)
            if message is None:
                self._close(entry, "skipped", "no paper left to send")
                return
            self.limiter.wait()
            try:
                self.mailer.send(message)
            finally:
                self.limiter.finished()
        except MailError as exc:
            self._refused(entry, exc)
            return
        except InvalidInput as exc:
            self._close(entry, "failed", str(exc))
            return
        self.store.mark_outbox_sent(entry.id, now_utc())
        self.report.sent += 1
        self._consecutive_temporary = 0

    def _close(self, entry: OutboxEntry, status: str, reason: str) -> None:
        self.store.mark_outbox_done(entry.id, status, reason)
        if status == "failed":
            self.report.failed += 1
            self.report.errors.append(f"digest {entry.id} to {entry.subscriber.email}: {reason}")
        else:
            self.report.skipped += 1

    def _refused(self, entry: OutboxEntry, exc: MailError) -> None:
        if not exc.temporary:
            self.store.mark_bounced(entry.id, str(exc), now_utc())
            self.report.bounced += 1
            return
        attempts = entry.attempts + 1
        if attempts >= self.policy.max_attempts:
            self._close(entry, "failed", f"gave up after {attempts} tries: {exc}")
        else:
            wait = compute_backoff(attempts, self.policy.retry_base)
            self.store.mark_outbox_retry(entry.id, attempts,
                                         now_utc() + timedelta(seconds=wait), str(exc))
            self.report.retried += 1
        self._consecutive_temporary += 1
        if self._consecutive_temporary >= self.policy.max_attempts:
            self.report.stopped = (f"stopped after {self._consecutive_temporary} temporary "
                                   f"failures in a row (last: {exc}); the rest stays queued")
            return
        self.sleep(compute_backoff(self._consecutive_temporary, self.policy.retry_base,
                                   cap=MAX_PAUSE_S))
