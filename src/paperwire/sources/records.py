"""What every source's record parser shares: the error for a record that cannot become a
paper, and the one reader of ISO 8601 date-times in records."""

from __future__ import annotations

from datetime import UTC, datetime


class RecordInvalid(ValueError):
    """A record that cannot become a paper; the message says which field and why."""


def parse_iso_datetime(text: str, field: str) -> datetime:
    """An aware datetime from ISO 8601 text (``Z`` accepted; no offset means UTC);
    RecordInvalid naming ``field`` otherwise."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RecordInvalid(f"{field} {text[:40]!r} is not an ISO date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
