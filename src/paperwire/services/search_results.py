"""Checking search requests and shaping their results (pure): the parts of the search
use cases that need no index."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from paperwire.errors import InvalidInput, Unavailable
from paperwire.models import Paper
from paperwire.search.query import SearchQuery
from paperwire.search.query_terms import (
    MAX_QUERY_CHARS,
    Highlighter,
    ParsedQuery,
    build_snippet,
    clean_query,
)
from paperwire.search.records import SearchFilters, SearchHit

MODES = ("hybrid", "keyword", "semantic")
SIMILAR_SORTS = ("relevance", "recent", "popular")


class Hide(Protocol):
    """Leaves papers out of search results before paging (a user's mutes)."""

    def __call__(self, paper: Paper, kept_before: int) -> bool:
        """True to leave ``paper`` out; ``kept_before`` papers were kept ahead of it."""

    def reset(self) -> None:
        """Forget the papers seen: the ranking is read again, deeper."""


def too_late(deadline: float) -> Unavailable:
    return Unavailable(f"Search did not answer within {deadline:g} s; try again.",
                       retry_after=max(1, math.ceil(deadline)))


def check_query(q: str | None, filters: SearchFilters | None = None) -> str:
    """The query, or InvalidInput naming ``q`` (over 250 characters, or empty without a
    filter: filters alone list the matching papers)."""
    text = clean_query(q or "").strip()
    if not text and not (filters and filters.active):
        raise InvalidInput("Parameter 'q' is empty: give a search query.", field="q")
    if len(q or "") > MAX_QUERY_CHARS:
        raise InvalidInput(f"Parameter 'q' is longer than {MAX_QUERY_CHARS} characters.",
                           field="q")
    return text


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidInput(f"Parameter 'mode' must be one of {', '.join(MODES)}.", field="mode")
    return mode


def build_listed_hit(paper: Paper) -> SearchHit:
    """A paper listed without a query: nothing highlighted, the abstract's start as snippet."""
    return SearchHit(paper, 0.0, ({"type": "text", "text": paper.title},),
                     ({"type": "text", "text": paper.summary},),
                     tuple(build_snippet(paper.summary, ParsedQuery())))


def build_hits(papers: Sequence[Paper], scores: dict[str, float],
               query: SearchQuery) -> tuple[SearchHit, ...]:
    """The returned papers with their scores, highlighted title and abstract and snippet
    (only these are highlighted: one scan of each abstract gives both)."""
    marker = Highlighter(query.parsed)
    hits = []
    for paper in papers:
        summary, snippet = marker.both(paper.summary)
        hits.append(SearchHit(paper, scores.get(paper.id, 0.0),
                              tuple(marker.highlights(paper.title)), tuple(summary),
                              tuple(snippet)))
    return tuple(hits)


def sort_similar(papers: list[Paper], sort: str) -> list[Paper]:
    """Nearest papers re-sorted: "recent" newest first, "popular" most upvoted first (ties
    keep the nearest first)."""
    if sort == "recent":
        return sorted(papers, key=lambda p: -(p.published_at.timestamp()
                                               if p.published_at else float("-inf")))
    if sort == "popular":
        return sorted(papers, key=lambda p: -p.upvotes)
    return papers
