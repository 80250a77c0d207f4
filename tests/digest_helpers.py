"""Helpers for digest tests: papers on daily lists and confirmed subscribers."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from paperwire.models import Author, DailySubmission, IncomingPaper, Paper
from paperwire.models_digests import Preferences
from paperwire.storage.sqlite import SqliteStore


def make_paper(paper_id: str, title: str, upvotes: int = 0, **extra: Any) -> Paper:
    return Paper(id=paper_id, title=title, summary=extra.pop("summary", f"About {title}."),
                 imported_upvotes=upvotes, authors=extra.pop("authors", (Author("Ada Lovelace"),)),
                 **extra)


def add_daily(store: SqliteStore, day: date, papers: list[Paper]) -> None:
    """Put papers on the daily list of ``day``."""
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    store.upsert_papers([IncomingPaper(p, daily=DailySubmission(p.id, day, at)) for p in papers])


def add_confirmed(store: SqliteStore, count: int, frequency: str = "daily",
                  prefix: str = "reader") -> list[str]:
    """``count`` confirmed subscribers; returns their addresses."""
    emails = [f"{prefix}{n}@example.org" for n in range(count)]
    store.import_subscribers([(e, secrets.token_urlsafe(24)) for e in emails],
                             Preferences(frequency=frequency), datetime.now(UTC))
    return emails


MONDAY = date(2025, 10, 13)


def status_of(store: SqliteStore, email: str) -> str:
    """The stored status of a subscriber (pending, confirmed, unsubscribed, bounced)."""
    found = store.get_subscriber(email=email)
    assert found is not None
    return found.status
