"""kill -9 the harvester (a real process) at every page boundary and at random points, resume,
and compare with an uninterrupted run: 0 duplicates, 0 lost. Two harvesters started at once
still send one request at a time, spaced."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fake_arxiv import FakeArxiv, FakePaper, Request
from tests.helpers import REPO

INTERVAL = 0.05
PAGE = 4
COLUMNS = "id, version, title, summary, authors_json, categories, published_at, withdrawn_at"


def crash_papers() -> list[FakePaper]:
    start = datetime(2023, 6, 1, tzinfo=UTC)
    papers = []
    for n in range(50):
        when = start + timedelta(hours=7 * n)
        pid = (f"2306.{n + 1:05d}" if n % 5 else f"hep-th/99{n % 12 + 1:02d}{n:03d}"
               if n % 10 else f"0812.{n + 1:04d}")
        papers.append(FakePaper(pid, f"Paper number {n}" if n != 7 else "0", when,
                                versions=1 + n % 3, deleted=n % 17 == 16,
                                categories=("cs.LG",) if n % 2 else ("hep-th", "cs.CL")))
    return papers


@pytest.fixture
def crash_fake() -> Iterator[FakeArxiv]:
    with FakeArxiv(crash_papers(), page_size=PAGE) as server:
        yield server


def harvester_env(fake: FakeArxiv, data: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_DATA_DIR": str(data),
            "PAPERWIRE_ARXIV_OAI_URL": fake.oai_url, "PAPERWIRE_ARXIV_MIN_INTERVAL": str(INTERVAL),
            "PAPERWIRE_ARXIV_MAX_RETRIES": "2", "PAPERWIRE_ARXIV_TIMEOUT": "5"}


def start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "paperwire", "ingest", "oai", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def rows(data: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "paperwire.db") as conn:
        return conn.execute(f"SELECT {COLUMNS} FROM papers ORDER BY id").fetchall()


def finished(data: Path) -> bool:
    with sqlite3.connect(data / "paperwire.db") as conn:
        state = conn.execute("SELECT state_json FROM ingest_checkpoints").fetchone()
    return state is not None and '"finished": true' in state[0]


class Killer:
    """Kills the current harvester when its n-th request arrives (a page boundary)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.count = 0
        self.kill_at: int | None = None
        self.kills = 0

    def launch(self, env: dict[str, str], kill_at: int | None) -> subprocess.Popen[bytes]:
        self.count, self.kill_at = 0, kill_at
        self.proc = start(env)
        return self.proc

    def __call__(self, request: Request) -> bool:
        self.count += 1
        if self.proc is not None and self.count == self.kill_at:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.kills += 1
            return True
        return False


def reference(fake: FakeArxiv, tmp_path: Path) -> list[tuple[object, ...]]:
    data = tmp_path / "reference"
    proc = start(harvester_env(fake, data))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    expected = {p.id for p in crash_papers() if not p.deleted}
    got = rows(data)
    assert {r[0] for r in got} == expected
    return got


def test_kill_at_every_page_boundary_and_random_points(crash_fake: FakeArxiv,
                                                       tmp_path: Path) -> None:
    expected = reference(crash_fake, tmp_path)
    pages = -(-len(crash_papers()) // PAGE)
    killer = Killer()
    crash_fake.on_request(killer)

    boundary = tmp_path / "boundary"  # each run stores one page, dies asking for the next
    for _ in range(pages + 1):
        proc = killer.launch(harvester_env(crash_fake, boundary), kill_at=2)
        proc.communicate(timeout=60)
        if proc.returncode == 0:
            break
    assert killer.kills == pages - 1
    assert finished(boundary) and rows(boundary) == expected

    rng = random.Random(7)
    scattered = tmp_path / "random"
    random_kills = 0
    while random_kills < 10:
        proc = killer.launch(harvester_env(crash_fake, scattered), kill_at=None)
        timer = threading.Timer(rng.uniform(0.4, 2.5), proc.kill)
        timer.start()
        proc.communicate(timeout=60)
        timer.cancel()
        if proc.returncode == -signal.SIGKILL:
            random_kills += 1
        if proc.returncode == 0:
            scattered.joinpath("paperwire.db").unlink()  # finished before the kill: again
            for extra in scattered.glob("paperwire.db-*"):
                extra.unlink()
    proc = killer.launch(harvester_env(crash_fake, scattered), kill_at=None)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert finished(scattered) and rows(scattered) == expected
    assert killer.kills + random_kills >= 20
    assert len({r[0] for r in rows(scattered)}) == len(expected)  # 0 duplicates


def test_two_harvesters_at_once_take_turns(crash_fake: FakeArxiv, tmp_path: Path) -> None:
    env = harvester_env(crash_fake, tmp_path / "both")
    procs = [start(env, "--set", "cs"), start(env, "--set", "physics:hep-th")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert len(crash_fake.requests) >= 10
    assert crash_fake.max_in_flight == 1
    assert min(crash_fake.gaps()) >= INTERVAL - 0.01
    assert {r.query.get("set") for r in crash_fake.requests} >= {"cs", "physics:hep-th"}
