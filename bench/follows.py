"""Figure: the newest papers of a followed author or category, old full scan vs lookup table.

Generates ``--papers`` papers (4 authors each out of a pool of papers/2 names, 1-3 arXiv
categories with cs.LG on about a quarter of them, 2% without a date, publication times that
tie in pairs) into a fresh SQLite file (or the PostgreSQL database ``--url`` names) through the
bulk insert path, then times ``papers_followed`` (50 newest) for a rare author, a common
author, a rare category and a common category: the SQL the store used before the lookup
tables (kept here as the baseline) against the store's lookup. Prints one JSON line: build
time, lookup rows, and per lookup the median wall and CPU milliseconds of both, whether they
gave the same papers in the same order, and the plan of the new lookup. CPU time is this
process's: on PostgreSQL the server's work is in wall time only.

    PYTHONPATH=src python -m bench.follows --papers 200000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from paperwire.models import Author, IncomingPaper, Paper
from paperwire.storage.facets import fold_key
from paperwire.storage.sql_catalog import PAPER_SELECT
from paperwire.storage.sql_personal import _facet_ids
from paperwire.storage.sqlite import SqliteStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NEWEST = " ORDER BY p.published_at IS NULL, p.published_at DESC, p.id LIMIT ?"
OLD_WHERE = {
    ("sqlite", "author"): "EXISTS (SELECT 1 FROM json_each(p.authors_json) a"
                          " WHERE lower(json_extract(a.value, '$.name')) = lower(?))",
    ("postgresql", "author"): "EXISTS (SELECT 1 FROM jsonb_array_elements(p.authors_json::jsonb)"
                              " a WHERE lower(a.value ->> 'name') = lower(?))",
    ("sqlite", "category"): "(' ' || p.categories || ' ') LIKE ('% ' || ? || ' %')",
    ("postgresql", "category"): "(' ' || p.categories || ' ') LIKE ('% ' || ? || ' %')",
}
CATEGORIES = [f"{top}.{sub}" for top in ("cs", "math", "stat", "eess", "q-bio")
              for sub in ("AI", "CL", "CV", "IR", "NA", "OC", "PR", "ST", "SY", "GN")]
LOOKUPS = (("rare_author", "author", "rare author"), ("common_author", "author", "common author"),
           ("rare_category", "category", "q-bio.GN"), ("common_category", "category", "cs.LG"))


def build_paper(n: int, rng: random.Random, pool: int) -> Paper:
    names = [f"Author {rng.randrange(pool)}" for _ in range(3)]
    names.append("Common Author" if n % 100 == 0 else f"Author {rng.randrange(pool)}")
    if n % 40_000 == 7:
        names[0] = "Rare Author"
    cats = rng.sample(CATEGORIES[:-1], rng.randint(1, 3))
    if rng.random() < 0.25:
        cats[0] = "cs.LG"
    if n % 2_000 == 3:
        cats.append("q-bio.GN")
    when = None if rng.random() < 0.02 else NOW - timedelta(minutes=n // 2)
    return Paper(id=f"{2000 + n // 100_000}.{n % 100_000:05d}", title=f"Paper {n}",
                 authors=tuple(Author(a) for a in names), categories=tuple(cats),
                 published_at=when)


def fill(store: Any, papers: int, seed: int) -> float:
    rng = random.Random(seed)
    start = time.perf_counter()
    for first in range(0, papers, 5_000):
        batch = [IncomingPaper(build_paper(n, rng, papers // 2))
                 for n in range(first, min(papers, first + 5_000))]
        store.insert_new_papers(batch)
    return time.perf_counter() - start


def timed(call: Callable[[], list[str]], repeat: int) -> tuple[float, float, list[str]]:
    walls, cpus, result = [], [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, result


def plan_of(store: Any, kind: str, value: str) -> str:
    """The plan of the lookup of ``value`` (its id list: the rows of those ids follow by id)."""
    if store.engine == "sqlite":
        rows = store.query("EXPLAIN QUERY PLAN " + _facet_ids(kind), (fold_key(value), 50))
        return "; ".join(r[3] for r in rows)
    rows = store.query("EXPLAIN " + _facet_ids(kind), (fold_key(value), 50))
    return "; ".join(" ".join(r[0].split()) for r in rows)


def measure(store: Any, repeat: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for label, kind, value in LOOKUPS:
        sql = PAPER_SELECT + " WHERE " + OLD_WHERE[(store.engine, kind)] + NEWEST
        old_wall, old_cpu, old = timed(
            lambda s=sql, v=value: [r["id"] for r in store.query(s, (v, 50))], repeat)
        new_wall, new_cpu, new = timed(
            lambda k=kind, v=value: [p.id for p in store.papers_followed(k, v, 50)], repeat)
        found[label] = {"papers": len(new), "old_ms": round(old_wall, 2),
                        "old_cpu_ms": round(old_cpu, 2), "new_ms": round(new_wall, 3),
                        "new_cpu_ms": round(new_cpu, 3), "same": old == new,
                        "plan": plan_of(store, kind, value)}
    return found


def open_store(url: str | None, folder: Path) -> Any:
    if url is None:
        return SqliteStore(folder / "follows.db")
    from paperwire.storage.postgres import PostgresStore
    return PostgresStore(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="an empty PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(args.url, Path(folder))
        build_s = fill(store, args.papers, args.seed)
        if store.engine == "postgresql":
            store.query("ANALYZE")
        counts = {t: int(store.scalar(f"SELECT COUNT(*) FROM {t}"))
                  for t in ("paper_authors", "paper_categories")}
        result = {"bench": "follows", "engine": store.engine, "papers": args.papers,
                  "build_s": round(build_s, 1), "lookup_rows": counts,
                  **measure(store, args.repeat)}
        store.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
