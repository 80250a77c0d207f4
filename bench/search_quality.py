"""Search quality on the demo corpus: nDCG@10 and MRR for keyword, semantic and hybrid.

Loads the demo corpus (the Daily Papers page and the HF search response) through the catalog
importers into a fresh data dir, indexes it, runs every query of ``search_quality_set`` in
each mode and prints one JSON line. ``--tune`` also prints the best fusion constants found
on a small grid (k, semantic weight).

    PYTHONPATH=src python bench/search_quality.py
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_quality_set import JUDGMENTS

from paperwire.config import load_settings
from paperwire.search.fusion import FusionWeights, fuse_rankings
from paperwire.services import catalog
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore

DATA = Path(__file__).resolve().parents[1] / "src" / "paperwire" / "data"  # the demo corpus


def resolve(store: SqliteStore, prefix: str) -> str:
    for paper in store.list_papers(offset=0, limit=1000):
        if paper.title.startswith(prefix):
            return paper.id
    raise SystemExit(f"no paper title starts with {prefix!r}")


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def mrr(ranked: list[str], grades: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, pid in enumerate(ranked) if grades.get(pid, 0) > 0), 0.0)


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    n = len(qrels)
    return {"ndcg@10": round(sum(ndcg(runs[q], g) for q, g in qrels.items()) / n, 4),
            "mrr": round(sum(mrr(runs[q], g) for q, g in qrels.items()) / n, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--embedder", choices=("package", "static"), default="package")
    args = parser.parse_args()
    print(json.dumps(measure(args.embedder, args.tune)))


def measure(embedder: str, grid: bool = False) -> dict[str, object]:
    """The quality figures of one embedder (``PAPERWIRE_EMBEDDER`` value)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"PAPERWIRE_DATA_DIR": tmp, "PAPERWIRE_EMBEDDER": embedder})
        store = SqliteStore(settings.database_path)
        catalog.import_file(store, settings, "hf", DATA / "demo-hf.json")
        catalog.import_file(store, settings, "hf-page", DATA / "demo-page.txt", year=2025)
        service = SearchService(settings, store)
        service.index()
        qrels = {q: {resolve(store, t): g for t, g in grades.items()}
                 for q, grades in JUDGMENTS.items()}
        keyword = {q: service.keyword_ranking(q, 100) for q in qrels}
        semantic = {q: service.semantic_ranking(service.embedder.embed_query(q), 100)
                    for q in qrels}
        ids = {name: {q: [pid for pid, _ in r[q]] for q in qrels}
               for name, r in (("keyword", keyword), ("semantic", semantic))}
        fused = {q: [pid for pid, _ in fuse_rankings(keyword[q], semantic[q], service.weights)]
                 for q in qrels}
        result: dict[str, object] = {
                  "bench": "search_quality", "embedder": embedder,
                  "papers": store.count_papers(), "queries": len(qrels),
                  "keyword": evaluate(ids["keyword"], qrels),
                  "semantic": evaluate(ids["semantic"], qrels),
                  "hybrid": evaluate(fused, qrels),
                  "fusion": {"k": service.weights.k, "keyword": service.weights.keyword,
                             "semantic": service.weights.semantic}}
        if grid:
            result["grid"] = tune(keyword, semantic, qrels)
        store.close()
    return result


def tune(keyword: dict[str, list[tuple[str, float]]], semantic: dict[str, list[tuple[str, float]]],
         qrels: dict[str, dict[str, int]]) -> list[dict[str, float]]:
    rows = []
    for k in (1.0, 5.0, 10.0, 20.0, 40.0, 60.0):
        for weight in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
            w = FusionWeights(k=k, keyword=1.0, semantic=weight)
            runs = {q: [p for p, _ in fuse_rankings(keyword[q], semantic[q], w)] for q in qrels}
            rows.append({"k": k, "semantic": weight, **evaluate(runs, qrels)})
    return sorted(rows, key=lambda r: -r["ndcg@10"])[:5]


if __name__ == "__main__":
    main()
