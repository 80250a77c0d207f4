"""Search quality on the demo corpus: nDCG@10 and MRR for keyword, semantic and hybrid.

Loads the demo corpus (the Daily Papers page and the HF search response) through the catalog
importers into a fresh data dir, indexes it, runs every query of ``search_quality_set`` in
each mode and prints one JSON line. ``--tune`` also prints the best fusion constants found
on a small grid (k, semantic weight).

Each mode is measured as the service ranks (relevance floor, constraints) and, as the
baseline in the same run, as plain rankings without a floor. ``off_topic`` is the share of
off-topic queries that get any result (target 0); ``filters`` counts the papers whose
operator or filter search disagrees with a brute-force scan over the catalog (target 0).

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
from paperwire.search.query import build_search_query
from paperwire.services import catalog
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore

DATA = Path(__file__).resolve().parents[1] / "src" / "paperwire" / "data"  # the demo corpus
OFF_TOPIC = ["banana bread recipe", "xyzzyqq", "football world cup results",
             "how to fix a leaking faucet", "best pizza in naples", "celebrity gossip news",
             "knitting patterns for winter scarves", "stock market tips for beginners",
             "used car prices", "wedding dress shopping", "cheap flights to paris",
             "gardening tomatoes in pots", "qwertyuiop asdfgh", "my cat sleeps all day"]
FILTER_QUERIES = ["kazakh category:cs.CL", "model year:2024", "language -kazakh",
                  '"language model" has:code', "speech org:issai", "author:Yeshpanov",
                  "retrieval category:cs.IR year:2023-2025"]
MODES = ("keyword", "semantic", "hybrid")


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
        baseline = {"keyword": {q: [p for p, _ in keyword[q]] for q in qrels},
                    "semantic": {q: [p for p, _ in semantic[q]] for q in qrels},
                    "hybrid": {q: [p for p, _ in fuse_rankings(keyword[q], semantic[q],
                                                               service.weights)]
                               for q in qrels}}
        served = {m: {q: [p for p, _ in service.rank(q, m, 100)] for q in qrels} for m in MODES}
        result: dict[str, object] = {
                  "bench": "search_quality", "embedder": embedder,
                  "papers": store.count_papers(), "queries": len(qrels),
                  **{m: evaluate(served[m], qrels) for m in MODES},
                  "baseline": {m: evaluate(baseline[m], qrels) for m in MODES},
                  "off_topic": off_topic(service),
                  "filters": filter_errors(service, store),
                  "fusion": {"k": service.weights.k, "keyword": service.weights.keyword,
                             "semantic": service.weights.semantic}}
        if grid:
            result["grid"] = tune(keyword, semantic, qrels)
        store.close()
    return result


def off_topic(service: SearchService) -> dict[str, object]:
    """Per mode, the share of off-topic queries with any result; and the baseline's."""
    shares: dict[str, object] = {"queries": len(OFF_TOPIC)}
    for mode in MODES:
        hits = [q for q in OFF_TOPIC if service.rank(q, mode, 100)]
        shares[mode] = round(len(hits) / len(OFF_TOPIC), 3)
        shares[f"{mode}_with_results"] = hits
    plain = [q for q in OFF_TOPIC if service.keyword_ranking(q, 100)
             or service.semantic_ranking(service.embedder.embed_query(q), 100)]
    shares["baseline_hybrid"] = round(len(plain) / len(OFF_TOPIC), 3)
    return shares


def filter_errors(service: SearchService, store: SqliteStore) -> dict[str, int]:
    """Papers returned that fail the query's filters, plus papers passing them that a
    constraints-only listing misses (brute force: ``SearchFilters.accepts`` over all)."""
    papers = store.list_papers(offset=0, limit=100_000)
    wrong = missed = 0
    for text in FILTER_QUERIES:
        query = build_search_query(text)
        allowed = {p.id for p in papers if query.filters.accepts(p)}
        for mode in MODES:
            wrong += sum(pid not in allowed for pid, _ in service.rank(text, mode, 1000))
        if not query.parsed.authors and not query.excluded and not query.parsed.phrases:
            listed = {pid for pid, _ in service.retrieve(
                build_search_query(" ".join(w for w in text.split() if ":" in w)),
                "keyword", 100_000).ranked}
            missed += len(allowed ^ listed)
    return {"queries": len(FILTER_QUERIES), "outside_filters": wrong, "listing_mismatch": missed}


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
