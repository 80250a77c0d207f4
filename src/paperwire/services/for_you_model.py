"""The per-user model behind "For you": trained on the user's signals, cached by their version.

Training rows are the user's positives (upvotes, saves, papers of follows) and negatives
("not interested" plus a random sample of the candidates, seeded by the user), read as
``relevance_features.Features``. A trained model is kept in an in-process cache per store,
keyed by the user and the *signals version*: a digest of the positive (upvoted, saved,
followed) and dismissed ids, the embedding model and the day. A new upvote, save, follow or
dismissal changes the version, and so does the next day (the daily retraining); otherwise
requests reuse the model.

Ranking has two stages: the model's embedding half scores every candidate (one matrix-vector
product over the cached candidate embeddings), then the best ``SHORTLIST`` are scored by the
whole model, keyword half included, from the cached keyword feature ids of each paper.
"""

from __future__ import annotations

import hashlib
import random
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from paperwire.models import Paper
from paperwire.relevance import Matrix, nearest
from paperwire.relevance_features import (
    Features,
    HybridModel,
    IdfTable,
    IntArray,
    build_idf,
    build_sparse,
    hash_tokens,
    paper_tokens,
    shortlist,
    train_hybrid,
)
from paperwire.services.search_indexing import decode_vectors
from paperwire.storage import Store

NEGATIVE_SAMPLE = 300
SHORTLIST = 500
CHUNK = 500
CACHE_SIZE = 512


@dataclass(frozen=True)
class TrainedModel:
    model: HybridModel
    idf: IdfTable
    version: str


@dataclass(frozen=True)
class Ranked:
    """One candidate as the model sees it: score, nearest positive, and the model (for the
    words that count, worked out only for the papers shown)."""

    paper_id: str
    score: float
    near_id: str
    model: HybridModel

    def terms(self, paper: Paper) -> list[str]:
        return self.model.top_terms(paper_tokens(paper))


