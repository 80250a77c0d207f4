"""The per-user model behind "For you": trained on the user's signals, kept by their version.

Training rows are the user's positives (upvotes, saves, papers of follows) and negatives
("not interested" plus the day's ``NegativePool``: a sample of the recent papers drawn once
per day and shared by every user, less the user's own positives), read as
``relevance_features.Features``. A trained model is kept in the store (``user_models``:
the encoded model with its idf reference) and, in front of it, in an in-process cache per
store, keyed by the user and the *signals version*: a digest of the positive (upvoted,
saved, followed) and dismissed ids and the embedding model. A new upvote, save, follow or
dismissal changes the version; a model older than ``MODEL_MAX_AGE`` is trained again (its
negatives were the recent papers of its day); otherwise requests, digests and other
processes reuse it.

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
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import numpy as np

from paperwire.clock import now_utc
from paperwire.models import Paper
from paperwire.models_personal import KeptModel
from paperwire.relevance import Matrix, nearest
from paperwire.relevance_features import (
    Features,
    HybridModel,
    IdfTable,
    IntArray,
    SparseRows,
    build_sparse,
    hash_tokens,
    paper_tokens,
    shortlist,
)
from paperwire.relevance_training import NegativePool, build_pool, decode_model, encode_model, train_on_pool
from paperwire.services.search_indexing import decode_vectors
from paperwire.storage import Store

NEGATIVE_SAMPLE = 300
SHORTLIST = 500
CHUNK = 500
CACHE_SIZE = 512
CANDIDATE_LISTS = 2  # the recent papers of /for-you and a digest's papers, side by side
MODEL_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class TrainedModel:
    model: HybridModel
    idf: IdfTable
    version: str
    trained_at: datetime | None = None

    def fresh(self, version: str, now: datetime) -> bool:
        """Trained for this version of the signals less than ``MODEL_MAX_AGE`` ago."""
        return self.version == version and (self.trained_at is None
                                            or now - self.trained_at < MODEL_MAX_AGE)


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
    """What one store's requests reuse: the embeddings of the latest two candidate lists (they
    change when papers arrive, not between requests), each recent user's model for one
    version of their signals (least recently used goes first), and each paper's keyword
    feature ids (a corrected abstract counts once its entry leaves the cache)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.candidates: OrderedDict[str, tuple[list[str], Matrix]] = OrderedDict()
        self.models: OrderedDict[int, TrainedModel] = OrderedDict()
        self.pool: tuple[str, list[str], NegativePool] | None = None
        self.recent: tuple[tuple[object, ...], list[str]] | None = None
        self.rows: OrderedDict[str, tuple[IdfTable, SparseRows]] = OrderedDict()
        self.hashed: OrderedDict[str, IntArray] = OrderedDict()


class Caches:
    """One ``StoreCache`` per live store (a closed store's goes with it)."""

    def __init__(self) -> None:
        self._stores: weakref.WeakKeyDictionary[Any, StoreCache] = weakref.WeakKeyDictionary()
        self._lock = threading.RLock()
        self.trained = 0

    def recent_ids(self, store: Store, since: datetime | None, limit: int) -> list[str]:
        """The newest ``limit`` papers published since the hour of ``since``: read again
        only when the catalog changed (its highest change number) or the hour moved on, so
        the requests and digests of one hour share one read of up to 20,000 rows."""
        start = since.replace(minute=0, second=0, microsecond=0) if since else None
        key = (start, limit, store.max_paper_seq())
        cache = self.of(store)
        found = cache.recent
        if found is not None and found[0] == key:
            return found[1]
        ids = store.recent_paper_ids(start, limit)
        cache.recent = (key, ids)
        return ids

    def of(self, store: Store) -> StoreCache:
        with self._lock:
            found = self._stores.get(store)
            if found is None:
                found = self._stores[store] = StoreCache()
            return found

    def vectors(self, store: Store, model: str, ids: Sequence[str]) -> tuple[list[str], Matrix]:
        key = _list_key([model, *ids])
        cache = self.of(store)
        with self._lock:
            found = cache.candidates.get(key)
            if found is not None:
                cache.candidates.move_to_end(key)
                return found
        got = fetch_vectors(store, model, ids)
        with self._lock:
            _keep(cache.candidates, key, got, CANDIDATE_LISTS)
        return got

    def get(self, store: Store, user_id: int, version: str) -> TrainedModel | None:
        cache = self.of(store)
        with self._lock:
            found = cache.models.get(user_id)
            if found is None or found.version != version:
                return None
            cache.models.move_to_end(user_id)
            return found

    def count_training(self) -> None:
        with self._lock:
            self.trained += 1

    def put(self, store: Store, user_id: int, trained: TrainedModel) -> None:
        cache = self.of(store)
        with self._lock:
            _keep(cache.models, user_id, trained, cache.size)

    def rows_of(self, store: Store, idf: IdfTable, ids: Sequence[str],
                hashed: dict[str, IntArray]) -> SparseRows:
        """The tf-idf rows of these papers under ``idf``: the subscribers of one digest run
        share the day's idf and the day's papers, so their rows are built once."""
        key = _list_key(ids)
        cache = self.of(store)
        with self._lock:
            found = cache.rows.get(key)
            if found is not None and found[0] is idf:
                return found[1]
        rows = build_sparse([hashed[i] for i in ids], idf)
        with self._lock:
            _keep(cache.rows, key, (idf, rows), CANDIDATE_LISTS)
        return rows

    def hashed_of(self, store: Store, paper: Paper) -> IntArray:
        """The paper's keyword feature ids (``hash_tokens``), cached by paper id."""
        hashed = self.of(store).hashed
        with self._lock:
            found = hashed.get(paper.id)
            if found is None:
                found = hash_tokens(paper_tokens(paper))
                _keep(hashed, paper.id, found, HASHED_CACHE)
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
K = TypeVar("K")
V = TypeVar("V")


