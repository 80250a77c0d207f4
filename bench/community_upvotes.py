"""Figure: 100 concurrent identical upvotes against a real server make exactly 1 row.

Starts paperwire (uvicorn, loopback) on a fresh SQLite file, signs one user up, then for each
of ``--papers`` papers fires ``--concurrency`` identical upvote POSTs at once. Prints one JSON
line: requests sent, non-200 answers, vote rows per paper (min/max), cached counts that are
wrong, and requests per second.

    PYTHONPATH=src python -m bench.community_upvotes --papers 5 --concurrency 100
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from paperwire.bootstrap import build_services
from paperwire.config import load_settings
from paperwire.models import DailySubmission, IncomingPaper, Paper
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: SqliteStore, data: Path, port: int) -> uvicorn.Server:
    settings = load_settings({"PAPERWIRE_DATA_DIR": str(data),
                              "PAPERWIRE_SECRET_KEY": "bench-secret-0123456789abcdef",
                              "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}"})
    app = create_app(build_services(settings, store=store))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1",
                                           port=port, log_level="warning", backlog=1024))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def log_in(base: str) -> tuple[dict[str, str], str]:
    with httpx.Client(base_url=base) as browser:
        token = TOKEN.search(browser.get("/signup").text).group(1)  # type: ignore[union-attr]
        browser.post("/signup", data={"username": "bench", "email": "b@example.org",
                                      "password": "bench-password-42", "csrf_token": token})
        token = TOKEN.search(browser.get("/").text).group(1)  # type: ignore[union-attr]
        return dict(browser.cookies), token


def storm(base: str, cookies: dict[str, str], token: str, paper_id: str, n: int) -> list[int]:
    barrier = threading.Barrier(n)

    def one(_: int) -> int:
        with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
            barrier.wait()
            return client.post(f"/papers/{paper_id}/upvote", data={"on": "1", "csrf_token": token},
                               headers={"Accept": "application/json"}).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "data", free_port()
        store = SqliteStore(data / "paperwire.db")
        now = datetime.now(UTC)
        ids = [f"2601.{n:05d}" for n in range(args.papers)]
        store.upsert_papers([IncomingPaper(Paper(id=i, title=f"Paper {i}", imported_upvotes=3),
                                           daily=DailySubmission(i, now.date(), now))
                             for i in ids])
        server = serve(store, data, port)
        base = f"http://127.0.0.1:{port}"
        cookies, token = log_in(base)
        started, statuses = time.perf_counter(), []
        for paper_id in ids:
            statuses += storm(base, cookies, token, paper_id, args.concurrency)
        elapsed = time.perf_counter() - started
        rows = [int(store.scalar("SELECT COUNT(*) FROM votes WHERE paper_id = ?", (i,)))
                for i in ids]
        wrong = sum(1 for p in store.get_papers(ids) if p.upvotes != 4)
        server.should_exit = True
        store.close()
    print(json.dumps({"figure": "concurrent_identical_upvotes", "papers": args.papers,
                      "concurrency": args.concurrency, "requests": len(statuses),
                      "non_200": sum(s != 200 for s in statuses), "rows_min": min(rows),
                      "rows_max": max(rows), "wrong_cached_counts": wrong,
                      "requests_per_s": round(len(statuses) / elapsed, 1)}))


if __name__ == "__main__":
    main()
