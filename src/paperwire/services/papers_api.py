"""What the Hugging Face-compatible endpoints need beyond the catalog: a cursor listing of
every paper and a paper as Markdown."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from paperwire.errors import InvalidInput, NotFound
from paperwire.models import Paper
from paperwire.paper_markdown import render_paper_markdown
from paperwire.services.catalog import daily_entry_of, find_paper
from paperwire.storage import Store

MAX_CATALOG_LIMIT = 100
MAX_CURSOR_CHARS = 200


@dataclass(frozen=True)
class CatalogPage:
    papers: tuple[Paper, ...]
    next_cursor: str | None


def build_cursor(paper: Paper) -> str:
    """An opaque cursor after ``paper`` in the newest-first order."""
    key = f"{paper.published_at.isoformat() if paper.published_at else ''}\n{paper.id}"
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def parse_cursor(cursor: str) -> tuple[str, str]:
    """The (published_at, id) key in a cursor; InvalidInput naming ``cursor`` if malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("Parameter 'cursor' is not a cursor this server gave out.",
                           field="cursor") from exc
    published, sep, paper_id = raw.partition("\n")
    if not sep or not paper_id:
        raise InvalidInput("Parameter 'cursor' is not a cursor this server gave out.",
                           field="cursor")
    return published, paper_id


def catalog_page(store: Store, cursor: str | None, limit: int) -> CatalogPage:
    """Up to ``limit`` papers newest first, after ``cursor``; ``next_cursor`` None at the end."""
    if not 1 <= limit <= MAX_CATALOG_LIMIT:
        raise InvalidInput(f"Parameter 'limit' must be 1..{MAX_CATALOG_LIMIT}.", field="limit")
    after = parse_cursor(cursor) if cursor else None
    papers = store.list_papers_after(after, limit + 1)
    more = len(papers) > limit
    shown = tuple(papers[:limit])
    return CatalogPage(shown, build_cursor(shown[-1]) if more and shown else None)


def paper_markdown(store: Store, paper_id: str, with_comments: bool = False) -> str:
    """The paper as Markdown (merged and versioned ids resolve to the current paper)."""
    found = find_paper(store, paper_id)
    paper = found.paper or store.get_paper(found.redirect_to or "")
    if paper is None:
        raise NotFound(f"paper {paper_id[:80]!r} is not in the catalog")
    comments = store.list_comments(paper.id) if with_comments else None
    return render_paper_markdown(paper, daily_entry_of(store, paper.id), comments)