def _keep(entries: OrderedDict[K, V], key: K, value: V, size: int) -> None:
    """Put ``value`` last in an LRU of ``size`` entries, the least recently used out."""
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > size:
        entries.popitem(last=False)


def _list_key(parts: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def signals_version(positive_ids: Sequence[str], dismissed: Sequence[str],
                    embedding_model: str) -> str:
    digest = hashlib.sha256()
    for part in (sorted(positive_ids), sorted(dismissed), [embedding_model]):
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


def negative_pool(store: Store, model: str, candidate_ids: Sequence[str],
                  day: date) -> tuple[list[str], NegativePool] | None:
    """The day's shared negatives: ``NEGATIVE_SAMPLE`` of the candidates drawn by the day,
    prepared once per store while the candidate list and the day are the same."""
    key = "\x1f".join([model, day.isoformat(), str(len(candidate_ids)),
                       *candidate_ids[:1], *candidate_ids[-1:]])
    cache = MODELS.of(store)
    found = cache.pool
    if found is not None and found[0] == key:
        return found[1], found[2]
    sample = random.Random(day.toordinal()).sample(list(candidate_ids),
                                                   min(NEGATIVE_SAMPLE, len(candidate_ids)))
    papers, dense = _papers_and_vectors(store, model, sample)
    if not papers:
        return None
    pool = build_pool(dense, [MODELS.hashed_of(store, p) for p in papers])
    cache.pool = (key, [p.id for p in papers], pool)
    return cache.pool[1], pool


def _papers_and_vectors(store: Store, model: str,
                        ids: Sequence[str]) -> tuple[list[Paper], Matrix]:
    """Papers with both an embedding and a row, and their embeddings."""
    found, dense = fetch_vectors(store, model, ids)
    papers = {p.id: p for p in store.get_papers(found)}
    keep = [i for i, pid in enumerate(found) if pid in papers]
    return [papers[found[i]] for i in keep], dense[keep] if keep else dense[:0]


def train_user_model(store: Store, model: str, positive_ids: Sequence[str],
                     dismissed: Sequence[str], candidate_ids: Sequence[str], version: str,
                     now: datetime) -> TrainedModel | None:
    """Fit the user's model against the day's pool of negatives drawn from ``candidate_ids``
    (the recent papers) and their dismissed papers; None when there is no positive or no
    negative with a vector."""
    drawn = negative_pool(store, model, candidate_ids, now.date())
    pos, pos_dense = _papers_and_vectors(store, model, positive_ids)
    neg, neg_dense = _papers_and_vectors(store, model, dismissed)
    seen = {p.id for p in [*pos, *neg]}
    pool_ids, pool = drawn if drawn is not None else ([], None)
    keep = [r for r, pid in enumerate(pool_ids) if pid not in seen]
    if pool is None or not pos or not (keep or neg):
        return None
    MODELS.count_training()
    trained = train_on_pool(pool, pos_dense, [MODELS.hashed_of(store, p) for p in pos], keep,
                            neg_dense, [MODELS.hashed_of(store, p) for p in neg])
    return TrainedModel(trained, pool.idf, version, now)


def kept_model(store: Store, user_id: int, version: str, now: datetime) -> TrainedModel | None:
    """The user's model for this version, fresh: from the process's cache, else the store."""
    found = MODELS.get(store, user_id, version)
    if found is not None and found.fresh(version, now):
        return found
    row = store.get_user_model(user_id)
    if row is None or row.version != version:
        return None
    try:
        model, idf = decode_model(row.data)
    except ValueError:
        return None
    trained = TrainedModel(model, idf, row.version, row.trained_at)
    if not trained.fresh(version, now):
        return None
    MODELS.put(store, user_id, trained)
    return trained


def keep_model(store: Store, user_id: int, trained: TrainedModel, requested: bool) -> None:
    """Cache the model and keep it in the store (``requested``: a request of the user trained
    it, rather than the pre-training job)."""
    MODELS.put(store, user_id, trained)
    when = trained.trained_at or now_utc()
    store.save_user_model(KeptModel(user_id, trained.version, when,
                                    encode_model(trained.model, trained.idf),
                                    when if requested else None))


def rank_candidates(store: Store, trained: TrainedModel, cand_ids: Sequence[str],
                    cands: Matrix, positive_ids: Sequence[str], positives: Matrix,
                    reasons: bool = True) -> list[Ranked]:
    """Candidates best first: embedding half over all, whole model over the shortlist (whose
    keyword rows come from the per-paper cache; papers are read later, only those shown).
    Without ``reasons`` the nearest positive of each is not looked for (a digest's ranking)."""
    top = shortlist(trained.model, cands, SHORTLIST)
    hashed = MODELS.hashed_by_id(store, [cand_ids[i] for i in top])
    kept = sorted(i for i in top if cand_ids[i] in hashed)  # the same list for every model
    if not kept:
        return []
    ids = [cand_ids[i] for i in kept]
    features = Features(cands[kept], MODELS.rows_of(store, trained.idf, ids, hashed))
    scores = trained.model.score(features)
    near = (nearest(features.dense, positives) if reasons
            else np.zeros(len(kept), dtype=np.int64))
    order = np.argsort(-scores, kind="stable")
    return [Ranked(ids[i], float(scores[i]),
                   positive_ids[near[i]] if reasons else ids[i], trained.model)
            for i in order]
