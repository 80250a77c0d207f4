"""What the Hugging Face-compatible endpoints need beyond the catalog: a cursor listing of
every paper and a paper as Markdown."""

from __future__ import annotations

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


def cursor_key(store: Store, cursor: str) -> tuple[str, str]:
    """The (published_at, id) key of the paper a cursor names (the last one of a page)."""
    paper = store.get_paper(cursor) or store.get_paper(store.resolve_alias(cursor) or "")
    if paper is None:
        raise NotFound(f"cursor {cursor[:80]!r} names no paper in the catalog")
    return paper_key(paper)


def paper_key(paper: Paper) -> tuple[str, str]:
    """The (published_at, id) key of a paper in the newest-first catalog listing."""
    return (paper.published_at.isoformat() if paper.published_at else "", paper.id)


def check_catalog_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_CATALOG_LIMIT:
        raise InvalidInput(f"Parameter 'limit' must be 1..{MAX_CATALOG_LIMIT}.", field="limit")
    return limit


def catalog_page(store: Store, cursor: str | None, limit: int) -> CatalogPage:
    """Up to ``limit`` papers newest first, after the paper ``cursor`` names (the id of the
    last paper of the previous page); ``next_cursor`` is None at the end."""
    check_catalog_limit(limit)
    after = cursor_key(store, cursor) if cursor else None
    papers = store.list_papers_after(after, limit + 1)
    more = len(papers) > limit
    shown = tuple(papers[:limit])
    return CatalogPage(shown, shown[-1].id if more and shown else None)


def newest_papers(store: Store, offset: int, limit: int) -> list[Paper]:
    """The newest papers of the catalog (what a search without a query lists)."""
    if offset < 0 or limit < 1:
        raise InvalidInput("offset must be 0 or more and limit 1 or more", field="limit")
    return store.list_papers(offset=offset, limit=limit)


def paper_markdown(store: Store, paper_id: str, with_comments: bool = False) -> str:
    """The paper as Markdown (merged and versioned ids resolve to the current paper)."""
    found = find_paper(store, paper_id)
    paper = found.paper or store.get_paper(found.redirect_to or "")
    if paper is None:
        raise NotFound(f"paper {paper_id[:80]!r} is not in the catalog")
    comments = store.list_comments(paper.id) if with_comments else None
    return render_paper_markdown(paper, daily_entry_of(store, paper.id), comments)
