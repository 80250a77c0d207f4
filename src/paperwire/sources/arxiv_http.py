"""A polite HTTP client for arXiv: one request at a time, spaced, retried, never silent.

Every request passes a ``RequestGate`` first: the gate grants a single slot (one request in
flight) no sooner than the configured interval after the previous request ended, across every
process that shares the gate. ``Retry-After`` on 429/503 and the backoff after 5xx and
timeouts are written into the gate too, so other processes wait as well. A 403 or an exhausted
retry budget raises ``SourceError``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from paperwire import __version__
from paperwire.config import Settings
from paperwire.errors import SourceError

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 600.0
MAX_BACKOFF = 300.0


class RequestGate(Protocol):
    """One request slot per remote service, spaced by a minimum interval."""

    def acquire(self) -> None:
        """Block until this caller holds the slot and the interval since the last one passed."""

    def release(self, not_before: float) -> None:
        """Free the slot; the next request may start at ``not_before`` (seconds since epoch)."""


class LocalGate:
    """A gate shared by the threads of one process (when no database gate is given)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_at = 0.0

    def acquire(self) -> None:
        self._lock.acquire()
        delay = self._next_at - time.time()
        if delay > 0:
            time.sleep(delay)

    def release(self, not_before: float) -> None:
        self._next_at = max(self._next_at, not_before)
        self._lock.release()


def user_agent(settings: Settings) -> str:
    return f"paperwire/{__version__} (+{settings.base_url}; mailto:{settings.contact_email})"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class PoliteClient:
    """GETs through the gate with retries; returns the body of the first 200 response."""

    def __init__(self, settings: Settings, gate: RequestGate | None = None) -> None:
        self.interval = settings.arxiv_min_interval
        self.retries = settings.arxiv_max_retries
        self.timeout = settings.arxiv_timeout
        self.gate = gate or LocalGate()
        self._http = httpx.Client(
            headers={"User-Agent": user_agent(settings)}, timeout=self.timeout,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
            follow_redirects=True)

    def close(self) -> None:
        self._http.close()

    def fetch(self, url: str, params: Mapping[str, str]) -> bytes:
        """The body of ``url``; SourceError on 403, other 4xx, or when retries run out."""
        last = ""
        for attempt in range(self.retries + 1):
            self.gate.acquire()
            not_before = time.time() + self.interval
            try:
                return self._once(url, params)
            except _Retry as exc:
                last = str(exc)
                backoff = min(MAX_BACKOFF, self.interval * 2**attempt * (0.5 + random.random()))
                not_before = time.time() + max(self.interval, backoff, exc.wait or 0.0)
            finally:
                self.gate.release(max(not_before, time.time() + self.interval))
        raise SourceError(f"{url}: giving up after {self.retries + 1} attempts ({last})")

    def _once(self, url: str, params: Mapping[str, str]) -> bytes:
        deadline = time.monotonic() + self.timeout
        try:
            with self._http.stream("GET", url, params=params) as response:
                self._check_status(url, response)
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise _Retry(f"body not complete after {self.timeout:g} s")
                return b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed: {type(exc).__name__}: {exc}") from exc

    def _check_status(self, url: str, response: httpx.Response) -> None:
        status = response.status_code
        if status == 200:
            return
        if status == 403:
            raise SourceError(f"{url}: arXiv answered 403 Forbidden; stopping (check the "
                              "User-Agent contact and request rate)")
        if status in RETRY_STATUSES:
            wait = parse_retry_after(response.headers.get("Retry-After"), time.time())
            if wait is not None and wait > MAX_RETRY_AFTER:
                raise SourceError(f"{url}: HTTP {status} asks to retry after {wait:.0f} s; "
                                  "stopping, run again later")
            raise _Retry(f"HTTP {status}", wait)
        raise SourceError(f"{url}: HTTP {status}")
