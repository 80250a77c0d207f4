"""Bringing the keyword and vector indexes up to date with the catalog (incrementally).

Two passes read the papers changed since their watermarks (``store.iter_papers_since``), in
chunks. The keyword pass is cheap and goes first: each chunk is one atomic commit followed by
its watermark, so new papers are found by keyword search long before they are embedded. The
embedding pass embeds papers whose text or model changed and stores their vectors with the
new catalog watermark in one transaction; it can stop after a number of papers
(``limit``), which is how the background refresher works in small steps. Then stored vectors
newer than the live vector segment go into the in-memory delta; ``compact`` writes a new
segment and swaps it in. Every step is safe to re-run.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from paperwire.models import Paper, StoredEmbedding
from paperwire.search.embedder import Embedder
from paperwire.search.index_files import SearchFiles
from paperwire.search.keyword import KeywordDoc, KeywordIndex
from paperwire.search.records import paper_organizations
from paperwire.search.vectors import Segment, VectorIndex
from paperwire.storage import Store

CHUNK = 64
KEYWORD_CHUNK = 1000
EMBED_BATCH = 16
VECTOR_PAGE = 5000


@dataclass
class IndexReport:
    papers: int = 0
    embedded: int = 0
    keyword_docs: int = 0
    vectors: int = 0
    rebuilt: bool = False
    pending: bool = False  # a limited pass stopped with papers left to embed
    busy: bool = False  # another process holds the writer lock: nothing was written


def build_embedding_text(paper: Paper) -> str:
    return f"{paper.title}. {paper.summary}".strip()


def build_text_hash(paper: Paper) -> str:
    return hashlib.sha256(build_embedding_text(paper).encode("utf-8")).hexdigest()[:32]


def build_keyword_doc(paper: Paper) -> KeywordDoc:
    names = " ".join(a.name for a in paper.authors if not a.hidden)
    day = paper.published_at.date() if paper.published_at else None
    return KeywordDoc(paper.id, paper.title, paper.summary, names, day, paper.categories,
                      tuple(sorted(paper_organizations(paper))), bool(paper.github_repo))


def model_key(embedder: Embedder) -> str:
    return f"{embedder.name}@{embedder.version}"


def build_embeddings(embedder: Embedder, papers: list[Paper]) -> list[StoredEmbedding]:
    """The papers' vectors as stored rows, embedded in length-sorted batches (less padding)."""
    model = model_key(embedder)
    todo = sorted(papers, key=lambda p: len(build_embedding_text(p)))
    items: list[StoredEmbedding] = []
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        vectors = embedder.embed([build_embedding_text(p) for p in batch])
        items.extend(
            StoredEmbedding(p.id, model, build_text_hash(p), int(v.shape[0]),
                            v.astype("<f2").tobytes())
            for p, v in zip(batch, vectors, strict=True))
    return items


def _chunks(items: Iterator[tuple[int, Paper]], size: int) -> Iterator[list[tuple[int, Paper]]]:
    chunk: list[tuple[int, Paper]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="paper", desc="indexing", disable=not enabled or total == 0,
                file=sys.stderr, smoothing=0.1)


