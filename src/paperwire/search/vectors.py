"""The vector index: 2-bit codes in RAM in inverted lists, int8 vectors memory-mapped for
rescoring.

Papers are grouped into about sqrt(N) lists by k-means over their vectors (rows stored list
by list). A query picks the ``PROBE`` share of lists whose centroids are nearest, ranks the
papers of those lists by Hamming distance between compact codes (2 bits a dimension after
centring and a random rotation: 96 bytes a paper for 384 dimensions, scanned by faiss), then
rescores the best ``shortlist`` with int8 vectors (one scale per dimension) read from a
memory-mapped file and returns the best by that dot product. This is binary-embedding
retrieval with rescoring, chosen by measurement over HNSW: no graph to build, under 100
bytes of RAM a paper. At 1M papers probing 5% of 1,000 lists is three times faster than
scanning every code and finds slightly more of the exact top 10 (the lists drop far-away
papers whose codes happen to be close). Plain sign bits (48 bytes) lose about 8 points of
recall@10 at the same shortlist; a first pass over half of each code lost more than that.

A ``Segment`` is immutable and saved in its own folder; ``VectorIndex`` combines one
segment with a small in-memory delta of newer vectors (exact search), which supersedes the
segment's rows for the same papers.

A search can be restricted to some papers (``Candidates``): when their keys are given (few
papers: at most ``EXACT_SCAN``) their rows are scanned exactly; otherwise (many papers) the
approximate search is run deep enough for the allowed share of the catalog and each batch of
candidates is checked by ``accept``, widening until ``k`` allowed papers are found or the
whole index was ranked. Either way the results are only allowed papers, ranked before any
cut, so a filtered search finds what a filtered brute-force scan finds.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from paperwire.search.codebook import BUILD_CHUNK, Codebook, outgrown
from paperwire.search.records import paper_key

F32 = npt.NDArray[np.float32]
Keys = npt.NDArray[np.uint64]
RowMap = Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]]
EXACT_SCAN = 20_000  # restricted to at most this many papers: scan their rows exactly
SCORE_BLOCK = 2048  # int8 rows turned to floats at a time when rescoring
WIDEN = 4  # each round of a filtered approximate search goes this much deeper
SHORTLIST = 3000  # codes rescored per query at the reference depth of the probe
REFERENCE_PROBED = 50_000  # codes probed at 1M papers, where SHORTLIST was tuned
PROBE = 0.05  # share of the lists a query scans
MIN_PROBE = 32  # and at least this many (fewer lost 5 points of recall@10 at 60,000 papers)


def serve_single_threaded() -> None:
    """One BLAS thread for the whole process, for serving queries: each query's matrix
    products (probe, rescoring) are small, queries run in parallel on their own threads,
    and a multi-threaded BLAS wakes its pool for each product and spins: 4.7 ms of CPU
    instead of 0.12 ms for a 3,000 x 384 rescoring on 2 busy cores."""
    threadpool_limits(1, user_api="blas")


@dataclass(frozen=True)
class Candidates:
    """The papers a search may return: ``keys`` (``paper_key`` values) when few, else an
    ``accept`` test over keys and the ``share`` of the catalog it lets through."""

    keys: Keys | None = None
    accept: Callable[[Keys], npt.NDArray[np.bool_]] | None = None
    share: float = 1.0


def build_keys(ids: Sequence[str]) -> Keys:
    return np.fromiter((paper_key(i) for i in ids), dtype=np.uint64, count=len(ids))


class Segment:
    """An immutable set of vectors: ids, codes (RAM) and int8 rows (memory-mapped), stored
    list by list (``offsets[i]:offsets[i+1]`` are the rows of list ``i``), and a codebook."""

    def __init__(self, ids: npt.NDArray[np.bytes_], codes: npt.NDArray[np.uint8],
                 q8: npt.NDArray[np.int8], book: Codebook,
                 offsets: npt.NDArray[np.int64] | None = None) -> None:
        self.ids = ids
        self.codes = np.ascontiguousarray(codes)
        self.q8 = q8
        self.book = book
        self.offsets = (np.array([0, len(ids)], dtype=np.int64) if offsets is None
                        else offsets)
        self._keys: tuple[Keys, npt.NDArray[np.int64]] | None = None

    def keys(self) -> tuple[Keys, npt.NDArray[np.int64]]:
        """The rows' paper keys, sorted, and the row of each (computed once)."""
        if self._keys is None:
            keys = build_keys([raw.decode("utf-8") for raw in self.ids])
            order = np.argsort(keys, kind="stable")
            self._keys = (keys[order], order.astype(np.int64))
        return self._keys

    def rows_of(self, wanted: Keys) -> npt.NDArray[np.int64]:
        """The rows of the papers with these keys (keys not in the segment are skipped)."""
        keys, rows = self.keys()
        if len(keys) == 0 or len(wanted) == 0:
            return np.zeros(0, dtype=np.int64)
        wanted = np.sort(wanted)  # sorted needles: 3x faster lookups
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.sort(rows[at[keys[at] == wanted]])

    def row_keys(self) -> Keys:
        """The paper key of each row, in row order."""
        keys, rows = self.keys()
        out = np.empty(len(keys), dtype=np.uint64)
        out[rows] = keys
        return out

    def score_rows(self, query: F32, rows: npt.NDArray[np.int64] | None = None) -> F32:
        """Exact int8 scores of ``rows`` (every row when None), in that order: gathered from
        the memory map as a plain array (its own indexing is 3x slower) and turned to floats
        a block at a time, which stays in the CPU cache (2.5x faster at 15,000 rows)."""
        weights = query * (self.book.scale / 127.0)
        q8 = np.asarray(self.q8)
        count = len(self) if rows is None else len(rows)
        out = np.empty(count, dtype=np.float32)
        for start in range(0, count, SCORE_BLOCK):
            block = (q8[start:start + SCORE_BLOCK] if rows is None
                     else np.take(q8, rows[start:start + SCORE_BLOCK], axis=0))
            out[start:start + SCORE_BLOCK] = block.astype(np.float32) @ weights
        return out

    def scan(self, query: F32, rows: npt.NDArray[np.int64], k: int) -> list[tuple[str, float]]:
        """Exact int8 scores of ``rows``, best ``k`` first."""
        if len(rows) == 0 or k <= 0:
            return []
        scores = self.score_rows(query, rows)
        best = np.argsort(-scores)[:k]
        return [(self.ids[rows[i]].decode("utf-8"), float(scores[i])) for i in best]

    @classmethod
    def build(cls, ids: Sequence[str], vectors: F32, book: Codebook | None = None) -> Segment:
        book = Codebook.fit(vectors) if book is None else book
        lists = book.assign(vectors)
        order = np.argsort(lists, kind="stable")
        offsets = np.concatenate([[0], np.cumsum(np.bincount(
            lists, minlength=len(book.centroids)))]).astype(np.int64)
        id_array = np.array([i.encode("utf-8") for i in ids], dtype=np.bytes_)[order]
        codes = np.empty((len(order), book.code_bytes), dtype=np.uint8)
        q8 = np.empty((len(order), vectors.shape[1]), dtype=np.int8)
        for start in range(0, len(order), BUILD_CHUNK):  # no full-size float temporaries
            rows = vectors[order[start:start + BUILD_CHUNK]]
            codes[start:start + len(rows)] = book.codes(rows)
            q8[start:start + len(rows)] = book.int8(rows)
        return cls(id_array, codes, q8, book, offsets)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dim(self) -> int:
        return int(self.book.scale.shape[0])

    def search(self, query: F32, k: int, shortlist: int = SHORTLIST,
               probe: float = PROBE) -> list[tuple[str, float]]:
        if len(self) == 0 or k <= 0:
            return []
        codes, to_rows = self._probe(query, probe)
        depth = min(len(codes), max(scaled_shortlist(shortlist, len(codes)), k))
        if depth == 0:
            return []
        faiss.omp_set_num_threads(1)  # per thread: one core a query, queries in parallel
        _dist, hits = faiss.knn_hamming(self.book.codes(query[None, :]), codes, depth)
        found = np.sort(to_rows(hits[0][hits[0] >= 0]))
        scores = self.score_rows(query, found)
        best = np.argsort(-scores)[:k]
        return [(self.ids[found[i]].decode("utf-8"), float(scores[i])) for i in best]

    def _probe(self, query: F32, share: float) -> tuple[npt.NDArray[np.uint8], RowMap]:
        """The codes of the lists nearest the query, and how their positions map to rows."""
        lists = len(self.offsets) - 1
        if lists <= 1:
            return self.codes, _same
        probe = min(lists, max(MIN_PROBE, round(lists * share)))
        nearest = np.sort(np.argpartition(-(self.book.centroids @ query), probe - 1)[:probe])
        begins, ends = self.offsets[nearest], self.offsets[nearest + 1]
        codes = np.concatenate([self.codes[a:b] for a, b in zip(begins, ends, strict=True)])
        starts = np.concatenate([[0], np.cumsum(ends - begins)[:-1]])

        def to_rows(positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
            block = np.searchsorted(starts, positions, side="right") - 1
            rows: npt.NDArray[np.int64] = begins[block] + (positions - starts[block])
            return rows
        return codes, to_rows

    def vectors(self) -> F32:
        """Approximate float vectors back from int8 (used when merging segments)."""
        return np.asarray(self.q8, dtype=np.float32) * (self.book.scale / 127.0)

    def save(self, folder: Path, meta: dict[str, object]) -> None:
        """Write into a fresh folder (the caller swaps it in atomically)."""
        folder.mkdir(parents=True)
        np.save(folder / "ids.npy", self.ids)
        np.save(folder / "codes.npy", self.codes)
        np.save(folder / "offsets.npy", self.offsets)
        np.save(folder / "q8.npy", np.asarray(self.q8))
        self.book.save(folder)
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        _fsync_folder(folder)

    @classmethod
    def load(cls, folder: Path) -> Segment:
        offsets = folder / "offsets.npy"
        return cls(np.load(folder / "ids.npy"), np.load(folder / "codes.npy"),
                   np.load(folder / "q8.npy", mmap_mode="r"), Codebook.load(folder),
                   np.load(offsets) if offsets.is_file() else None)

    def ram_bytes(self) -> int:
        """Bytes held in RAM for the vectors: codes, centroids, list offsets (not ids)."""
        return int(self.codes.nbytes + self.book.centroids.nbytes + self.offsets.nbytes)


def scaled_shortlist(shortlist: int, probed: int) -> int:
    """How many of the ``probed`` codes to rescore: ``shortlist`` up to the reference depth,
    the same share of them beyond it (at 2.7M papers 5% of the lists hold 2.7 times the
    codes of 1M, and a fixed shortlist would be a smaller share of them: recall@10 fell from
    0.96 to 0.94)."""
    return max(shortlist, round(shortlist * probed / REFERENCE_PROBED))


def _same(positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return positions


def _fsync_folder(folder: Path) -> None:
    for entry in folder.iterdir():
        with entry.open("rb") as handle:
            os.fsync(handle.fileno())


class VectorIndex:
    """A saved segment plus a delta of newer vectors; the delta wins for the same paper."""

    def __init__(self, segment: Segment | None, dim: int, seq: int = 0) -> None:
        self.segment = segment
        self.seq = seq
        self.dim = dim
        self.delta_ids: list[str] = []
        self.delta: F32 = np.zeros((0, dim), dtype=np.float32)
        self.delta_pos: dict[str, int] = {}

    def add(self, ids: Sequence[str], vectors: F32) -> None:
        """Put newer vectors into the delta (replacing older delta rows of the same papers)."""
        rows = list(self.delta)
        for paper_id, vector in zip(ids, vectors, strict=True):
            if paper_id in self.delta_pos:
                rows[self.delta_pos[paper_id]] = vector
            else:
                self.delta_pos[paper_id] = len(self.delta_ids)
                self.delta_ids.append(paper_id)
                rows.append(vector)
        self.delta = np.asarray(rows, dtype=np.float32).reshape(-1, self.dim)

    def __len__(self) -> int:
        base = 0 if self.segment is None else len(self.segment)
        return base + len(self.delta_ids)

    def search(self, query: F32, k: int, shortlist: int = SHORTLIST,
               candidates: Candidates | None = None) -> list[tuple[str, float]]:
        """(paper id, cosine-like score) best first, only ``candidates`` when given."""
        if candidates is None:
            return self._search(query, k, shortlist)
        if candidates.keys is not None:
            return self._scan(query, k, candidates.keys)
        return self._search_accepted(query, k, shortlist, candidates)

    def _scan(self, query: F32, k: int, keys: Keys) -> list[tuple[str, float]]:
        """Exact scores of the papers with ``keys`` (segment rows and delta rows)."""
        merged: dict[str, float] = {}
        if self.segment is not None:
            for pid, score in self.segment.scan(query, self.segment.rows_of(keys),
                                                k + len(self.delta_ids)):
                if pid not in self.delta_pos:
                    merged[pid] = score
        if self.delta_ids:
            allowed = np.isin(build_keys(self.delta_ids), keys)
            scores = self.delta @ query
            for row in np.flatnonzero(allowed):
                merged[self.delta_ids[row]] = float(scores[row])
        return sorted(merged.items(), key=lambda item: -item[1])[:k]

    def _search_accepted(self, query: F32, k: int, shortlist: int,
                         candidates: Candidates) -> list[tuple[str, float]]:
        """The approximate search, deep and wide enough that ``k`` accepted papers survive:
        each round goes ``WIDEN`` times deeper and probes ``WIDEN`` times more lists (the
        accepted papers may lie in lists far from the query), then every paper exactly."""
        assert candidates.accept is not None
        accept = candidates.accept
        depth = max(k, int(k / max(candidates.share, 1e-6) * 2) + 1)
        probe = PROBE
        while depth < len(self) and probe < 1.0:
            found = self._search(query, depth, max(shortlist, depth), probe)
            mask = accept(build_keys([pid for pid, _ in found]))
            kept = [hit for hit, ok in zip(found, mask, strict=True) if ok]
            if len(kept) >= k:
                return kept[:k]
            depth, probe = depth * WIDEN, probe * WIDEN
        return self._scan_all(query, k, accept)

    def _scan_all(self, query: F32, k: int, accept: Callable[[Keys], npt.NDArray[np.bool_]]
                  ) -> list[tuple[str, float]]:
        """Every paper scored exactly, then accepted best first in growing batches until
        ``k`` are found (keys and scores stay arrays: no per-paper objects)."""
        keys, scores, name = self._every_score(query)
        kept: list[tuple[str, float]] = []
        done, step = 0, max(1000, 4 * k)
        while done < len(scores) and len(kept) < k:
            top = min(len(scores), done + step)
            order = np.argpartition(-scores, top - 1)[:top] if top < len(scores) \
                else np.arange(len(scores))
            order = order[np.argsort(-scores[order], kind="stable")][done:]
            mask = accept(keys[order])
            kept.extend((name(int(i)), float(scores[i])) for i in order[mask])
            done, step = top, step * WIDEN
        return kept[:k]

    def _every_score(self, query: F32) -> tuple[Keys, F32, Callable[[int], str]]:
        """Keys and exact scores of every live row (segment rows not superseded by the delta,
        then the delta), and the paper id of a position."""
        delta_keys = build_keys(self.delta_ids)
        segment = self.segment
        rows = np.zeros(0, dtype=np.int64)
        parts_k: list[Keys] = [delta_keys]
        parts_s: list[F32] = [np.asarray(self.delta @ query, dtype=np.float32)]
        if segment is not None and len(segment):
            row_keys = segment.row_keys()
            rows = np.flatnonzero(~np.isin(row_keys, delta_keys))
            parts_k.insert(0, row_keys[rows])
            parts_s.insert(0, segment.score_rows(query)[rows])

        def name(position: int) -> str:
            if position < len(rows) and segment is not None:
                return str(segment.ids[rows[position]].decode("utf-8"))
            return self.delta_ids[position - len(rows)]
        return np.concatenate(parts_k), np.concatenate(parts_s), name

    def _search(self, query: F32, k: int, shortlist: int,
                probe: float = PROBE) -> list[tuple[str, float]]:
        merged: dict[str, float] = {}
        if self.segment is not None:
            extra = min(len(self.delta_ids), 4 * k)
            for pid, score in self.segment.search(query, k + extra, shortlist, probe):
                if pid not in self.delta_pos:
                    merged[pid] = score
        if self.delta_ids:
            scores = self.delta @ query
            for row in np.argsort(-scores)[:k]:
                merged[self.delta_ids[row]] = float(scores[row])
        return sorted(merged.items(), key=lambda item: -item[1])[:k]

    def compacted(self, rescale: bool = False) -> Segment:
        """One segment holding the base rows not superseded, then the delta rows."""
        ids: list[str] = []
        parts: list[F32] = []
        if self.segment is not None and len(self.segment):
            keep = [i for i, raw in enumerate(self.segment.ids)
                    if raw.decode("utf-8") not in self.delta_pos]
            ids.extend(self.segment.ids[i].decode("utf-8") for i in keep)
            parts.append(self.segment.vectors()[keep])
        ids.extend(self.delta_ids)
        parts.append(self.delta)
        vectors = np.concatenate(parts) if parts else self.delta
        book = (None if rescale or self.segment is None
                or outgrown(self.segment.book, len(vectors)) else self.segment.book)
        return Segment.build(ids, vectors, book)


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
