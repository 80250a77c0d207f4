"""Offline recommendation quality and speed of "For you" (protocol in docs/personal.md).

Quality: a catalog is recombined from the real abstracts of the demo corpus. Each abstract is
a *topic* with its arXiv-like category and a few home authors; a paper takes its title and
three sentences from its topic and two from other topics, three authors (one or two from the
topic's home authors) and a Zipf popularity. A simulated user's interest is two topics and
one author; their history is papers drawn from that interest in publication order, the last
``--held-out`` of them are held out, and every method ranks the whole catalog less the
history. Methods, in the same run on the same users: popularity; an arxiv-sanity-lite-style
linear SVM (squared hinge, C=0.01, balanced classes) over tf-idf of unigrams and bigrams,
trained against every other paper; embedding similarity to the history with
zotero-arxiv-daily's recency weights; and paperwire's model (``relevance_features``: the
same embeddings plus keyword features, history as positives, one pool of 300 sampled
negatives shared by every user (``relevance_training``), two-stage ranking). Hit@10 and
nDCG@10 (binary gains) are averaged over users.

Speed: ``for_you()`` end to end on a real SQLite store of ``--store-n`` recent papers; For-you
ranking for one user at ``--n`` catalog papers, first stage exact or through the vector index
(``recommend_latency.py``; the model is cached as between requests, the shortlist's keyword
rows are built per request) and training time; and the personal sections of ``--digests``
daily digests (a For-you section ranked by each subscriber's model over the day's papers, plus
follows and saved searches by set operations), CPU time with every model trained against the
day's pool and with every model kept in a real SQLite store, each extrapolated to 100,000
digests on two processes.

    PYTHONPATH=src python bench/recommend.py --users 200 --catalog 3000 --n 200000
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recommend_latency import measure_latency
from recommend_service import measure_digest_service

from paperwire.config import load_settings
from paperwire.models import Author, IncomingPaper, Paper, StoredEmbedding
from paperwire.models_personal import KeptModel
from paperwire.relevance_features import (
    Features,
    HybridModel,
    IdfTable,
    SparseRows,
    build_idf,
    build_sparse,
    hash_tokens,
    paper_tokens,
    shortlist,
)
from paperwire.relevance_training import build_pool, decode_model, encode_model, train_on_pool
from paperwire.search.embedder import load_embedder
from paperwire.services.for_you import for_you
from paperwire.services.for_you_model import SHORTLIST
from paperwire.services.search_indexing import build_embedding_text
from paperwire.sources.hf_page import parse_page
from paperwire.storage.sqlite import SqliteStore

DATA = Path(__file__).resolve().parent.parent / "src" / "paperwire" / "data"
CATEGORIES = ("cs.CL", "cs.CV", "cs.LG", "cs.AI", "eess.AS", "stat.ML", "cs.IR", "astro-ph.IM")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
NEGATIVES = 300
Ranker = Callable[[list[int], np.ndarray], np.ndarray]


# -- the catalog ---------------------------------------------------------------------
def load_topics() -> list[list[str]]:
    lines = (DATA / "demo-page.txt").read_text(encoding="utf-8").splitlines()
    topics = []
    for _line, record in parse_page(lines, 2025, ZoneInfo("UTC")):
        if isinstance(record, IncomingPaper):
            found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", record.paper.summary)
                     if len(s) > 40]
            if len(found) >= 4:
                topics.append(found)
    return topics


def build_catalog(topics: list[list[str]], n: int, rng: random.Random) -> tuple[
        list[Paper], list[int]]:
    """``n`` papers, oldest first, and the topic of each."""
    home = [[f"Author {t}-{k}" for k in range(5)] for t in range(len(topics))]
    papers, topic_of = [], []
    for i in range(n):
        t = rng.randrange(len(topics))
        own = rng.sample(topics[t], 4)
        other = [rng.choice(topics[rng.randrange(len(topics))]) for _ in range(2)]
        authors = rng.sample(home[t], rng.choice((1, 2)))
        authors += [f"Author x{rng.randrange(3000)}" for _ in range(3 - len(authors))]
        upvotes = int(rng.paretovariate(1.2)) - 1
        papers.append(Paper(
            id=f"2501.{i:05d}", title=own[0][:120], summary=" ".join(own[1:] + other),
            authors=tuple(Author(a) for a in authors),
            categories=(CATEGORIES[t % len(CATEGORIES)],),
            published_at=EPOCH + timedelta(hours=i), imported_upvotes=upvotes))
        topic_of.append(t)
    return papers, topic_of


def embed(papers: list[Paper], which: str, cache: Path) -> np.ndarray:
    """Unit vectors of the papers by the packaged MiniLM (``package``) or the distilled
    table (``static``), as indexing computes them."""
    texts = [build_embedding_text(p) for p in papers]
    embedder = load_embedder(which, None, cache, threads=2)
    return np.vstack([embedder.embed(texts[s:s + 64]) for s in range(0, len(texts), 64)])


# -- simulated users -----------------------------------------------------------------
def build_users(papers: list[Paper], topic_of: list[int], count: int, history: int,
                held_out: int, rng: random.Random) -> list[tuple[list[int], list[int]]]:
    """(history rows, held-out rows) per user; interest = two topics and one author."""
    users = []
    topics = sorted(set(topic_of))
    while len(users) < count:
        chosen = set(rng.sample(topics, 2))
        author = rng.choice([a.name for i, p in enumerate(papers) if topic_of[i] in chosen
                             for a in p.authors[:1]])
        interest = [i for i, p in enumerate(papers) if topic_of[i] in chosen
                    or any(a.name == author for a in p.authors)]
        if len(interest) < history + held_out:
            continue
        drawn = sorted(rng.sample(interest, history + held_out))
        users.append((drawn[:history], drawn[history:]))
    return users


# -- the methods ---------------------------------------------------------------------
def popularity(papers: list[Paper]) -> Ranker:
    votes = np.array([p.upvotes for p in papers], np.float64)
    return lambda _history, _cands: votes


def word_rows(papers: list[Paper]) -> SparseRows:
    """tf-idf of title+abstract unigrams and bigrams (arxiv-sanity-lite's features)."""
    token_lists = []
    for p in papers:
        words = re.findall(r"[a-z0-9]+", f"{p.title} {p.summary}".casefold())
        token_lists.append(words + [f"{a} {b}" for a, b in pairwise(words)])
    return build_sparse(token_lists, build_idf(token_lists))


def tfidf_svm(rows: SparseRows, c: float = 0.01, steps: int = 150) -> Ranker:
    """Linear SVM, squared hinge, balanced classes, trained against every other paper."""
    n = len(rows)
    entry_rows, (touched, local) = rows.rows_of_entries(), np.unique(rows.indices,
                                                                      return_inverse=True)

    def rank(history: list[int], _cands: np.ndarray) -> np.ndarray:
        y = -np.ones(n)
        y[history] = 1.0
        cw = np.where(y > 0, n / (2 * len(history)), n / (2 * (n - len(history))))
        w, b = np.zeros(len(touched)), 0.0
        rate = 1.0 / (1.0 + c * float(cw.max()) * 2)
        for _ in range(steps):
            margin = y * (np.bincount(entry_rows, rows.values * w[local], minlength=n) + b)
            active = np.maximum(0.0, 1.0 - margin) * cw * y * -2 * c
            w -= rate * (w + np.bincount(local, rows.values * active[entry_rows],
                                         minlength=len(touched)))
            b -= rate * float(active.sum())
        return np.bincount(entry_rows, rows.values * w[local], minlength=n) + b
    return rank


def embedding_similarity(vectors: np.ndarray) -> Ranker:
    """zotero-arxiv-daily: cosine to each history paper, newest weighted most."""
    def rank(history: list[int], _cands: np.ndarray) -> np.ndarray:
        newest_first = history[::-1]
        decay = 1 / (1 + np.log10(np.arange(len(newest_first)) + 1))
        decay /= decay.sum()
        return (vectors @ vectors[newest_first].T) @ decay
    return rank


def paperwire_model(papers: list[Paper], vectors: np.ndarray, seed: int) -> Ranker:
    """As served: one pool of negatives (a day's sample) shared by every user, less the
    user's history; the pool's idf table is the keyword reference."""
    tokens = [hash_tokens(paper_tokens(p)) for p in papers]
    sample = random.Random(seed).sample(range(len(papers)), NEGATIVES)
    pool = build_pool(vectors[sample], [tokens[i] for i in sample])

    def rank(history: list[int], cands: np.ndarray) -> np.ndarray:
        keep = [r for r, i in enumerate(sample) if i not in set(history)]
        model = train_on_pool(pool, vectors[history], [tokens[i] for i in history], keep)
        top = cands[shortlist(model, vectors[cands], SHORTLIST)]
        scores = np.full(len(papers), -np.inf)
        feats = Features(vectors[top], build_sparse([tokens[i] for i in top], pool.idf))
        scores[top] = model.score(feats)
        return scores
    return rank


def evaluate(rankers: dict[str, Ranker], users: list[tuple[list[int], list[int]]],
             n: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, ranker in rankers.items():
        hits, ndcgs = [], []
        for history, held in users:
            mask = np.ones(n, bool)
            mask[history] = False
            cands = np.flatnonzero(mask)
            scores = ranker(history, cands)[cands]
            top = cands[np.argsort(-scores, kind="stable")[:10]]
            gains = [1.0 if int(i) in set(held) else 0.0 for i in top]
            ideal = sum(1 / math.log2(r + 2) for r in range(min(10, len(held))))
            hits.append(float(any(gains)))
            ndcgs.append(sum(g / math.log2(r + 2) for r, g in enumerate(gains)) / ideal)
        out[name] = {"hit10": round(float(np.mean(hits)), 4),
                     "ndcg10": round(float(np.mean(ndcgs)), 4)}
    return out


# -- speed ---------------------------------------------------------------------------
def unit_rows(rng: np.random.Generator, n: int, dim: int = 384) -> np.ndarray:
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):
        block = rng.standard_normal((min(100_000, n - start), dim), dtype=np.float32)
        out[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def measure_service(papers: list[Paper], n: int, repeats: int, folder: Path) -> dict[str, Any]:
    """``for_you()`` end to end on a real SQLite store of ``n`` recent papers with stored
    (random, float16) embeddings: the first request trains, the next ones reuse the model."""
    store = SqliteStore(folder / "bench.sqlite")
    settings = load_settings({"PAPERWIRE_DATA_DIR": str(folder),
                              "PAPERWIRE_SECRET_KEY": "bench-secret-key-0123456789-abcdefgh"})
    rng = np.random.default_rng(11)
    now = datetime.now(UTC)
    for start in range(0, n, 2000):
        batch = [replace(papers[i % len(papers)], id=f"2601.{i:06d}",
                         published_at=now - timedelta(minutes=i)) for i in range(start,
                                                                                 min(n, start + 2000))]
        store.upsert_papers([IncomingPaper(p) for p in batch])
        vectors = unit_rows(rng, len(batch)).astype("<f2")
        store.save_embeddings([StoredEmbedding(p.id, "bench", "x", 384, v.tobytes())
                               for p, v in zip(batch, vectors, strict=True)], None)
    user = store.create_user("bench", "bench@example.org", "x", now)
    assert user is not None
    for i in range(0, 100, 10):
        store.set_vote(user.id, f"2601.{i:06d}", True, now)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        found = for_you(store, settings, user, 30, now=now)
        times.append((time.perf_counter() - started) * 1000)
    assert not found.cold_start and len(found.items) == 30
    store.close()
    return {"papers": n, "first_request_ms": round(times[0], 1),
            "p50_ms": round(float(np.median(times[1:])), 1),
            "p95_ms": round(float(np.percentile(times[1:], 95)), 1)}


def measure_digests(papers: list[Paper], vectors: np.ndarray, count: int,
                    folder: Path) -> dict[str, Any]:
    """Personal sections of ``count`` daily digests over one day's papers (300): each
    subscriber's model (20 history papers against the day's shared pool of 300 negatives)
    ranks the day for "For you"; follows and saved searches are set lookups. Two cases:
    every model trained now, and every model kept in a real SQLite store (read by a fresh
    store instance, as another process would, and decoded). CPU time, per subscriber."""
    day = list(range(len(papers) - 300, len(papers)))
    words = [paper_tokens(p) for p in papers]
    tokens = [hash_tokens(w) for w in words]
    by_token: dict[str, set[int]] = {}
    for i in day:
        for t in words[i]:
            by_token.setdefault(t, set()).add(i)
    rng = random.Random(9)
    started = time.process_time()
    sample = rng.sample(range(len(papers) - 300), NEGATIVES)
    pool = build_pool(vectors[sample], [tokens[i] for i in sample])
    pool_ms = (time.process_time() - started) * 1000
    histories = [rng.sample(range(len(papers) - 300), 20) for _ in range(count)]

    def compose(model: HybridModel, idf: IdfTable, history: list[int]) -> int:
        scores = model.score(Features(vectors[day], build_sparse([tokens[i] for i in day], idf)))
        chosen = [day[i] for i in np.argsort(-scores)[:10]]
        follows = by_token.get(f"au:{papers[history[0]].authors[0].name.casefold()}", set())
        searches = by_token.get(words[history[1]][0], set())
        return len(dict.fromkeys([*chosen, *sorted(follows)[:10], *sorted(searches)[:10]]))

    train_s = compose_s = 0.0
    kept: list[bytes] = []
    for history in histories:
        started = time.process_time()
        keep = [r for r, i in enumerate(sample) if i not in set(history)]
        model = train_on_pool(pool, vectors[history], [tokens[i] for i in history], keep)
        trained = time.process_time()
        compose(model, pool.idf, history)
        train_s += trained - started
        compose_s += time.process_time() - trained
        kept.append(encode_model(model, pool.idf))
    load_s, kept_compose_s, sent = _kept_digests(folder, kept, histories, compose)
    per_train, per_compose = train_s / count, compose_s / count
    per_load, per_kept = load_s / count, kept_compose_s / count
    return {"digests": count, "papers": sent, "pool_ms_per_day": round(pool_ms, 1),
            "train_ms_per_subscriber": round(per_train * 1000, 2),
            "compose_ms_per_digest": round(per_compose * 1000, 2),
            "model_bytes": round(sum(len(k) for k in kept) / count),
            "load_ms_per_kept_model": round(per_load * 1000, 2),
            "compose_ms_per_digest_kept": round(per_kept * 1000, 2),
            "extrapolated_100k_two_processes_min_all_retrained": round(
                (per_train + per_compose) * 100_000 / 120, 1),
            "extrapolated_100k_two_processes_min_models_kept": round(
                (per_load + per_kept) * 100_000 / 120, 1)}


def _kept_digests(folder: Path, kept: list[bytes], histories: list[list[int]],
                  compose: Callable[[HybridModel, IdfTable, list[int]], int]) -> tuple[
                      float, float, int]:
    """The models kept in a real SQLite store, then read back by a fresh store instance:
    (seconds reading and decoding, seconds composing, papers sent)."""
    writer = SqliteStore(folder / "models.sqlite")
    now = datetime.now(UTC)
    ids = []
    for n, data in enumerate(kept):
        user = writer.create_user(f"sub{n}", f"sub{n}@example.org", "x", now)
        assert user is not None
        writer.save_user_model(KeptModel(user.id, "v", now, data))
        ids.append(user.id)
    writer.close()
    reader = SqliteStore(folder / "models.sqlite")
    load_s = compose_s = 0.0
    sent = 0
    for user_id, history in zip(ids, histories, strict=True):
        started = time.process_time()
        row = reader.get_user_model(user_id)
        assert row is not None
        model, idf = decode_model(row.data)
        loaded = time.process_time()
        sent += compose(model, idf, history)
        load_s += loaded - started
        compose_s += time.process_time() - loaded
    reader.close()
    return load_s, compose_s, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=int, default=3000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--history", type=int, default=10)
    parser.add_argument("--held-out", type=int, default=3)
    parser.add_argument("--embedder", choices=("package", "static"), default="package")
    parser.add_argument("--n", type=int, default=200_000, help="papers for the latency run")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--digests", type=int, default=500)
    parser.add_argument("--digest-accounts", type=int, default=200,
                        help="linked subscribers of the end-to-end digest run")
    parser.add_argument("--store-n", type=int, default=20_000,
                        help="papers in the SQLite store of the end-to-end For-you run")
    args = parser.parse_args()
    rng = random.Random(13)
    papers, topic_of = build_catalog(load_topics(), args.catalog, rng)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        vectors = embed(papers, args.embedder, Path(cache))
    embed_s = time.perf_counter() - started
    users = build_users(papers, topic_of, args.users, args.history, args.held_out, rng)
    rankers = {"popularity": popularity(papers), "tfidf_svm": tfidf_svm(word_rows(papers)),
               "embedding_similarity": embedding_similarity(vectors),
               "paperwire": paperwire_model(papers, vectors, 13)}
    started = time.perf_counter()
    quality = evaluate(rankers, users, len(papers))
    result = {
        "bench": "recommend", "catalog": args.catalog, "users": len(users),
        "history": args.history, "held_out": args.held_out, "embedder": args.embedder,
        "embed_s": round(embed_s, 1), "quality_s": round(time.perf_counter() - started, 1),
        "quality": quality,
        "paperwire_beats_all_on_hit10": all(
            quality["paperwire"]["hit10"] > v["hit10"] for k, v in quality.items()
            if k != "paperwire"),
        "for_you_latency": measure_latency(papers, vectors, args.n, args.repeats),
    }
    with tempfile.TemporaryDirectory() as folder:
        result["digest_personal_sections"] = measure_digests(papers, vectors, args.digests,
                                                             Path(folder))
        result["for_you_service_sqlite"] = measure_service(papers, args.store_n, args.repeats,
                                                           Path(folder))
    with tempfile.TemporaryDirectory() as folder:
        histories = [history for history, _ in build_users(
            papers, topic_of, args.digest_accounts, args.history, args.held_out, rng)]
        result["digest_service_sqlite"] = measure_digest_service(papers, vectors, histories,
                                                                 Path(folder))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