class Indexer:
    """Writes the indexes of one data dir; one writer at a time within a process."""

    def __init__(self, store: Store, files: SearchFiles, embedder: Embedder) -> None:
        self.store = store
        self.files = files
        self.embedder = embedder
        self.model = model_key(embedder)

    # -- catalog -> keyword index + stored embeddings ----------------------------------------
    def catalog_pass(self, keyword: KeywordIndex, keyword_seq: int, progress: bool,
                     report: IndexReport, on_commit: Callable[[int], object],
                     limit: int | None = None) -> None:
        """Papers changed after the watermarks into ``keyword``, then into the stored vectors
        (at most ``limit`` embedded papers); ``on_commit(seq)`` records the keyword
        watermark after each keyword commit."""
        embed_mark = self.store.search_watermark("catalog_seq")
        report.papers += self.store.count_papers_since(min(embed_mark, keyword_seq))
        self.keyword_pass(keyword, keyword_seq, report, on_commit)
        self.embed_pass(embed_mark, progress, report, limit)

    def keyword_pass(self, keyword: KeywordIndex, keyword_seq: int, report: IndexReport,
                     on_commit: Callable[[int], object]) -> None:
        for chunk in _chunks(self.store.iter_papers_since(keyword_seq, batch=KEYWORD_CHUNK),
                             KEYWORD_CHUNK):
            report.keyword_docs += keyword.write([build_keyword_doc(p) for _seq, p in chunk])
            on_commit(chunk[-1][0])

    def embed_pass(self, embed_mark: int, progress: bool, report: IndexReport,
                   limit: int | None = None) -> None:
        """Embed papers changed after ``embed_mark``, chunk by chunk (each chunk moves the
        watermark); stop after ``limit`` papers, setting ``report.pending``."""
        total = self.store.count_papers_since(embed_mark)
        size = CHUNK if limit is None else max(1, min(CHUNK, limit))
        bar = _progress(total if limit is None else min(total, limit), progress)
        done = 0
        try:
            for chunk in _chunks(self.store.iter_papers_since(embed_mark, batch=size), size):
                report.embedded += self.embed_papers([p for _seq, p in chunk],
                                                     catalog_seq=chunk[-1][0])
                done += len(chunk)
                bar.update(len(chunk))
                if limit is not None and done >= limit:
                    report.pending = done < total
                    return
        finally:
            bar.close()

    def embed_papers(self, papers: list[Paper], catalog_seq: int | None) -> int:
        """Embed the papers whose text or model changed; store vectors (+ watermark)."""
        known = self.store.embedding_hashes([p.id for p in papers])
        todo = [p for p in papers if known.get(p.id) != (self.model, build_text_hash(p))]
        items = build_embeddings(self.embedder, todo)
        if items or catalog_seq is not None:
            self.store.save_embeddings(items, catalog_seq)
        return len(items)

    def model_pass(self, report: IndexReport, limit: int | None = None) -> None:
        """Re-embed papers whose stored vector came from another model (at most ``limit``)."""
        done = 0
        while limit is None or done < limit:
            ids = self.store.papers_with_other_model(self.model, min(CHUNK, limit or CHUNK))
            if not ids:
                return
            papers = self.store.get_papers(ids)
            report.embedded += self.embed_papers(papers, catalog_seq=None)
            done += len(ids)
            if len(papers) < len(ids):
                return
        report.pending = True

    # -- stored embeddings -> vector index ---------------------------------------------------
    def load_delta(self, vectors: VectorIndex) -> int:
        return load_delta(self.store, self.model, vectors)

    def build_segment(self) -> tuple[Segment, int]:
        """A segment of every stored vector of the current model (for rebuilds)."""
        fresh = VectorIndex(None, self.embedder.dim)
        newest = self.load_delta(fresh)
        return fresh.compacted(rescale=True), newest


def load_delta(store: Store, model: str, vectors: VectorIndex) -> int:
    """Add stored vectors newer than ``vectors.seq`` to its delta; return the newest seq."""
    while True:
        rows = store.embeddings_since(vectors.seq, model, VECTOR_PAGE)
        if not rows:
            return vectors.seq
        vectors.add([r.paper_id for r in rows], decode_vectors(rows))
        vectors.seq = rows[-1].seq


def copy_vectors(vectors: VectorIndex) -> VectorIndex:
    """A copy of ``vectors`` that can take more delta rows while readers use the original
    (the segment and the delta array are shared: neither is changed in place)."""
    fresh = VectorIndex(vectors.segment, vectors.dim, vectors.seq)
    fresh.delta_ids = list(vectors.delta_ids)
    fresh.delta = vectors.delta
    fresh.delta_pos = dict(vectors.delta_pos)
    return fresh


def decode_vectors(rows: list[StoredEmbedding]) -> np.ndarray[Any, np.dtype[np.float32]]:
    raw = b"".join(r.vector for r in rows)
    return np.frombuffer(raw, dtype="<f2").astype(np.float32).reshape(len(rows), -1)
