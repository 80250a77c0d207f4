"""``WorkLoop``: one daemon thread that runs a round of queued work, then sleeps until woken
or until ``poll_s`` passes. A caller that just queued item N can wait (a bounded time) until a
round has tried it, so quick work answers at once and slow work never holds a request."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)
# A round's slowest step is one arXiv or SMTP request, each bounded by its own timeout.
STOP_WAIT_S = 120.0


class WorkLoop:
    def __init__(self, name: str, run_round: Callable[[], Iterable[int]], poll_s: float) -> None:
        self.name = name
        self.run_round = run_round
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._tried: set[int] = set()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread once; it keeps retrying queued work until ``stop``."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, wait_s: float = STOP_WAIT_S) -> bool:
        """Stop after the round in flight: the store must not close under a thread still
        writing (a half-done round would lose its claim's work, and a SQLite connection closed
        mid-statement can take the process down). False when the round outlasted ``wait_s``."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout=wait_s)
        if thread.is_alive():
            log.warning("%s: a round still runs after %.0f s; stopping without it",
                        self.name, wait_s)
            return False
        return True

    def wake_and_wait(self, item_id: int, wait_s: float) -> bool:
        """Run a round now; True when it tried ``item_id`` within ``wait_s`` seconds."""
        self.start()
        self._wake.set()
        with self._done:
            tried = self._done.wait_for(lambda: item_id in self._tried, timeout=wait_s)
            self._tried.discard(item_id)
        return tried

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                tried = set(self.run_round())
            except Exception:  # the thread must outlive a bad moment of the database
                log.exception("%s: round failed", self.name)
                tried = set()
            with self._done:
                self._tried |= tried
                self._done.notify_all()
            self._wake.wait(self.poll_s)
