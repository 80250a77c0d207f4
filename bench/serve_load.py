"""Serving under load, idle and while a snapshot import and its indexing run.

A real ``paperwire serve`` on loopback over the demo corpus (imported and indexed first), then
a bounded async load generator (``--concurrency`` workers, at most 50) for ``--duration``
seconds (at most 60) over ``/``, a paper page, ``/api/daily_papers`` and
``/api/papers/search`` (hybrid queries): once idle (the baseline), once while ``paperwire
import arxiv-snapshot`` of ``--n`` synthetic papers runs and the background refresher indexes
them. Prints one JSON line: per phase and path req/s, p50, p99 (ms), errors (non-200 answers
and failed connections) and timeouts; the import's progress; the search p99 ratio.

    PYTHONPATH=src python bench/serve_load.py --n 50000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import write_snapshot

from paperwire.config import load_settings
from paperwire.services import catalog
from paperwire.storage.sqlite import SqliteStore

REPO = Path(__file__).resolve().parent.parent
QUERIES = ("sparse attention transformers", "speech synthesis dataset", "binary embeddings",
           "reinforcement learning from human feedback", "diffusion models for images",
           "kazakh named entities", "gradient descent convergence", "graph neural networks")
TIMEOUT = 30.0  # a request not answered by then counts as a timeout


def build_env(folder: Path, port: int) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_DATA_DIR": str(folder),
            "PAPERWIRE_SECRET_KEY": "bench-secret-key-0123456789-abcdef",
            "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}", "PAPERWIRE_SEARCH_REFRESH": "1"}


def seed_demo(env: dict[str, str]) -> None:
    """The demo corpus in the catalog, indexed (what ``paperwire demo`` loads)."""
    settings = load_settings(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = SqliteStore(settings.database_path)
    data = resources.files("paperwire") / "data"
    with resources.as_file(data / "demo-page.txt") as page, \
            resources.as_file(data / "demo-hf.json") as hf:
        catalog.import_file(store, settings, "hf-page", page, year=2025)
        catalog.import_file(store, settings, "hf", hf)
    store.close()
    subprocess.run([sys.executable, "-m", "paperwire", "index", "--quiet"], env=env,
                   check=True, stdout=subprocess.DEVNULL)


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "paperwire", "serve", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"paperwire serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"paperwire serve did not start:\n{log.read_text()}")


def targets(paper_id: str) -> list[tuple[str, str, dict[str, str]]]:
    """(label, path, params) of every request kind, in rotation order."""
    return [("/", "/", {}), ("paper", f"/papers/{paper_id}", {}),
            ("/api/daily_papers", "/api/daily_papers", {}),
            ("/api/papers/search", "/api/papers/search", {"q": QUERIES[0]})]


class Tally:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.timeouts: dict[str, int] = {}
        self.statuses: dict[str, int] = {}  # what the errors were: HTTP status or exception

    def add(self, label: str, seconds: float, outcome: str) -> None:
        if outcome not in ("ok", "timeout"):
            self.statuses[outcome] = self.statuses.get(outcome, 0) + 1
        self.times.setdefault(label, [])
        self.errors.setdefault(label, 0)
        self.timeouts.setdefault(label, 0)
        if outcome == "ok":
            self.times[label].append(seconds)
        elif outcome == "timeout":
            self.timeouts[label] += 1
        else:
            self.errors[label] += 1

    def summary(self, duration: float) -> dict[str, dict[str, float | None]]:
        out = {}
        for label, times in self.times.items():
            ordered = sorted(times)
            out[label] = {"rps": round(len(ordered) / duration, 1),
                          "p50_ms": percentile(ordered, 0.50), "p99_ms": percentile(ordered, 0.99),
                          "errors": self.errors[label], "timeouts": self.timeouts[label]}
        return out


def percentile(ordered: list[float], share: float) -> float | None:
    """In milliseconds; None when nothing answered."""
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)


async def one(client: httpx.AsyncClient, tally: Tally, label: str, path: str,
              params: dict[str, str]) -> None:
    started = time.monotonic()
    try:
        response = await client.get(path, params=params)
        outcome = "ok" if response.status_code == 200 else f"{label} {response.status_code}"
    except httpx.TimeoutException:
        outcome = "timeout"
    except httpx.HTTPError as exc:
        outcome = f"{label} {type(exc).__name__}"
    tally.add(label, time.monotonic() - started, outcome)


async def load(base: str, paper_id: str, duration: float, concurrency: int) -> Tally:
    """``concurrency`` workers, each sending one request after another for ``duration``."""
    tally = Tally()
    kinds = targets(paper_id)
    end = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(start: int) -> None:
        turn = start
        while time.monotonic() < end:
            label, path, params = kinds[turn % len(kinds)]
            if label == "/api/papers/search":
                params = {"q": QUERIES[turn % len(QUERIES)]}
            await one(client, tally, label, path, params)
            turn += 1

    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits) as client:
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return tally


def progress(data: Path) -> dict[str, int]:
    """Papers in the catalog, in the keyword index (by its watermark) and embedded."""
    keyword_seq = json.loads((data / "search" / "manifest.json").read_text())["keyword_seq"]
    with sqlite3.connect(f"file:{data / 'paperwire.db'}?mode=ro", uri=True, timeout=30) as conn:
        papers = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        indexed = conn.execute("SELECT COUNT(*) FROM papers WHERE row_seq <= ?",
                               (keyword_seq,)).fetchone()[0]
        embedded = conn.execute("SELECT COUNT(*) FROM paper_embeddings").fetchone()[0]
    return {"papers": int(papers), "keyword": int(indexed), "embedded": int(embedded)}


def watch(proc: subprocess.Popen[bytes], started: float, out: dict[str, float]) -> None:
    proc.wait()
    out["import_s"] = time.monotonic() - started


def run(n: int, duration: float, concurrency: int, port: int, log: Path | None
        ) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="pw-serve-load-") as tmp:
        folder = Path(tmp)
        env = build_env(folder / "data", port)
        seed_demo(env)
        snapshot = folder / "snapshot.json"
        write_snapshot(snapshot, n, seed=5)
        os.sync()
        server = start_server(env, port, folder / "serve.log")
        base = f"http://127.0.0.1:{port}"
        try:
            paper_id = httpx.get(f"{base}/api/daily_papers", timeout=30).json()[0]["paper"]["id"]
            idle = asyncio.run(load(base, paper_id, duration, concurrency))
            before = progress(folder / "data")
            started, finished = time.monotonic(), dict[str, float]()
            importer = subprocess.Popen(
                [sys.executable, "-m", "paperwire", "import", "arxiv-snapshot", str(snapshot)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            threading.Thread(target=watch, args=(importer, started, finished), daemon=True).start()
            busy = asyncio.run(load(base, paper_id, duration, concurrency))
            after = progress(folder / "data")
            importer.kill()
            importer.wait()
        finally:
            server.terminate()
            server.wait(timeout=30)
            if log is not None:
                log.write_bytes((folder / "serve.log").read_bytes())
    return report(n, duration, concurrency, idle, busy, finished.get("import_s"), before, after)


def report(n: int, duration: float, concurrency: int, idle: Tally, busy: Tally,
           import_s: float | None, before: dict[str, int], after: dict[str, int]
           ) -> dict[str, object]:
    idle_s, busy_s = idle.summary(duration), busy.summary(duration)
    search = "/api/papers/search"
    idle_p99, busy_p99 = idle_s[search]["p99_ms"], busy_s[search]["p99_ms"]
    ratio = float("inf") if not idle_p99 or busy_p99 is None else busy_p99 / idle_p99
    failures = sum((v["errors"] or 0) + (v["timeouts"] or 0) for v in busy_s.values())
    return {"n": n, "duration_s": duration, "concurrency": concurrency,
            "idle": idle_s, "during_import": busy_s,
            "import_finished_s": None if import_s is None else round(import_s, 1),
            "papers_imported": after["papers"] - before["papers"],
            "keyword_indexed_during": after["keyword"] - before["keyword"],
            "embedded_during": after["embedded"] - before["embedded"],
            "idle_errors": idle.statuses, "import_errors": busy.statuses,
            "search_p99_ratio": round(ratio, 2) if ratio != float("inf") else None,
            "goal_met": failures == 0 and ratio <= 3.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="papers in the imported snapshot")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds a phase (<= 60)")
    parser.add_argument("--concurrency", type=int, default=20, help="workers (<= 50)")
    parser.add_argument("--port", type=int, default=8112)
    parser.add_argument("--log", type=Path, default=None, help="keep the server's log here")
    args = parser.parse_args()
    if not 0 < args.duration <= 60 or not 1 <= args.concurrency <= 50:
        parser.error("--duration must be 0..60 seconds and --concurrency 1..50")
    print(json.dumps(run(args.n, args.duration, args.concurrency, args.port, args.log)))


if __name__ == "__main__":
    main()
