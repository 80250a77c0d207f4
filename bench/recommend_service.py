"""The personal part of daily digests through the real service (part of ``recommend.py``).

A real SQLite store holds the catalog (with stored float16 embeddings), one account per
subscriber (10 upvoted papers of its interest, a followed category and a followed author)
and its digest subscription with every section. For each subscriber the digest sender's
``AccountDigests.part_for`` runs as it does when digests are composed: the account's
signals, mutes, votes, saves and follows read from the store, the recent candidates, the
model kept or trained, the day's papers ranked. Two passes, CPU time per subscriber: the
first trains and keeps every model (a day when every account's signals changed), the second
runs in a fresh store instance (another process, the next day) and reads the kept models.
Both are extrapolated to 100,000 digests on two processes.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from paperwire.config import load_settings
from paperwire.digests.build import build_candidates
from paperwire.models import IncomingPaper, Paper, StoredEmbedding
from paperwire.models_digests import Preferences, Subscriber
from paperwire.services import follows
from paperwire.services.digest_personal import AccountDigests
from paperwire.storage.sqlite import SqliteStore

DAY_PAPERS = 300
SECTIONS = ("trending", "for_you", "follows", "keywords", "categories")


def _fill(store: SqliteStore, papers: list[Paper], vectors: np.ndarray,
          now: datetime) -> list[str]:
    ids = [f"2601.{i:05d}" for i in range(len(papers))]
    dated = [replace(p, id=pid, published_at=now - timedelta(hours=len(papers) - i))
             for i, (p, pid) in enumerate(zip(papers, ids, strict=True))]
    store.upsert_papers([IncomingPaper(p) for p in dated])
    store.save_embeddings([StoredEmbedding(pid, "bench", "x", vectors.shape[1],
                                           v.astype("<f2").tobytes())
                           for pid, v in zip(ids, vectors, strict=True)], None)
    return ids


def _accounts(store: SqliteStore, papers: list[Paper], ids: list[str],
              histories: list[list[int]], now: datetime) -> list[Subscriber]:
    subscribers = []
    for n, history in enumerate(histories):
        user = store.create_user(f"reader{n}", f"reader{n}@example.org", "x", now)
        assert user is not None
        for i in history:
            store.set_vote(user.id, ids[i], True, now)
        first = papers[history[0]]
        follows.follow(store, user, "category", first.categories[0])
        follows.follow(store, user, "author", first.authors[0].name)
        subscribers.append(Subscriber(n + 1, user.email, "confirmed", f"t{n}",
                                      Preferences(sections=SECTIONS), user.username))
    return subscribers


def _pass(store: SqliteStore, folder: Path, subscribers: list[Subscriber],
          day: list[Paper], now: datetime) -> tuple[float, int]:
    settings = load_settings({"PAPERWIRE_DATA_DIR": str(folder),
                              "PAPERWIRE_SECRET_KEY": "bench-secret-key-0123456789-abcdefgh",
                              "PAPERWIRE_FOR_YOU_DAYS": "0"})
    accounts = AccountDigests(store, settings, now)
    cands = build_candidates(day)
    ranked = 0
    started = time.process_time()
    for subscriber in subscribers:
        part = accounts.part_for(subscriber, cands)
        assert part is not None
        ranked += len(part.for_you) > 0
    return (time.process_time() - started) / len(subscribers), ranked


def measure_digest_service(papers: list[Paper], vectors: np.ndarray,
                           histories: list[list[int]], folder: Path) -> dict[str, Any]:
    now = datetime.now(UTC)
    store = SqliteStore(folder / "digests.sqlite")
    ids = _fill(store, papers, vectors, now)
    subscribers = _accounts(store, papers, ids, histories, now)
    day = store.get_papers(ids[-DAY_PAPERS:])
    first, ranked = _pass(store, folder, subscribers, day, now)
    store.close()
    fresh = SqliteStore(folder / "digests.sqlite")  # another process: nothing cached
    second, _ = _pass(fresh, folder, subscribers, day, now)
    fresh.close()
    return {"subscribers": len(subscribers), "catalog": len(papers), "day_papers": len(day),
            "with_for_you": ranked,
            "ms_per_subscriber_training": round(first * 1000, 2),
            "ms_per_subscriber_kept": round(second * 1000, 2),
            "extrapolated_100k_two_processes_min_training": round(first * 100_000 / 120, 1),
            "extrapolated_100k_two_processes_min_kept": round(second * 100_000 / 120, 1)}
