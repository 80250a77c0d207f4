"""``paperwire serve --workers N``: real worker processes on one loopback socket share
everything a request needs (sessions, votes, comments, login limits) through the database,
and a worker killed with SIGKILL loses nothing that was committed."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from paperwire.bootstrap import open_store
from paperwire.config import Settings, load_settings
from tests.browser import running_paperwire
from tests.community_helpers import PASSWORD, add_paper
from tests.conftest_engine import PgServer, with_database
from tests.helpers import free_port

pytestmark = pytest.mark.slow
WORKERS = 2
PAPER = "2401.55555"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes uvicorn spawned (its resource tracker left out)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [int(pid) for pid in children
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class Site:
    """The running server, its data and one signed-up user's cookies."""

    def __init__(self, base: str, settings: Settings) -> None:
        self.base, self.settings = base, settings
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def browser(self, **kwargs: Any) -> httpx.Client:
        """A browser of the user opening a new connection for every request."""
        return httpx.Client(base_url=self.base, cookies=self.cookies, timeout=60,
                            limits=httpx.Limits(max_keepalive_connections=0), **kwargs)

    def in_parallel(self, count: int, call: Callable[[int], int]) -> list[int]:
        with ThreadPoolExecutor(16) as pool:
            return list(pool.map(call, range(count)))

    def post(self, path: str, data: dict[str, str], json: bool = False) -> int:
        headers = {"X-CSRF-Token": self.csrf, **({"Accept": "application/json"} if json else {})}
        with self.browser() as browser:
            return browser.post(path, data=data, headers=headers).status_code

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        store = open_store(self.settings)
        try:
            return store.scalar(sql, params)  # type: ignore[attr-defined]
        finally:
            store.close()

    def column(self, sql: str) -> list[Any]:
        store = open_store(self.settings)
        try:
            return [row[0] for row in store.query(sql)]  # type: ignore[attr-defined]
        finally:
            store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory,
         pg_server: PgServer | None) -> Iterator[tuple[Site, int]]:
    """``serve --workers`` on SQLite, or on PostgreSQL with ``--engine postgresql``."""
    folder = tmp_path_factory.mktemp("workers")
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(folder / "data"), "PAPERWIRE_SEARCH_REFRESH": "0",
           "PAPERWIRE_SECRET_KEY": "workers-test-secret-0123456789-abcdefghij",
           "PAPERWIRE_MAILER": "outbox", "PAPERWIRE_EMBEDDER": "static"}
    if pg_server is not None:
        env["PAPERWIRE_DATABASE_URL"] = with_database(pg_server.admin_url,
                                                      pg_server.new_database())
    settings = load_settings(env)
    store = open_store(settings)
    add_paper(store, settings, PAPER, "Shared state across worker processes")
    store.close()
    args = ["serve", "--port", str(port), "--workers", str(WORKERS)]
    with running_paperwire(args, env, port, folder / "serve.log") as base:
        site = Site(base, settings)
        with httpx.Client(base_url=base) as browser:
            token = TOKEN.search(browser.get("/signup").text)
            assert token is not None
            answer = browser.post("/signup", data={
                "username": "worker-user", "password": PASSWORD,
                "email": "worker-user@example.org", "csrf_token": token.group(1)})
            assert answer.status_code == 303, answer.text
            site.cookies = dict(browser.cookies)
            site.csrf = TOKEN.search(browser.get("/submit").text).group(1)  # type: ignore[union-attr]
        yield site, server_pid(port)


