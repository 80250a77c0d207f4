"""The per-user model behind "For you": trained on the user's signals, cached by their version.

Training rows are the user's positives (upvotes, saves, papers of follows) and negatives
("not interested" plus a random sample of the candidates, seeded by the user), read as
``relevance_features.Features``. A trained model is kept in a small in-process cache keyed by
the user and the *signals version*: a digest of the positive, dismissed and followed ids, the
embedding model and the day. A new upvote, save, follow or dismissal changes the version, and
so does the next day (the daily job's retraining); otherwise requests reuse the model.

Ranking has two stages: the model's embedding half scores every candidate (one matrix-vector
product), then the best ``SHORTLIST`` are read from the store and scored by the whole model,
keyword half included.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
SHORTLIST = 1000
CHUNK = 500
CACHE_SIZE = 512


@dataclass(frozen=True)
class TrainedModel:
    model: HybridModel
    idf: IdfTable
    version: str


@dataclass(frozen=True)
class Ranked:
    """One candidate as the model sees it: score, nearest positive, words that count."""

    paper: Paper
    score: float
    near_id: str
    terms: tuple[str, ...]


class ModelCache:
    """The latest trained model of each recent user of each store (least recently used goes
    first)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int], TrainedModel] = OrderedDict()
        self._lock = threading.Lock()
        self.trained = 0

    def get(self, store: Store, user_id: int, version: str) -> TrainedModel | None:
        key = (id(store), user_id)
        with self._lock:
            found = self._items.get(key)
            if found is None or found.version != version:
                return None
            self._items.move_to_end(key)
            return found

    def put(self, store: Store, user_id: int, trained: TrainedModel) -> None:
        key = (id(store), user_id)
        with self._lock:
            self.trained += 1
            self._items[key] = trained
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


MODELS = ModelCache()
_HASHED: OrderedDict[str, IntArray] = OrderedDict()
HASHED_CACHE = 100_000


def hashed_of(paper: Paper) -> IntArray:
    """The paper's keyword feature ids, cached by id and text (a corrected abstract is
    hashed again)."""
    key = f"{paper.id}\x1f{len(paper.title)}\x1f{len(paper.summary)}"
    found = _HASHED.get(key)
    if found is None:
        found = _HASHED[key] = hash_tokens(paper_tokens(paper))
        while len(_HASHED) > HASHED_CACHE:
            _HASHED.popitem(last=False)
    return found


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
    tokens = [hashed_of(p) for p in ordered]
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
    idf = build_idf([hashed_of(p) for p in [*pos, *neg]])
    pos_features = Features(pos_features.dense, build_sparse([hashed_of(p) for p in pos], idf))
    neg_features = Features(neg_features.dense, build_sparse([hashed_of(p) for p in neg], idf))
    return TrainedModel(train_hybrid(pos_features, neg_features), idf, version)


def rank_candidates(store: Store, model: str, trained: TrainedModel, cand_ids: Sequence[str],
                    cands: Matrix, positive_ids: Sequence[str], positives: Matrix) -> list[Ranked]:
    """Candidates best first: embedding half over all, whole model over the shortlist."""
    top = shortlist(trained.model, cands, SHORTLIST)
    papers, features, _ = fetch_features(store, model, [cand_ids[i] for i in top], trained.idf)
    if not papers:
        return []
    scores = trained.model.score(features)
    near = nearest(features.dense, positives)
    order = np.argsort(-scores, kind="stable")
    return [Ranked(papers[i], float(scores[i]), positive_ids[near[i]],
                   tuple(trained.model.top_terms(paper_tokens(papers[i]))))
            for i in order]
