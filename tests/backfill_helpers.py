"""Papers of real text for backfill tests: sentences of the shipped demo page, recombined."""

from __future__ import annotations

import re
from importlib import resources

import numpy as np

from paperwire.models import IncomingPaper, Paper, StoredEmbedding
from paperwire.storage.sqlite import SqliteStore


def build_papers(n: int, seed: int = 1) -> list[IncomingPaper]:
    text = (resources.files("paperwire") / "data" / "demo-page.txt").read_text(encoding="utf-8")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text)
                 if len(s.strip()) > 40 and "\n" not in s.strip()]
    rng = np.random.default_rng(seed)
    papers = []
    for i in range(n):
        pick = rng.integers(0, len(sentences), 6)
        papers.append(IncomingPaper(Paper(f"2401.{i:05d}", sentences[pick[0]][:100],
                                          " ".join(sentences[j] for j in pick[1:]))))
    return papers


def stored_vectors(store: SqliteStore, model: str) -> dict[str, StoredEmbedding]:
    ids = [p.id for p in store.list_papers(offset=0, limit=1_000_000)]
    found: dict[str, StoredEmbedding] = {}
    for start in range(0, len(ids), 100):
        found.update((e.paper_id, e) for e in store.get_embeddings(ids[start:start + 100], model))
    return found
