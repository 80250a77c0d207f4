"""Search use cases: search (keyword, semantic, hybrid) and similar papers.

``SearchService`` queries the indexes of one data dir (``search_indexes.SearchIndexes``:
immutable snapshots, one writer). ``search()`` first brings the indexes up to date unless
told not to; the site's pages pass ``refresh=False`` and rely on the background refresher.
``within_deadline`` bounds the time a request waits for a query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache
from typing import TypeVar

import numpy as np

from paperwire.config import Settings
from paperwire.errors import InvalidInput, NotFound
from paperwire.models import Paper
from paperwire.search.embedder import Embedder
from paperwire.search.fusion import FusionWeights
from paperwire.search.query import SearchQuery, build_search_query
from paperwire.search.records import SearchFilters, SearchResults
from paperwire.search.retrieval import (
    Indexes,
    Retrieved,
    build_candidates,
    build_suggestions,
    retrieve,
    semantic_ranking,
)
from paperwire.services.search_indexes import SearchIndexes
from paperwire.services.search_indexing import decode_vectors
from paperwire.services.search_results import (
    SIMILAR_SORTS,
    Hide,
    build_hits,
    check_mode,
    check_query,
    sort_similar,
    too_late,
)
from paperwire.storage import Store

T = TypeVar("T")
MAX_LIMIT = 120
DEPTH = 100
HIDE_DEPTH = 3200  # how deep a ranking is read to make up for hidden papers
QUERY_THREADS = 8
QUERY_CACHE = 2048  # query embeddings kept (LRU)
FETCH_MARGIN = 4  # papers read beyond those wanted (ids merged away, duplicates)
SIMILAR_POOL = 50  # similar papers re-sorted by recency or popularity come from this many
WEIGHTS = FusionWeights(k=40.0, keyword=1.0, semantic=0.5)
STATIC_WEIGHTS = FusionWeights(k=40.0, keyword=1.0, semantic=0.25)  # weaker dense ranking


def fusion_weights(embedder: str) -> FusionWeights:
    """The fusion constants tuned for the embedder the settings name."""
    return STATIC_WEIGHTS if embedder == "static" else WEIGHTS


class SearchService(SearchIndexes):
    """Indexes (``SearchIndexes``) and queries of one data dir. Thread-safe; one instance
    per process."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder | None = None,
                 weights: FusionWeights | None = None) -> None:
        super().__init__(settings, store, embedder)
        self.weights = weights or fusion_weights(settings.embedder)
        self._executor: ThreadPoolExecutor | None = None
        self._queries = ThreadPoolExecutor(QUERY_THREADS, "search-query")  # threads start lazily
        self.embed_query = lru_cache(maxsize=QUERY_CACHE)(self._embed_query)

    def within_deadline(self, call: Callable[[], T]) -> T:
        """``call()`` on a query thread; Unavailable (with a retry delay) when it takes
        longer than the search deadline setting: a request never waits past it."""
        future = self._queries.submit(call)
        deadline = self.settings.search_deadline
        try:
            return future.result(timeout=deadline)
        except FutureTimeout:
            future.cancel()
            raise too_late(deadline) from None

    async def answer_within_deadline(self, call: Callable[[], T]) -> T:
        """``within_deadline`` for a coroutine: the caller awaits the query thread instead
        of blocking a worker thread of its own on it."""
        future = self._queries.submit(call)
        deadline = self.settings.search_deadline
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), deadline)
        except TimeoutError:
            future.cancel()
            raise too_late(deadline) from None

    # -- queries -----------------------------------------------------------------------------
    def search(self, q: str, mode: str = "hybrid", limit: int = 20, offset: int = 0,
               filters: SearchFilters | None = None, refresh: bool = True,
               hide: Hide | None = None) -> SearchResults:
        """Ranked, filtered, highlighted results; ``refresh`` (the default) first indexes
        what changed. The search API and page pass False and rely on the refresher.
        Operators in ``q`` and ``filters`` constrain every mode (``search.query``).
        ``hide(paper, kept_before)`` leaves papers out before paging (a user's mutes)."""
        text = check_query(q, filters)
        check_mode(mode)
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"Parameter 'limit' must be 1..{MAX_LIMIT}.", field="limit")
        if refresh:
            self.refresh()
        query = build_search_query(text, filters)
        indexes = self._indexes()  # one snapshot for the whole request
        found, papers = self._ranked_papers(query, mode, offset + limit + 1, indexes, hide)
        hits = build_hits(papers[offset : offset + limit], dict(found.ranked), query)
        suggestions = () if papers else build_suggestions(query, indexes.keyword)
        total = max(found.total, len(papers)) if papers else 0
        return SearchResults(text, mode, hits, offset, limit, len(papers) > offset + limit,
                             total, suggestions)

    def _ranked_papers(self, query: SearchQuery, mode: str, wanted: int, indexes: Indexes,
                       hide: Hide | None) -> tuple[Retrieved, list[Paper]]:
        """The ranking and its first ``wanted`` papers; when ``hide`` leaves papers out,
        the ranking is read deeper (up to HIDE_DEPTH) until ``wanted`` are found."""
        depth = max(DEPTH, wanted)
        while True:
            found = self.retrieve(query, mode, depth, indexes)
            papers = self._papers([pid for pid, _ in found.ranked], query.filters, wanted, hide)
            cut = len(found.ranked) >= depth or found.total > len(found.ranked)
            if hide is None or len(papers) >= wanted or not cut or depth >= HIDE_DEPTH:
                return found, papers
            depth = min(depth * 4, HIDE_DEPTH)
            hide.reset()

    def retrieve(self, query: SearchQuery, mode: str, depth: int,
                 indexes: Indexes | None = None) -> Retrieved:
        """Ranked ids for a parsed query on ``indexes`` (the current snapshot's by default)."""
        return retrieve(query, mode, depth, indexes or self._indexes(), self._pool().submit)

    def rank(self, text: str, mode: str, depth: int) -> list[tuple[str, float]]:
        """Paper ids best first for a checked query (no catalog lookups)."""
        return self.retrieve(build_search_query(text), mode, depth).ranked

    def _indexes(self) -> Indexes:
        """The current snapshot's indexes with the query embedder and weights (no lock)."""
        snap = self.snapshot()
        return Indexes(snap.keyword, snap.vectors, self.embed_query, self.weights)

    def _embed_query(self, text: str) -> np.ndarray:
        vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        vector.setflags(write=False)
        return vector

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._loading:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(2, thread_name_prefix="search")
        return self._executor

    def keyword_ranking(self, text: str, depth: int) -> list[tuple[str, float]]:
        index = self._indexes().keyword
        return [] if index is None else index.search(build_search_query(text), depth)

    def semantic_query_ranking(self, text: str, depth: int) -> list[tuple[str, float]]:
        """The floored semantic ranking of a query string (constraints applied)."""
        return semantic_ranking(build_search_query(text), depth, self._indexes())

    def semantic_ranking(self, vector: np.ndarray, depth: int,
                         filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """Papers nearest ``vector`` (no floor), only those passing ``filters`` (applied
        inside the vector search, before any cut)."""
        indexes = self._indexes()
        if indexes.vectors is None:
            return []
        query = build_search_query("", filters)
        candidates = build_candidates(query, indexes.keyword, len(indexes.vectors))
        return indexes.vectors.search(vector.astype(np.float32), depth, candidates=candidates)

    def _papers(self, ids: Sequence[str], filters: SearchFilters, wanted: int,
                hide: Hide | None = None) -> list[Paper]:
        """The first ``wanted`` papers in ranking order, filtered, following merged ids,
        without duplicates or hidden ones: read from the store a few more than wanted at a
        time."""
        found: list[Paper] = []
        seen: set[str] = set()
        start = 0
        while start < len(ids) and len(found) < wanted:
            size = wanted - len(found) + FETCH_MARGIN
            chunk = list(ids[start : start + size])
            start += size
            by_id = {p.id: p for p in self.store.get_papers(chunk)}
            for pid in chunk:
                paper = by_id.get(pid) or self._follow_alias(pid)
                if paper is None or paper.id in seen or not filters.accepts(paper):
                    continue
                seen.add(paper.id)
                if hide is not None and hide(paper, len(found)):
                    continue
                found.append(paper)
        return found[:wanted]

    def _follow_alias(self, old_id: str) -> Paper | None:
        new_id = self.store.resolve_alias(old_id)
        return None if new_id is None else self.store.get_paper(new_id)

    # -- similar papers ----------------------------------------------------------------------
    def similar(self, paper_id: str, limit: int = 5, refresh: bool = True,
                sort: str = "relevance") -> list[Paper]:
        """Papers nearest to one paper (NotFound when the paper does not exist); ``sort``
        "recent" or "popular" re-sorts the ``SIMILAR_POOL`` nearest by date or upvotes."""
        paper = self.store.get_paper(paper_id) or self._follow_alias(paper_id)
        if paper is None:
            raise NotFound(f"Paper {paper_id!r} not found.")
        if sort not in SIMILAR_SORTS:
            raise InvalidInput(f"Parameter 'sort' must be one of {', '.join(SIMILAR_SORTS)}.",
                               field="sort")
        if sort == "relevance":
            return self.similar_to_papers([paper.id], limit, refresh=refresh)
        pool = self.similar_to_papers([paper.id], max(limit, SIMILAR_POOL), refresh=refresh)
        return sort_similar(pool, sort)[:limit]

    def similar_to_papers(self, paper_ids: Sequence[str], limit: int = 10,
                          exclude: Sequence[str] = (), refresh: bool = False) -> list[Paper]:
        """Papers nearest to the mean of these papers' vectors, leaving out the papers
        themselves and ``exclude``. Papers without a stored vector are ignored. Uses the
        indexes as they are unless ``refresh`` (which may load the model and index)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"Parameter 'limit' must be 1..{MAX_LIMIT}.", field="limit")
        if refresh:
            self.refresh()
        model = self.snapshot().model
        if not model:
            return []
        rows = self.store.get_embeddings(list(paper_ids), model)
        if not rows:
            return []
        centre = decode_vectors(rows).mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        skip = set(paper_ids) | set(exclude)
        ranked = [pid for pid, _ in self.semantic_ranking(centre, limit + len(skip) + 5)
                  if pid not in skip]
        return [p for p in self._papers(ranked, SearchFilters(), limit) if p.id not in skip][
            :limit]



ServiceFactory = Callable[[], SearchService]
