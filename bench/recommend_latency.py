"""For-you latency for one user over a large catalog (part of ``bench/recommend.py``).

The catalog's vectors are mixtures of the real-text catalog's embeddings plus noise (as
``search_speed.py`` builds them, so the vector index's lists and codes behave as on real
embeddings); each row borrows the keyword tokens of a catalog paper. The user's history is
30 papers of one neighbourhood, the negatives 300 random papers, and the model is trained
once (cached between requests, as served). Two first stages are timed per request:

* ``exact``: the model's embedding half over every row (one matrix-vector product), as
  ``/for-you`` ranks up to ``MAX_CANDIDATES`` recent papers;
* ``index``: the vector index's nearest papers to the embedding half's direction, as
  ``/for-you`` ranks a larger period;

then the whole model over the 500 shortlisted and the best 30 kept. ``top30_overlap`` is the
share of the exact path's 30 that the index path also returns.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from paperwire.models import Paper
from paperwire.relevance_features import (
    Features,
    HybridModel,
    IdfTable,
    build_idf,
    build_sparse,
    hash_tokens,
    paper_tokens,
    shortlist,
    train_hybrid,
)
from paperwire.search.vectors import Segment, VectorIndex
from paperwire.services.for_you import INDEX_SHORTLIST
from paperwire.services.for_you_model import SHORTLIST

HISTORY = 30
NEGATIVES = 300
SHOWN = 30


def build_vectors(base: np.ndarray, n: int, rng: np.random.Generator,
                  noise: float = 0.03) -> np.ndarray:
    """``n`` unit rows, each a random mixture of three ``base`` rows plus Gaussian noise."""
    out = np.empty((n, base.shape[1]), np.float32)
    for start in range(0, n, 50_000):
        size = min(50_000, n - start)
        picks = rng.integers(0, len(base), size=(size, 3))
        weights = rng.dirichlet(np.full(3, 0.7), size=size).astype(np.float32)
        mix = np.einsum("nk,nkd->nd", weights, base[picks])
        mix += rng.normal(0, noise, mix.shape).astype(np.float32)
        out[start:start + size] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


class Catalog:
    def __init__(self, papers: list[Paper], vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.tokens = [hash_tokens(paper_tokens(p)) for p in papers]

    def features(self, rows: Sequence[int], idf: IdfTable) -> Features:
        return Features(self.vectors[list(rows)],
                        build_sparse([self.tokens[i % len(self.tokens)] for i in rows], idf))


def _best(catalog: Catalog, model: HybridModel, idf: IdfTable, rows: np.ndarray,
          skip: set[int]) -> list[int]:
    kept = [int(r) for r in rows if int(r) not in skip][:SHORTLIST]
    scores = model.score(catalog.features(kept, idf))
    return [kept[i] for i in np.argsort(-scores, kind="stable")[:SHOWN]]


def measure_latency(papers: list[Paper], base: np.ndarray, n: int,
                    repeats: int) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    catalog = Catalog(papers, build_vectors(base, n, rng))
    started = time.perf_counter()
    index = VectorIndex(Segment.build([str(i) for i in range(n)], catalog.vectors),
                        base.shape[1])
    build_s = time.perf_counter() - started
    seed = int(rng.integers(n))
    history = np.argpartition(-(catalog.vectors @ catalog.vectors[seed]), HISTORY)[:HISTORY]
    negatives = rng.choice(n, NEGATIVES, replace=False)
    idf = build_idf([catalog.tokens[i % len(papers)] for i in [*history, *negatives]])
    started = time.perf_counter()
    model = train_hybrid(catalog.features(history, idf), catalog.features(negatives, idf))
    train_ms = (time.perf_counter() - started) * 1000
    skip = {int(i) for i in history}
    direction = model.dense_weights.astype(np.float32)
    direction /= np.linalg.norm(direction)
    times: dict[str, list[float]] = {"exact": [], "index": []}
    for _ in range(repeats):
        started = time.perf_counter()
        exact = _best(catalog, model, idf, shortlist(model, catalog.vectors, SHORTLIST + HISTORY),
                      skip)
        times["exact"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        found = index.search(direction, INDEX_SHORTLIST + HISTORY)
        near = _best(catalog, model, idf, np.array([int(pid) for pid, _ in found]), skip)
        times["index"].append((time.perf_counter() - started) * 1000)
    return {"papers": n, "index_build_s": round(build_s, 1), "train_ms": round(train_ms, 1),
            **{f"{name}_p50_ms": round(float(np.median(v)), 1) for name, v in times.items()},
            **{f"{name}_p95_ms": round(float(np.percentile(v, 95)), 1)
               for name, v in times.items()},
            "top30_overlap": round(len(set(exact) & set(near)) / SHOWN, 3)}
