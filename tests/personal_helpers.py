"""Helpers of the personal-relevance tests: papers with categories and organizations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperwire.config import Settings
from paperwire.models import Author, DailySubmission, IncomingPaper, Organization, Paper
from paperwire.services.community import today
from paperwire.storage.sqlite import SqliteStore


def put_paper(store: SqliteStore, settings: Settings, paper_id: str, title: str, *,
              categories: tuple[str, ...] = ("cs.LG",), authors: tuple[str, ...] = ("Ada Lovelace",),
              summary: str = "An abstract.", org: str | None = None, age_days: float = 0,
              daily: bool = True, upvotes: int = 0) -> None:
    when = datetime.now(UTC) - timedelta(days=age_days)
    paper = Paper(id=paper_id, title=title, summary=summary,
                  authors=tuple(Author(a) for a in authors), categories=categories,
                  published_at=when, imported_upvotes=upvotes)
    entry = DailySubmission(paper_id, today(settings), when) if daily else None
    organization = Organization(org, org.title()) if org else None
    store.upsert_papers([IncomingPaper(paper, daily=entry, organization=organization)])
