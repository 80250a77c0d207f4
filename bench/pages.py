"""Page weight and time to first byte of the pages a newcomer opens first, on the demo.

Starts a real ``paperwire demo`` on loopback, then for ``/``, the first paper's page and
``/search?q=…``: the HTML's size as sent plain and gzipped, the size of the page with its
stylesheet, script and images (gzipped where the server compresses), and the time to first
byte (the first, cold request, then the median and p90 of ``--repeat`` more). ``/healthz``
is the baseline: the server's own floor for a request. Prints one JSON line.

    PYTHONPATH=src python bench/pages.py --repeat 20
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
QUERY = "language models"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_demo(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_DATA_DIR": str(folder)}
    log = (folder.parent / "demo.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "paperwire", "demo", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("paperwire demo exited early")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("paperwire demo did not start in 180 s")


def fetch_ttfb(client: httpx.Client, path: str, gzip: bool) -> tuple[float, bytes, int]:
    """Seconds to the first byte of the answer, its body, and the bytes that crossed the wire."""
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    start = time.perf_counter()
    with client.stream("GET", path, headers=headers) as answer:
        first = None
        wire = 0
        chunks = []
        for chunk in answer.iter_raw():
            first = first or time.perf_counter()
            wire += len(chunk)
            chunks.append(chunk)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}")
        body = b"".join(chunks)
    return ((first or time.perf_counter()) - start, body, wire)


def wait_for_search(client: httpx.Client) -> None:
    """The demo indexes its papers in the background after it starts: wait for it."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if client.get("/api/papers/search", params={"q": QUERY, "limit": 1}).json():
            return
        time.sleep(1)
    raise SystemExit("the demo's search index was not ready in 180 s")


def measure_page(client: httpx.Client, path: str, repeat: int) -> dict[str, object]:
    cold, html, plain = fetch_ttfb(client, path, gzip=False)
    times = [fetch_ttfb(client, path, gzip=True)[0] for _ in range(repeat)]
    gzipped = fetch_ttfb(client, path, gzip=True)[2]
    assets = sorted(set(re.findall(rb'(?:src|href)="(/(?:static|thumbnails)/[^"]+)"', html)))
    asset_bytes = sum(fetch_ttfb(client, a.decode(), gzip=True)[2] for a in assets)
    ordered = sorted(times)
    return {"html_bytes": plain, "html_gzip_bytes": gzipped,
            "with_assets_gzip_bytes": gzipped + asset_bytes, "assets": len(assets),
            "ttfb_cold_ms": round(cold * 1000, 1),
            "ttfb_p50_ms": round(statistics.median(times) * 1000, 1),
            "ttfb_p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="warm requests per page (1-200)")
    args = parser.parse_args()
    repeat = max(1, min(args.repeat, 200))
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_demo(Path(tmp) / "data", port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                wait_for_search(client)
                home = client.get("/").text
                paper = re.search(r'class="card-title"[^>]*><a href="(/papers/[^"]+)"', home)
                if paper is None:
                    raise SystemExit("no paper on the demo's home page")
                pages = {"/": "/", "paper": paper.group(1),
                         "search": "/search?" + httpx.QueryParams({"q": QUERY}).__str__()}
                figures = {name: measure_page(client, path, repeat) for name, path in pages.items()}
                base = [fetch_ttfb(client, "/healthz", gzip=True)[0] for _ in range(repeat)]
                figures["baseline_healthz"] = {
                    "ttfb_p50_ms": round(statistics.median(base) * 1000, 1)}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(json.dumps({"bench": "pages", "repeat": repeat, **figures}))


if __name__ == "__main__":
    main()
