"""What per-client limits, the health check and author claims need from storage.
Times are timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class LimitStore(Protocol):
    def take_rate_slot(self, bucket: str, key: str, now: datetime, since: datetime,
                       limit: int) -> bool: ...

    def record_rate_event(self, bucket: str, key: str, now: datetime) -> None: ...

    def rate_events(self, bucket: str, key: str, since: datetime) -> tuple[int,
                                                                              datetime | None]: ...

    def clear_rate_events(self, bucket: str, key: str) -> None: ...

    def probe_write(self, now: datetime) -> None: ...

    def recent_write_failure(self, within_s: float) -> str | None: ...

    def add_author_claim(self, handle: str, user_id: int, via: str, now: datetime) -> bool: ...

    def claimed_handles(self, user_id: int) -> set[str]: ...
