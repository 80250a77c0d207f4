"""Conversions between stored rows and domain objects (pure; shared by SQL stores)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

import msgspec

from paperwire.ids import title_hash
from paperwire.models import Author, DailyEntry, Organization, Paper

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


def ts(value: datetime) -> str:
    """The one stored timestamp format: UTC with microseconds and a fixed width, so that the
    text order of a column is its time order (a naive value is taken to be UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def dt_to_text(value: datetime | None) -> str | None:
    return None if value is None else ts(value)


def text_to_dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def dump_json(value: Any) -> str:
    """Compact JSON text (UTF-8, nothing escaped that need not be) for stored columns."""
    return msgspec.json.encode(value).decode()


def authors_to_json(authors: tuple[Author, ...]) -> str:
    return dump_json([{"name": a.name, "hidden": a.hidden, "user": a.user} for a in authors])


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


def paper_columns(paper: Paper, title_key: str) -> dict[str, Any]:
    """The stored columns of a paper (without counters the community owns)."""
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "title_key": title_key,
        "summary": paper.summary,
        "authors_json": authors_to_json(paper.authors),
        "author_count": max(paper.author_count, len(paper.authors)),
        "categories": " ".join(paper.categories),
        "published_at": dt_to_text(paper.published_at),
        "updated_at": dt_to_text(paper.updated_at),
        "pdf_url": paper.pdf_url,
        "github_repo": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "ai_keywords_json": dump_json(list(paper.ai_keywords)),
        "imported_upvotes": paper.imported_upvotes,
        "withdrawn_at": dt_to_text(paper.withdrawn_at),
        "source": paper.source,
        "title_hash": title_hash(title_key),
    }