def server_pid(port: int) -> int:
    """The supervisor process listening on ``port`` (the parent of the workers)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"paperwire" in cmdline and str(port).encode() in cmdline and b"serve" in cmdline:
                return int(entry.name)
    raise AssertionError(f"no serve process on port {port}")


def test_a_login_holds_whatever_worker_answers(site: tuple[Site, int]) -> None:
    web, pid = site
    workers = worker_pids(pid)
    assert len(workers) == WORKERS
    before = {w: cpu_ticks(w) for w in workers}

    def page(_: int) -> int:
        with web.browser() as browser:
            answer = browser.get("/submit", follow_redirects=False)
            return answer.status_code if "worker-user" in answer.text else -answer.status_code

    assert web.in_parallel(80, page) == [200] * 80
    assert all(cpu_ticks(w) > before[w] for w in workers), "one worker answered everything"


def test_concurrent_identical_upvotes_count_once(site: tuple[Site, int]) -> None:
    web, _ = site
    codes = web.in_parallel(100, lambda _: web.post(f"/papers/{PAPER}/upvote", {"on": "1"},
                                                    json=True))
    assert codes == [200] * 100
    assert web.scalar("SELECT COUNT(*) FROM votes WHERE paper_id = ?", (PAPER,)) == 1
    assert httpx.get(f"{web.base}/api/papers/{PAPER}").json()["upvotes"] == 1


def test_concurrent_comments_are_all_kept(site: tuple[Site, int]) -> None:
    web, _ = site
    codes = web.in_parallel(100, lambda i: web.post(f"/papers/{PAPER}/comments",
                                                    {"body": f"parallel comment {i}"}))
    assert codes == [303] * 100
    bodies = set(web.column("SELECT body FROM comments WHERE body LIKE 'parallel comment %'"))
    assert bodies == {f"parallel comment {i}" for i in range(100)}


def test_login_failures_are_counted_across_workers(site: tuple[Site, int]) -> None:
    web, _ = site

    def attempt() -> int:
        with httpx.Client(base_url=web.base,
                          limits=httpx.Limits(max_keepalive_connections=0)) as browser:
            token = TOKEN.search(browser.get("/login").text)
            assert token is not None
            return browser.post("/login", data={"username": "worker-user",
                                                "password": "wrong-password-9",
                                                "csrf_token": token.group(1)}).status_code

    codes = [attempt() for _ in range(6)]
    assert codes[:5] == [400] * 5 and codes[5] == 429, codes


def test_a_worker_killed_mid_request_loses_nothing_committed(site: tuple[Site, int]) -> None:
    web, pid = site
    victim = worker_pids(pid)[0]
    started = time.monotonic()

    def comment(i: int) -> int:
        if i == 40:
            os.kill(victim, signal.SIGKILL)
        try:
            return web.post(f"/papers/{PAPER}/comments", {"body": f"killed-run comment {i}"})
        except httpx.HTTPError:
            return 0  # the connection the killed worker held

    codes = web.in_parallel(150, comment)
    answered = {i for i, code in enumerate(codes) if code == 303}
    assert len(answered) >= 100, codes
    if web.settings.database_url.startswith("sqlite:"):
        assert web.scalar("PRAGMA integrity_check") == "ok"
    stored = web.column("SELECT body FROM comments WHERE body LIKE 'killed-run comment %'")
    assert {f"killed-run comment {i}" for i in answered} <= set(stored)
    assert len(stored) == len(set(stored))  # nothing written twice
    while len(worker_pids(pid)) < WORKERS and time.monotonic() - started < 60:
        time.sleep(0.2)  # uvicorn replaces the killed worker
    assert victim not in worker_pids(pid) and len(worker_pids(pid)) == WORKERS
    assert httpx.get(f"{web.base}/healthz", timeout=30).status_code == 200


def test_workers_take_the_proxy_settings_and_keep_tokens_out_of_the_log(
        tmp_path: Path) -> None:
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data"), "PAPERWIRE_SEARCH_REFRESH": "0",
           "PAPERWIRE_SECRET_KEY": "workers-test-secret-0123456789-abcdefghij",
           "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}", "PAPERWIRE_MAILER": "console",
           "PAPERWIRE_EMBEDDER": "static"}
    public = {"Origin": "https://papers.example.org", "X-Forwarded-Proto": "https",
              "X-Forwarded-Host": "papers.example.org"}
    args = ["serve", "--port", str(port), "--workers", "2", "--proxy-headers"]
    log = tmp_path / "serve.log"
    with running_paperwire(args, env, port, log) as base:
        codes = set()
        for _ in range(5):  # new connections (the 6th failure would wait: 429)
            with httpx.Client(base_url=base, headers=public) as browser:
                token = TOKEN.search(browser.get("/login").text)
                assert token is not None
                codes.add(browser.post("/login", data={
                    "username": "nobody", "password": "wrong-pass-1",
                    "csrf_token": token.group(1)}).status_code)
            httpx.get(f"{base}/reset/SecretResetToken1234")
    assert codes == {400}  # the form was reached: the public origin is the site's own
    text = log.read_text()
    assert "/reset/[redacted]" in text and "SecretResetToken1234" not in text
