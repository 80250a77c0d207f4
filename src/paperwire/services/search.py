"""Search use cases: index the catalog, search (keyword, semantic, hybrid), similar papers.

``SearchService`` owns the indexes of one data dir. ``refresh()`` indexes what changed since
the watermarks into the live indexes (no compaction) and reopens files another process
swapped; ``search()`` calls it first unless told not to. The search API and page pass
``refresh=False`` (their GETs only read): the site's background refresher calls
``refresh()`` every few seconds instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

from paperwire.config import Settings
from paperwire.errors import InvalidInput, NotFound
from paperwire.models import Paper
from paperwire.search.embedder import Embedder, load_embedder
from paperwire.search.engine import SearchFiles
from paperwire.search.fusion import FusionWeights
from paperwire.search.keyword import KeywordIndex, outdated
from paperwire.search.query import SearchQuery, build_search_query
from paperwire.search.records import SearchFilters, SearchHit, SearchResults
from paperwire.search.retrieval import (
    Indexes,
    Retrieved,
    build_suggestions,
    retrieve,
    semantic_ranking,
)
from paperwire.search.text import MAX_QUERY_CHARS, build_highlights, build_snippet, clean_query
from paperwire.search.vectors import VectorIndex, remove_folder
from paperwire.services.search_indexing import (
    Indexer,
    IndexReport,
    decode_vectors,
    load_delta,
    model_key,
)
from paperwire.storage import Store

MODES = ("hybrid", "keyword", "semantic")
SIMILAR_SORTS = ("relevance", "recent", "popular")
MAX_LIMIT = 120
DEPTH = 100
COMPACT_AT = 20_000
QUERY_CACHE = 2048  # query embeddings kept (LRU)
SIMILAR_POOL = 50  # similar papers re-sorted by recency or popularity come from this many
WEIGHTS = FusionWeights(k=40.0, keyword=1.0, semantic=0.5)


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


class SearchService:
    """Indexes and queries of one data dir. Thread-safe; one instance per process."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder | None = None,
                 weights: FusionWeights = WEIGHTS) -> None:
        self.settings = settings
        self.store = store
        self.files = SearchFiles(settings.data_dir / "search")
        self.weights = weights
        self._embedder = embedder
        self._lock = threading.RLock()
        self._stamp = -1.0
        self._keyword: KeywordIndex | None = None
        self._vectors: VectorIndex | None = None
        self._indexer: Indexer | None = None
        self._model = ""
        self._executor: ThreadPoolExecutor | None = None
        self.embed_query = lru_cache(maxsize=QUERY_CACHE)(self._embed_query)

    # -- components --------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = load_embedder(
                        self.settings.embedder, self.settings.model_dir,
                        self.settings.data_dir / "search" / "model-cache")
        return self._embedder

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            self._indexer = Indexer(self.store, self.files, self.embedder)
        return self._indexer

    def _open(self) -> None:
        """(Re)open the indexes the manifest names when it changed (no model needed)."""
        stamp = self.files.stamp()
        if stamp == self._stamp:
            return
        manifest = self.files.read()
        self._keyword = None if self._keyword_outdated(manifest.keyword) \
            else self.files.open_keyword(manifest)
        segment = self.files.open_segment(manifest)
        self._model = manifest.model
        self._vectors = None
        if segment is not None or self._model:
            dim = segment.dim if segment is not None else self.embedder.dim
            self._vectors = VectorIndex(segment, dim, manifest.vector_seq)
            load_delta(self.store, self._model, self._vectors)
        self._stamp = stamp

    def _keyword_outdated(self, folder: str) -> bool:
        """An index of an older schema: the next ``index``/``refresh`` rebuilds it."""
        return bool(folder) and outdated(self.files.root / folder)

    def _open_for_writing(self) -> VectorIndex:
        """Open the indexes, dropping vectors of another model than the embedder's."""
        model = model_key(self.embedder)
        if self.files.read().model not in ("", model):
            self.files.update(vectors="", vector_seq=0, model=model)
        elif not self.files.read().model:
            self.files.update(model=model)
        self._open()
        if self._vectors is None:
            self._vectors = VectorIndex(None, self.embedder.dim)
        return self._vectors

    # -- indexing ----------------------------------------------------------------------------
    def index(self, rebuild: bool = False, progress: bool = False,
              compact: bool = True) -> IndexReport:
        """Bring both indexes up to date; ``rebuild`` builds them anew and swaps them in."""
        with self._lock:
            if rebuild:
                return self._rebuild(progress)
            return self._update(progress, compact)

    def _update(self, progress: bool, compact: bool) -> IndexReport:
        report = IndexReport()
        self._open_for_writing()
        manifest = self.files.read()
        if self._keyword is None:
            folder = self.files.new_folder("keyword")
            self._keyword = KeywordIndex(folder)
            manifest = self.files.update(keyword=folder.name, keyword_seq=0)
        self.indexer.catalog_pass(self._keyword, manifest.keyword_seq, progress, report,
                                  lambda seq: self.files.update(keyword_seq=seq))
        self.indexer.model_pass(report)
        self._stamp = self.files.stamp()
        return self._refresh_vectors(report, compact)

    def _refresh_vectors(self, report: IndexReport, compact: bool) -> IndexReport:
        self._stamp = -1.0
        self._open_for_writing()
        assert self._vectors is not None
        newest = self.indexer.load_delta(self._vectors)
        if self._vectors.delta_ids and (compact or len(self._vectors.delta_ids) >= COMPACT_AT):
            segment = self._vectors.compacted()
            self.files.save_segment(segment, newest, self.indexer.model)
            self._vectors = VectorIndex(segment, self.embedder.dim, newest)
            self._stamp = self.files.stamp()
        report.vectors = len(self._vectors)
        return report

    def _rebuild(self, progress: bool) -> IndexReport:
        report = IndexReport(rebuilt=True)
        self.store.reset_search()
        folder = self.files.new_folder("keyword")
        building = folder.with_name(folder.name + ".building")
        remove_folder(building)
        fresh = KeywordIndex(building)
        self.indexer.catalog_pass(fresh, 0, progress, report, lambda seq: None)
        del fresh
        os.replace(building, folder)
        self.indexer.model_pass(report)
        segment, newest = self.indexer.build_segment()
        keyword_seq = self.store.search_watermark("catalog_seq")
        self.files.save_segment(segment, newest, self.indexer.model, keyword=folder.name,
                                keyword_seq=keyword_seq)
        self._stamp = -1.0
        self._open()
        report.vectors = len(segment)
        return report

    def stale(self) -> bool:
        manifest = self.files.read()
        seq = min(manifest.keyword_seq, self.store.search_watermark("catalog_seq"))
        return (self.store.max_paper_seq() > seq or not manifest.keyword
                or self._keyword_outdated(manifest.keyword))

    def refresh(self) -> None:
        """Index what changed since the last run (without compacting), reopen swapped files."""
        with self._lock:
            if self.stale():
                self._update(progress=False, compact=False)
            else:
                self._open()

    # -- queries -----------------------------------------------------------------------------
    def search(self, q: str, mode: str = "hybrid", limit: int = 20, offset: int = 0,
               filters: SearchFilters | None = None, refresh: bool = True) -> SearchResults:
        """Ranked, filtered, highlighted results; ``refresh`` (the default) first indexes
        what changed. The search API and page pass False and rely on the refresher.
        Operators in ``q`` and ``filters`` constrain every mode (``search.query``)."""
        text = check_query(q, filters)
        check_mode(mode)
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"Parameter 'limit' must be 1..{MAX_LIMIT}.", field="limit")
        if refresh:
            self.refresh()
        query = build_search_query(text, filters)
        found = self.retrieve(query, mode, max(DEPTH, offset + limit + 1))
        papers = self._papers([pid for pid, _ in found.ranked], query.filters,
                              offset + limit + 1)
        scores = dict(found.ranked)
        hits = tuple(SearchHit(p, scores.get(p.id, 0.0),
                               tuple(build_highlights(p.title, query.parsed)),
                               tuple(build_highlights(p.summary, query.parsed)),
                               tuple(build_snippet(p.summary, query.parsed)))
                     for p in papers[offset : offset + limit])
        suggestions = () if papers else build_suggestions(query, self._indexes().keyword)
        total = max(found.total, len(papers)) if papers else 0
        return SearchResults(text, mode, hits, offset, limit, len(papers) > offset + limit,
                             total, suggestions)

    def retrieve(self, query: SearchQuery, mode: str, depth: int) -> Retrieved:
        return retrieve(query, mode, depth, self._indexes(), self._pool().submit)

    def rank(self, text: str, mode: str, depth: int) -> list[tuple[str, float]]:
        """Paper ids best first for a checked query (no catalog lookups)."""
        return self.retrieve(build_search_query(text), mode, depth).ranked

    def _indexes(self) -> Indexes:
        with self._lock:
            self._open()
            return Indexes(self._keyword, self._vectors, self.embed_query, self.weights)

    def _embed_query(self, text: str) -> np.ndarray:
        vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        vector.setflags(write=False)
        return vector

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(2, thread_name_prefix="search")
        return self._executor

    def keyword_ranking(self, text: str, depth: int) -> list[tuple[str, float]]:
        index = self._indexes().keyword
        return [] if index is None else index.search(build_search_query(text), depth)

    def semantic_query_ranking(self, text: str, depth: int) -> list[tuple[str, float]]:
        """The floored semantic ranking of a query string (constraints applied)."""
        return semantic_ranking(build_search_query(text), depth, self._indexes())

    def semantic_ranking(self, vector: np.ndarray, depth: int) -> list[tuple[str, float]]:
        with self._lock:
            self._open()
            vectors = self._vectors
        return [] if vectors is None else vectors.search(vector.astype(np.float32), depth)

    def _papers(self, ids: Sequence[str], filters: SearchFilters, wanted: int) -> list[Paper]:
        """Papers in ranking order, filtered, following merged ids, without duplicates."""
        found: list[Paper] = []
        seen: set[str] = set()
        for start in range(0, len(ids), 200):
            chunk = list(ids[start : start + 200])
            by_id = {p.id: p for p in self.store.get_papers(chunk)}
            for pid in chunk:
                paper = by_id.get(pid) or self._follow_alias(pid)
                if paper is None or paper.id in seen or not filters.accepts(paper):
                    continue
                seen.add(paper.id)
                found.append(paper)
            if len(found) >= wanted:
                break
        return found

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
        with self._lock:
            self._open()
            model = self._model
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


def sort_similar(papers: list[Paper], sort: str) -> list[Paper]:
    """Nearest papers re-sorted: "recent" newest first, "popular" most upvoted first (ties
    keep the nearest first)."""
    if sort == "recent":
        return sorted(papers, key=lambda p: -(p.published_at.timestamp()
                                               if p.published_at else float("-inf")))
    if sort == "popular":
        return sorted(papers, key=lambda p: -p.upvotes)
    return papers


ServiceFactory = Callable[[], SearchService]
