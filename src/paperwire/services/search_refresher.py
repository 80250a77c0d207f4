"""The background refresher: keeps the search indexes current while the site serves.

One daemon thread, at a lower CPU priority than the request threads (on Linux ``nice`` can
be set per thread: its id is a task id), checks every ``PAPERWIRE_SEARCH_REFRESH`` seconds
whether the catalog moved past the index watermarks. When it did, it works in bounded steps
(``SearchService.step``): every new paper into the keyword index, then a small chunk embedded
(the model runs on this thread: one intra-op thread), the result published as a new snapshot,
a short pause, and again until nothing is left. Requests never wait on it: they read the last
published snapshot. Safe to stop at any time (each step is committed as it ends). With
several worker processes on one data dir, the one holding the data dir's writer lock indexes
and the others reopen the snapshot it publishes (vectors come from the database: no worker
embeds a paper another has embedded).
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from paperwire.services.search import SearchService

log = logging.getLogger(__name__)
NICE = 10  # added to the refresher thread's niceness
PAUSE = 0.05  # seconds between two steps of a backfill: request threads get the GIL and CPU


def lower_thread_priority(increment: int = NICE) -> None:
    """Make the calling thread (only it) yield the CPU to others; a no-op off Linux."""
    if sys.platform != "linux":
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + increment)
    except OSError:  # not permitted here: run at normal priority
        log.warning("could not lower the search refresher's priority")


class Refresher:
    """Starts and stops the refresher thread of one ``SearchService``."""

    def __init__(self, service: SearchService, every: float) -> None:
        self.service = service
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.every <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="search-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        lower_thread_priority()
        while not self._stop.wait(self.every):
            try:
                self._catch_up()
            except Exception:  # keep serving; the next round retries
                log.exception("search index refresh failed")

    def _catch_up(self) -> None:
        """Bounded steps until the indexes are current (or the refresher is stopped)."""
        if not self.service.stale():
            self.service.snapshot()  # reopen files another process swapped
            return
        while not self._stop.is_set():
            report = self.service.step()
            if report.busy or (not report.pending and not self.service.stale()):
                return  # busy: another worker indexes, and this one reopens what it publishes
            self._stop.wait(PAUSE)
