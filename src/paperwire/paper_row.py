"""A paper as the catalog stores it (pure): one column list, one row builder, and the text
forms of times and JSON in stored columns. The store and the bulk snapshot path both build
their rows from here, so they cannot drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from paperwire.ids import title_hash, title_key
from paperwire.models import Author, IncomingPaper, Paper

# The stored columns of a paper (without the counters the community owns), in row order.
PAPER_COLUMNS = ("id", "version", "title", "title_key", "summary", "authors_json",
                 "author_count", "categories", "published_at", "updated_at", "pdf_url",
                 "github_repo", "github_stars", "project_page", "ai_keywords_json",
                 "imported_upvotes", "withdrawn_at", "source", "title_hash")

# A paper made ready for the bulk path (pure, picklable: it can be built in another process):
# (id, normalized title, stored columns in PAPER_COLUMNS order, plain). A record that is not
# plain (derived id, daily entry or organization attached) always goes through upsert_papers.
PreparedPaper = tuple[str, str, tuple[Any, ...], bool]


def ts(value: datetime) -> str:
    """The one stored timestamp format: UTC with microseconds and a fixed width, so that the
    text order of a column is its time order (a naive value is taken to be UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def dt_to_text(value: datetime | None) -> str | None:
    return None if value is None else ts(value)


def dump_json(value: Any) -> str:
    """Compact JSON text (UTF-8, nothing escaped that need not be) for stored columns."""
    return msgspec.json.encode(value).decode()


def authors_to_json(authors: tuple[Author, ...]) -> str:
    return dump_json([{"name": a.name, "hidden": a.hidden, "user": a.user} for a in authors])


def build_paper_row(paper: Paper, key: str) -> tuple[Any, ...]:
    """The stored columns of ``paper`` (``key``: its normalized title), in PAPER_COLUMNS order."""
    return (paper.id, paper.version, paper.title, key, paper.summary,
            authors_to_json(paper.authors), max(paper.author_count, len(paper.authors)),
            " ".join(paper.categories), dt_to_text(paper.published_at),
            dt_to_text(paper.updated_at), paper.pdf_url, paper.github_repo, paper.github_stars,
            paper.project_page, dump_json(list(paper.ai_keywords)), paper.imported_upvotes,
            dt_to_text(paper.withdrawn_at), paper.source, title_hash(key))


def paper_columns(paper: Paper, key: str) -> dict[str, Any]:
    """The stored columns of ``paper`` by name."""
    return dict(zip(PAPER_COLUMNS, build_paper_row(paper, key), strict=True))


def prepare_paper(item: IncomingPaper) -> PreparedPaper:
    """The row of an incoming paper for the bulk path, with what decides its way in."""
    paper = item.paper
    key = title_key(paper.title)
    plain = not (item.id_is_derived or item.daily or item.organization)
    return paper.id, key, build_paper_row(paper, key), plain