class StoreCache:
    """What one store's requests reuse: the embeddings of the latest candidate list (it
    changes when papers arrive, not between requests), each recent user's model for one
    version of their signals (least recently used goes first), and each paper's keyword
    feature ids (a corrected abstract counts once its entry leaves the cache)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.candidates: tuple[str, list[str], Matrix] | None = None
        self.models: OrderedDict[int, TrainedModel] = OrderedDict()
        self.hashed: OrderedDict[str, IntArray] = OrderedDict()


class Caches:
    """One ``StoreCache`` per live store (a closed store's goes with it)."""

    def __init__(self) -> None:
        self._stores: weakref.WeakKeyDictionary[Any, StoreCache] = weakref.WeakKeyDictionary()
        self._lock = threading.RLock()
        self.trained = 0

    def of(self, store: Store) -> StoreCache:
        with self._lock:
            found = self._stores.get(store)
            if found is None:
                found = self._stores[store] = StoreCache()
            return found

    def vectors(self, store: Store, model: str, ids: Sequence[str]) -> tuple[list[str], Matrix]:
        key = hashlib.sha256("\x1f".join([model, *ids]).encode("utf-8", "replace")).hexdigest()
        cache = self.of(store)
        found = cache.candidates
        if found is not None and found[0] == key:
            return found[1], found[2]
        got_ids, matrix = fetch_vectors(store, model, ids)
        cache.candidates = (key, got_ids, matrix)
        return got_ids, matrix

    def get(self, store: Store, user_id: int, version: str) -> TrainedModel | None:
        cache = self.of(store)
        with self._lock:
            found = cache.models.get(user_id)
            if found is None or found.version != version:
                return None
            cache.models.move_to_end(user_id)
            return found

    def put(self, store: Store, user_id: int, trained: TrainedModel) -> None:
        cache = self.of(store)
        with self._lock:
            self.trained += 1
            cache.models[user_id] = trained
            cache.models.move_to_end(user_id)
            while len(cache.models) > cache.size:
                cache.models.popitem(last=False)

    def hashed_of(self, store: Store, paper: Paper) -> IntArray:
        """The paper's keyword feature ids (``hash_tokens``), cached by paper id."""
        hashed = self.of(store).hashed
        with self._lock:
            found = hashed.get(paper.id)
            if found is None:
                found = hashed[paper.id] = hash_tokens(paper_tokens(paper))
                while len(hashed) > HASHED_CACHE:
                    hashed.popitem(last=False)
            return found

    def hashed_by_id(self, store: Store, ids: Sequence[str]) -> dict[str, IntArray]:
        """Feature ids of these papers: from the cache, the others read from the store."""
        hashed = self.of(store).hashed
        missing = [i for i in ids if i not in hashed]
        for paper in store.get_papers(missing) if missing else []:
            self.hashed_of(store, paper)
        return {i: hashed[i] for i in ids if i in hashed}


HASHED_CACHE = 100_000
MODELS = Caches()


def signals_version(positive_ids: Sequence[str], dismissed: Sequence[str],
                    embedding_model: str, day: date) -> str:
    digest = hashlib.sha256()
    for part in (sorted(positive_ids), sorted(dismissed), [embedding_model, day.isoformat()]):
        digest.update("\x1f".join(part).encode("utf-8", "replace") + b"\x1e")
    return digest.hexdigest()


def fetch_vectors(store: Store, model: str, ids: Sequence[str]) -> tuple[list[str], Matrix]:
    found, parts = [], []
    for start in range(0, len(ids), CHUNK):
        rows = store.get_embeddings(ids[start:start + CHUNK], model)
        if rows:
            found += [r.paper_id for r in rows]
            parts.append(decode_vectors(rows))
    if not parts:
        return [], np.zeros((0, 0), np.float32)
    return found, np.vstack(parts)


def fetch_features(store: Store, model: str, ids: Sequence[str],
                   idf: IdfTable | None = None) -> tuple[list[Paper], Features, IdfTable]:
    """Papers with both an embedding and a row, as features (idf from them if not given)."""
    found, dense = fetch_vectors(store, model, ids)
    papers = {p.id: p for p in store.get_papers(found)}
    keep = [i for i, pid in enumerate(found) if pid in papers]
    ordered = [papers[found[i]] for i in keep]
    tokens = [MODELS.hashed_of(store, p) for p in ordered]
    idf = idf or build_idf(tokens)
    dense = dense[keep] if len(keep) else np.zeros((0, dense.shape[1] if dense.ndim == 2 else 0),
                                                   np.float32)
    return ordered, Features(dense, build_sparse(tokens, idf)), idf


def train_user_model(store: Store, model: str, user_id: int, positive_ids: Sequence[str],
                     dismissed: Sequence[str], candidate_ids: Sequence[str],
                     version: str) -> TrainedModel | None:
    """Fit the user's model; None when there is no positive or no negative with a vector."""
    pool = [i for i in candidate_ids if i not in set(positive_ids)]
    sample = random.Random(user_id).sample(pool, min(NEGATIVE_SAMPLE, len(pool)))
    negative_ids = list(dict.fromkeys([*dismissed, *sample]))
    pos, pos_features, _ = fetch_features(store, model, positive_ids)
    neg, neg_features, _ = fetch_features(store, model, negative_ids)
    if not pos or not neg:
        return None
    hashed = [MODELS.hashed_of(store, p) for p in [*pos, *neg]]
    idf = build_idf(hashed)
    pos_features = Features(pos_features.dense, build_sparse(hashed[:len(pos)], idf))
    neg_features = Features(neg_features.dense, build_sparse(hashed[len(pos):], idf))
    return TrainedModel(train_hybrid(pos_features, neg_features), idf, version)


def rank_candidates(store: Store, trained: TrainedModel, cand_ids: Sequence[str],
                    cands: Matrix, positive_ids: Sequence[str], positives: Matrix) -> list[Ranked]:
    """Candidates best first: embedding half over all, whole model over the shortlist (whose
    keyword rows come from the per-paper cache; papers are read later, only those shown)."""
    top = shortlist(trained.model, cands, SHORTLIST)
    hashed = MODELS.hashed_by_id(store, [cand_ids[i] for i in top])
    kept = [i for i in top if cand_ids[i] in hashed]
    if not kept:
        return []
    features = Features(cands[kept], build_sparse([hashed[cand_ids[i]] for i in kept],
                                                  trained.idf))
    scores = trained.model.score(features)
    near = nearest(features.dense, positives)
    order = np.argsort(-scores, kind="stable")
    return [Ranked(cand_ids[kept[i]], float(scores[i]), positive_ids[near[i]], trained.model)
            for i in order]
