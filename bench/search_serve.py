"""The served search path through a real server on loopback, at ``--n`` papers.

Builds a catalog of synthetic papers (recombined sentences of the real demo abstracts, with
dates, categories, organizations and code links), stores a vector for each (a mixture of
the real embeddings of its sentences, as ``search_speed.py`` does, so nothing is embedded
but the queries), indexes it through ``SearchService.index`` and starts ``paperwire serve``
on 127.0.0.1. Then: search API p50/p99 for one client (20 results, each mode, hybrid with
filters) and the curve of throughput / p50 / p99 with 1, 8 and 32 concurrent clients
(hybrid), each with the server's CPU time per search (user + system, from /proc: on a
shared machine the figure that does not depend on what else runs; the one-client figures of
each mode carry it too). Prints one JSON line.

``--compare SRC`` measures a second server started from another source tree (``SRC/src``,
say a checkout of the previous commit) on the same data, in the same run, first; ``--data
DIR`` keeps the catalog and indexes in DIR and reuses them when DIR already holds them.

    PYTHONPATH=src python bench/search_serve.py --n 20000 [--compare /tmp/old] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_quality_set import JUDGMENTS
from search_speed import real_sentences

from paperwire.config import load_settings
from paperwire.models import Author, IncomingPaper, Organization, Paper, StoredEmbedding
from paperwire.search.embedder import load_embedder
from paperwire.services.search import SearchService
from paperwire.services.search_indexing import build_text_hash, model_key
from paperwire.storage.sqlite import SqliteStore

PORT = 8207
CATS = ["cs.CL", "cs.LG", "cs.CV", "cs.IR", "eess.AS", "stat.ML"]
ORGS = [Organization("issai", "ISSAI"), Organization("google", "Google")]
CLIENTS = (1, 8, 32)
SRC = Path(__file__).resolve().parents[1]


def build_catalog(store: SqliteStore, n: int, model: str, sentences: list[str],
                  vecs: np.ndarray, rng: np.random.Generator) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for chunk in range(0, n, 2000):
        papers, rows = [], []
        for i in range(chunk, min(n, chunk + 2000)):
            picks = rng.integers(0, len(sentences), 4)
            summary = " ".join(sentences[j] for j in picks)
            paper = Paper(f"syn-{i}", sentences[picks[0]][:90], summary,
                          (Author(f"Author {i % 997}"),), 1,
                          categories=(CATS[i % len(CATS)],),
                          published_at=start + timedelta(hours=int(rng.integers(0, 50_000))),
                          github_repo=f"https://github.com/x/{i}" if i % 4 == 0 else None)
            papers.append(IncomingPaper(paper, organization=ORGS[i % 2] if i % 5 == 0
                                        else None))
            vector = (vecs[picks] * rng.dirichlet(np.ones(4))[:, None]).sum(axis=0)
            vector += rng.normal(0, 0.02, vector.shape)
            vector /= np.linalg.norm(vector)
            rows.append(StoredEmbedding(paper.id, model, build_text_hash(paper),
                                        len(vector), vector.astype("<f2").tobytes()))
        store.upsert_papers(papers)
        store.save_embeddings(rows, None)


def timed(client: httpx.Client, params: dict[str, object]) -> float | None:
    """Milliseconds to a 200 answer; None for a 503 (past the search deadline)."""
    began = time.perf_counter()
    response = client.get(f"http://127.0.0.1:{PORT}/api/papers/search", params=params)
    if response.status_code == 503:
        return None
    response.raise_for_status()
    return (time.perf_counter() - began) * 1000


def pct(values: list[float | None]) -> dict[str, float]:
    """p50 / p99 of the answered searches, and how many got a 503 (counted in neither)."""
    answered = [v for v in values if v is not None]
    return {"p50_ms": round(float(np.percentile(answered, 50)), 2) if answered else -1.0,
            "p99_ms": round(float(np.percentile(answered, 99)), 2) if answered else -1.0,
            "errors_503": len(values) - len(answered)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def concurrent(queries: list[dict[str, object]], clients: int, pid: int) -> dict[str, float]:
    def worker(part: list[dict[str, object]]) -> list[float | None]:
        with httpx.Client(timeout=60) as client:
            return [timed(client, q) for q in part]
    parts = [queries[i::clients] for i in range(clients)]
    cpu, began = cpu_seconds(pid), time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = [t for part in pool.map(worker, parts) for t in part]
    wall = time.perf_counter() - began
    return {"clients": clients, "searches_per_s": round(len(times) / wall, 1), **pct(times),
            "server_cpu_ms": round((cpu_seconds(pid) - cpu) / len(times) * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--compare", type=Path, default=None,
                        help="another source tree to measure first, on the same data")
    parser.add_argument("--data", type=Path, default=None, help="keep the data dir here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or Path(tmp)
        env = {**os.environ, "PAPERWIRE_DATA_DIR": str(data),
               "PAPERWIRE_SECRET_KEY": "bench-secret-0123456", "PAPERWIRE_SEARCH_REFRESH": "0"}
        build_s = prepare(data, env, args.n)
        result: dict[str, object] = {"bench": "search_serve", "papers": args.n,
                                     "build_s": build_s, "limit": 20}
        if args.compare is not None:
            result["before"] = served(args.compare, env)
        result["after" if args.compare is not None else "served"] = served(SRC, env)
    print(json.dumps(result))


def prepare(data: Path, env: dict[str, str], n: int) -> float | None:
    """Build the catalog and indexes in ``data`` unless it holds them; the build time."""
    settings = load_settings(env)
    if settings.database_path.exists() and (data / "search" / "manifest.json").exists():
        return None
    rng = np.random.default_rng(0)
    embedder = load_embedder("package", None, data / "bench-model")
    sentences = real_sentences()
    vecs = embedder.embed(sentences)
    store = SqliteStore(settings.database_path)
    began = time.perf_counter()
    build_catalog(store, n, model_key(embedder), sentences, vecs, rng)
    SearchService(settings, store, embedder).index()
    store.close()
    return round(time.perf_counter() - began, 1)


def served(src: Path, env: dict[str, str]) -> dict[str, object]:
    """The figures of a server started from the source tree ``src``."""
    server = subprocess.Popen([sys.executable, "-m", "paperwire", "serve", "--port", str(PORT)],
                              env={**env, "PYTHONPATH": str(src / "src")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return measure(server.pid)
    finally:
        server.terminate()
        server.wait(30)


def measure(pid: int) -> dict[str, object]:
    queries = list(JUDGMENTS)
    with httpx.Client(timeout=60) as client:
        for _ in range(300):
            try:
                client.get(f"http://127.0.0.1:{PORT}/api/papers/search", params={"q": "x"})
                break
            except httpx.TransportError:
                time.sleep(1)
        out: dict[str, object] = {}
        for mode in ("keyword", "semantic", "hybrid"):
            for q in queries:  # warm-up: the query embedding cache is part of the served path
                timed(client, {"q": q, "mode": mode})
            cpu = cpu_seconds(pid)
            figures = pct([timed(client, {"q": q, "mode": mode}) for q in queries * 2])
            figures["server_cpu_ms"] = round((cpu_seconds(pid) - cpu) / len(queries) / 2 * 1000, 2)
            out[mode] = figures
        filtered = [{"q": q, "category": "cs.IR", "date_from": "2023-01-01"} for q in queries]
        out["hybrid_filtered"] = pct([timed(client, p) for p in filtered])
    load = [{"q": q} for q in queries * 6]
    out["concurrent"] = [concurrent(load, c, pid) for c in CLIENTS]
    return out


if __name__ == "__main__":
    main()
