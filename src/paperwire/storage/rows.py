"""Conversions between stored rows and domain objects (pure; shared by SQL stores)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from paperwire.models import Author, DailyEntry, Organization, Paper
from paperwire.paper_row import authors_to_json as authors_to_json
from paperwire.paper_row import dt_to_text as dt_to_text
from paperwire.paper_row import dump_json as dump_json
from paperwire.paper_row import paper_columns as paper_columns
from paperwire.paper_row import ts as ts

T = TypeVar("T")
IN_CHUNK = 500  # values per "IN (...)" query, well under SQLite's bound-parameter limit


def in_chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[tuple[list[T], str]]:
    """Every value, in lists of at most ``size``, each with its ``?, ?, …`` placeholders."""
    items = list(values)
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        yield chunk, ", ".join("?" for _ in chunk)


class RowLike(Protocol):
    def __getitem__(self, key: str) -> Any: ...


def text_to_dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def text_to_when(value: str) -> datetime:
    """A stored timestamp of a NOT NULL column."""
    return datetime.fromisoformat(value)


def json_to_authors(text: str) -> tuple[Author, ...]:
    return tuple(
        Author(name=a["name"], hidden=bool(a.get("hidden")), user=a.get("user"))
        for a in json.loads(text)
    )


def row_to_paper(row: RowLike) -> Paper:
    org = None
    if row["org_name"] is not None:
        org = Organization(row["org_name"], row["org_fullname"], row["org_avatar"])
    return Paper(
        id=row["id"],
        version=row["version"],
        title=row["title"],
        summary=row["summary"],
        authors=json_to_authors(row["authors_json"]),
        author_count=row["author_count"],
        categories=tuple(c for c in row["categories"].split(" ") if c),
        published_at=text_to_dt(row["published_at"]),
        updated_at=text_to_dt(row["updated_at"]),
        pdf_url=row["pdf_url"],
        github_repo=row["github_repo"],
        github_stars=row["github_stars"],
        project_page=row["project_page"],
        ai_keywords=tuple(json.loads(row["ai_keywords_json"])),
        imported_upvotes=row["imported_upvotes"],
        upvotes=row["upvotes"],
        num_comments=row["num_comments"],
        withdrawn_at=text_to_dt(row["withdrawn_at"]),
        organization=org,
        source=row["source"],
        thumbnail=row["thumbnail"],
    )


def row_to_daily(row: RowLike) -> DailyEntry:
    submitted_at = text_to_dt(row["d_submitted_at"])
    assert submitted_at is not None
    return DailyEntry(
        paper=row_to_paper(row),
        day=date.fromisoformat(row["d_day"]),
        submitted_at=submitted_at,
        submitted_by=row["d_submitted_by"],
    )
