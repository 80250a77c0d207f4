"""The running site keeps answering while a snapshot import and its indexing run: a real
``paperwire demo`` process, a real ``paperwire import arxiv-snapshot`` of thousands of papers,
and every page, search and health check answered in time meanwhile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser import running_paperwire
from tests.helpers import REPO
from tests.snapshot_helpers import record_id, write_snapshot

PORT = 8111
PAPERS = 3000
BOUND = 3.0  # seconds any request may take
PROBE_FOR = 20.0  # seconds of probing at least, the refresher busy embedding all along


def probe(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> str | None:
    """None when ``path`` answered 200 within the bound, else what went wrong."""
    started = time.monotonic()
    try:
        response = client.get(path, params=params, timeout=BOUND)
    except httpx.HTTPError as exc:
        return f"{path} {params}: {type(exc).__name__} after {time.monotonic() - started:.1f} s"
    if response.status_code != 200:
        return f"{path} {params}: HTTP {response.status_code}"
    return None


def keyword_ids(client: httpx.Client, q: str) -> list[str]:
    items = client.get("/api/papers/search", params={"q": q, "mode": "keyword"},
                       timeout=BOUND).json()
    return [item["paper"]["id"] for item in items]


@pytest.mark.slow
def test_the_site_answers_while_thousands_of_papers_are_imported_and_indexed(
        env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "PAPERWIRE_SEARCH_REFRESH": "0.5"}
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(snapshot, PAPERS, seed=3)
    with running_paperwire(["demo", "--port", str(PORT)], env, PORT, tmp_path / "demo.log") \
            as base, httpx.Client(base_url=base) as client:
        assert "search model loaded" in (tmp_path / "demo.log").read_text()  # before requests
        paper = client.get("/api/daily_papers", timeout=30).json()[0]["paper"]["id"]
        child_env = {**os.environ, **env, "PYTHONPATH": str(REPO / "src")}
        importer = subprocess.Popen(
            [sys.executable, "-m", "paperwire", "import", "arxiv-snapshot", str(snapshot)],
            env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        checks = [("/healthz", None), ("/", None), (f"/papers/{paper}", None),
                  ("/api/papers/search", {"q": "sparse attention transformers"}),
                  ("/api/papers/search", {"q": "gradient descent", "mode": "semantic"}),
                  ("/search.rss", {"q": "diffusion models"})]
        failures: list[str] = []
        answered = 0
        started = time.monotonic()
        while importer.poll() is None or time.monotonic() - started < PROBE_FOR:
            for path, params in checks:
                failure = probe(client, path, params)
                failures += [failure] if failure else []
                answered += failure is None
        assert importer.wait() == 0, importer.stderr.read() if importer.stderr else ""
        assert failures == [], f"{len(failures)} failed, {answered} answered: {failures[:5]}"
        # new papers go into the keyword index first, long before they are all embedded
        last = json.loads(snapshot.read_text(encoding="utf-8").splitlines()[-1])
        assert found_soon(client, str(last["title"]), record_id(PAPERS - 1))


def found_soon(client: httpx.Client, title: str, paper_id: str) -> bool:
    for _ in range(60):
        if paper_id in keyword_ids(client, title):
            return True
        time.sleep(0.5)
    return False
