"""``paperwire db copy``: a real process killed with SIGKILL in the middle of a copy, then run
again, finishes the copy with every table's count and content hash equal to the source's."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperwire.bootstrap import open_store_url
from paperwire.cli import main
from paperwire.clock import now_utc
from paperwire.models import Author, IncomingPaper, Paper
from paperwire.storage.sqlite import SqliteStore
from tests.helpers import REPO

PAPERS = 12_000


def build_source(path: Path) -> None:
    store = SqliteStore(path)
    when = now_utc()
    try:
        for start in range(0, PAPERS, 2000):
            store.upsert_papers([IncomingPaper(Paper(
                f"2401.{n:05d}", f"Paper number {n} on copying databases",
                "An abstract that is long enough to make the rows weigh something. " * 8,
                (Author("Ada Lovelace"), Author(f"Author {n}")), published_at=when))
                for n in range(start, start + 2000)])
        user = store.create_user("alice", "alice@example.org", "x", when)
        assert user is not None
    finally:
        store.close()


def copy_command(source: Path, target: str) -> list[str]:
    return [sys.executable, "-m", "paperwire", "db", "copy", f"sqlite:///{source}", target]


def scalar(url: str, sql: str) -> int:
    store = open_store_url(url)
    try:
        return int(store.scalar(sql))  # type: ignore[attr-defined]
    finally:
        store.close()


COPIED = "SELECT COALESCE(SUM(copied), 0) FROM copy_state WHERE table_name = 'papers' AND done = 0"


def copied_rows(target: str) -> int:
    """Papers the copy committed so far (0 before the destination has its tables)."""
    if not target.startswith("sqlite:///"):
        return scalar(target, COPIED)
    if not Path(target[10:]).exists():
        return 0
    try:  # read only: the copy process creates and migrates the file
        with sqlite3.connect(f"file:{target[10:]}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(COPIED).fetchone()[0])
    except sqlite3.OperationalError:  # its tables are not there yet
        return 0


@pytest.mark.slow
def test_a_copy_killed_midway_resumes_and_ends_equal(tmp_path: Path,
                                                    database_url: str | None) -> None:
    """Into SQLite, or into PostgreSQL with ``--engine postgresql``."""
    source, target = tmp_path / "source.db", database_url or f"sqlite:///{tmp_path}/target.db"
    build_source(source)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    first = subprocess.Popen(copy_command(source, target), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while copied_rows(target) == 0 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    first.kill()  # SIGKILL, in the middle of the papers
    first.wait()
    assert first.returncode == -9, "the copy ended before it could be killed"
    partial = copied_rows(target)
    assert 0 < partial < PAPERS
    again = subprocess.run(copy_command(source, target), env=env, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr + again.stdout
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert summary["same"] and summary["resumed"]
    assert summary["written"] <= summary["rows"] - partial
    assert "papers" in again.stdout and "DIFFERS" not in again.stdout
    assert scalar(target, "SELECT COUNT(*) FROM papers") == PAPERS


def test_copy_refuses_a_missing_source_and_the_same_database(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["db", "copy", f"sqlite:///{tmp_path}/none.db",
                                   f"sqlite:///{tmp_path}/new.db"])
    assert missing.exit_code == 1 and "there is no database file" in missing.output
    assert not (tmp_path / "new.db").exists()
    same = runner.invoke(main, ["db", "copy", f"sqlite:///{tmp_path}/a.db",
                                f"sqlite:///{tmp_path}/../{tmp_path.name}/a.db"])
    assert same.exit_code == 1 and "the same database" in same.output
    odd = runner.invoke(main, ["db", "copy", "mysql://x/y", f"sqlite:///{tmp_path}/b.db"])
    assert odd.exit_code == 1 and "mysql://x/y" in odd.output
