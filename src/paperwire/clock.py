"""The one clock every module reads: ``now_utc()``, an aware UTC datetime.

Functions whose result depends on the time take ``now`` as a parameter (defaulting to this
clock), so tests pass the time they need instead of patching anything.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC)
