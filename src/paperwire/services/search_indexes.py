"""The indexes of one data dir: opened as immutable snapshots, written by one writer.

Queries read an immutable ``IndexSnapshot`` (keyword index, vector segment + delta, model)
and never wait on a writer: the writer (``index``, ``refresh``, ``step``; one at a time,
under ``_writer`` and, across the processes serving one data dir, the data dir's writer
lock) builds each new state aside, embedding included, and publishes it with one
assignment. A reader that sees the manifest changed by another process reopens it only when
no writer is busy, and otherwise keeps the snapshot it has. The background refresher
(``services.search_refresher``) calls ``step()``: a bounded piece of work.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace

from paperwire.config import Settings
from paperwire.search.embedder import Embedder, load_embedder
from paperwire.search.index_files import SearchFiles
from paperwire.search.keyword import KeywordIndex, outdated
from paperwire.search.vectors import VectorIndex, remove_folder, serve_single_threaded
from paperwire.services.search_indexing import (
    Indexer,
    IndexReport,
    copy_vectors,
    load_delta,
    model_key,
)
from paperwire.storage import Store

COMPACT_AT = 20_000
STEP_PAPERS = 32  # papers the background refresher embeds between two swaps


@dataclass(frozen=True)
class IndexSnapshot:
    """What queries read: never changed once published (a writer publishes a new one)."""

    keyword: KeywordIndex | None = None
    vectors: VectorIndex | None = None
    model: str = ""
    stamp: float = -1.0  # the manifest's mtime this snapshot matches



class SearchIndexes:
    """The keyword and vector indexes of one data dir. Thread-safe; one instance per process."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder | None = None
                 ) -> None:
        self.settings = settings
        self.store = store
        self.files = SearchFiles(settings.data_dir / "search")
        self._embedder = embedder
        self._loading = threading.Lock()
        self._writer = threading.RLock()  # held by the one writer; readers never wait on it
        self._snapshot = IndexSnapshot()
        self._indexer: Indexer | None = None

    # -- components --------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._loading:
                if self._embedder is None:
                    self._embedder = load_embedder(
                        self.settings.embedder, self.settings.model_dir,
                        self.settings.data_dir / "search" / "model-cache",
                        device=self.settings.embed_device)
        return self._embedder

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            self._indexer = Indexer(self.store, self.files, self.embedder)
        return self._indexer

    def load_model(self) -> str:
        """Load the embedding model and open the indexes now (before serving requests),
        with one BLAS thread for the process (``serve_single_threaded``); return the
        model's name@version."""
        serve_single_threaded()
        self.snapshot()
        return model_key(self.embedder)

    # -- snapshots ---------------------------------------------------------------------------
    def snapshot(self) -> IndexSnapshot:
        """The current snapshot; reopened first when another process swapped the manifest
        and no writer is busy (a busy writer publishes its own)."""
        snap = self._snapshot
        if snap.stamp != self.files.stamp() and self._writer.acquire(blocking=False):
            try:
                snap = self._reopen()
            finally:
                self._writer.release()
        return snap

    def _publish(self, snap: IndexSnapshot) -> IndexSnapshot:
        self._snapshot = snap
        return snap

    def _reopen(self) -> IndexSnapshot:
        """A snapshot of the indexes the manifest names, when it changed (no model needed
        while a segment gives the dimension). Call with ``_writer`` held."""
        stamp = self.files.stamp()
        if stamp == self._snapshot.stamp:
            return self._snapshot
        manifest = self.files.read()
        segment = self.files.open_segment(manifest)
        vectors = None
        if segment is not None or manifest.model:
            dim = segment.dim if segment is not None else self.embedder.dim
            vectors = VectorIndex(segment, dim, manifest.vector_seq)
            load_delta(self.store, manifest.model, vectors)
        keyword = None if self._keyword_outdated(manifest.keyword) \
            else self.files.open_keyword(manifest)
        return self._publish(IndexSnapshot(keyword, vectors, manifest.model, stamp))

    def _keyword_outdated(self, folder: str) -> bool:
        """An index of an older schema: the next ``index``/``refresh`` rebuilds it."""
        return bool(folder) and outdated(self.files.root / folder)

    def _writable(self) -> IndexSnapshot:
        """The snapshot to write on: vectors of another model than the embedder's dropped,
        a keyword index (of the current schema) and a vector index present."""
        model = model_key(self.embedder)
        if self.files.read().model not in ("", model):
            self.files.update(vectors="", vector_seq=0, model=model)
        elif not self.files.read().model:
            self.files.update(model=model)
        snap = self._reopen()
        if snap.keyword is None:
            folder = self.files.new_folder("keyword")
            keyword = KeywordIndex(folder)
            self.files.update(keyword=folder.name, keyword_seq=0)
            snap = self._publish(replace(snap, keyword=keyword, stamp=self.files.stamp()))
        if snap.vectors is None:
            snap = self._publish(replace(snap, vectors=VectorIndex(None, self.embedder.dim)))
        return snap

    # -- indexing ----------------------------------------------------------------------------
    def index(self, rebuild: bool = False, progress: bool = False,
              compact: bool = True) -> IndexReport:
        """Bring both indexes up to date; ``rebuild`` builds them anew and swaps them in."""
        with self._writer, self.files.writer_lock():
            if rebuild:
                return self._rebuild(progress)
            return self._update(progress, compact)

    def step(self, papers: int = STEP_PAPERS) -> IndexReport:
        """One bounded piece of background work: every new paper into the keyword index,
        at most ``papers`` embedded, the result published. ``pending`` says more is left;
        ``busy`` that another process is writing the indexes (this one reopens what it
        publishes instead)."""
        with self._writer, self.files.writer_lock(wait=False) as mine:
            if not mine:
                self._reopen()
                return IndexReport(busy=True)
            return self._update(False, compact=False, limit=papers)

    def _update(self, progress: bool, compact: bool, limit: int | None = None) -> IndexReport:
        report = IndexReport()
        snap = self._writable()
        assert snap.keyword is not None
        self.indexer.catalog_pass(snap.keyword, self.files.read().keyword_seq, progress,
                                  report, self._keyword_committed, limit)
        if not report.pending:
            self.indexer.model_pass(report, limit)
        return self._refresh_vectors(report, compact)

    def _keyword_committed(self, seq: int) -> None:
        self.files.update(keyword_seq=seq)
        self._publish(replace(self._snapshot, stamp=self.files.stamp()))

    def _refresh_vectors(self, report: IndexReport, compact: bool) -> IndexReport:
        """Stored vectors newer than the snapshot's into a copy of its vector index (or a
        new segment), then published."""
        snap = self._writable()
        assert snap.vectors is not None
        vectors = copy_vectors(snap.vectors)
        newest = self.indexer.load_delta(vectors)
        if vectors.delta_ids and (compact or len(vectors.delta_ids) >= COMPACT_AT):
            segment = vectors.compacted()
            self.files.save_segment(segment, newest, self.indexer.model)
            vectors = VectorIndex(segment, self.embedder.dim, newest)
        self._publish(replace(snap, vectors=vectors, model=self.indexer.model,
                              stamp=self.files.stamp()))
        report.vectors = len(vectors)
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
        self._reopen()
        report.vectors = len(segment)
        return report

    def stale(self) -> bool:
        manifest = self.files.read()
        seq = min(manifest.keyword_seq, self.store.search_watermark("catalog_seq"))
        return (self.store.max_paper_seq() > seq or not manifest.keyword
                or self._keyword_outdated(manifest.keyword))

    def refresh(self) -> None:
        """Index what changed since the last run (without compacting), reopen swapped files."""
        with self._writer, self.files.writer_lock():
            if self.stale():
                self._update(progress=False, compact=False)
            else:
                self._reopen()
