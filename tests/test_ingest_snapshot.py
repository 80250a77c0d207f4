"""The arXiv metadata snapshot: parsing, plain and gzip files, bad lines, merging with what is
stored, re-runs, and resuming after kill -9."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperwire.bootstrap import open_store
from paperwire.cli import main
from paperwire.config import Settings, load_settings
from paperwire.models import Author, IncomingPaper, Paper
from paperwire.services.ingest_snapshot import import_snapshot
from paperwire.sources.arxiv_snapshot import parse_snapshot_line
from paperwire.sources.records import RecordInvalid
from paperwire.storage.sqlite import SqliteStore
from tests.helpers import REPO
from tests.snapshot_helpers import REAL_LINE, line, record, write_snapshot


def test_parse_a_real_line() -> None:
    paper = parse_snapshot_line(line(REAL_LINE)).paper
    assert (paper.id, paper.version) == ("0704.0001", 2)
    assert paper.title == ("Calculation of prompt diphoton production cross sections at "
                           "Tevatron and LHC energies")
    assert paper.summary == "A fully differential calculation $x<y$ & <b>."
    assert paper.authors[0] == Author("C. Balázs") and len(paper.authors) == 4
    assert paper.published_at is not None and paper.published_at.isoformat() == \
        "2007-04-02T19:18:42+00:00"
    assert paper.updated_at is not None and paper.updated_at.date().isoformat() == "2008-11-13"
    assert paper.categories == ("hep-ph",)
    old = parse_snapshot_line(line({**REAL_LINE, "id": "math.GT/0309136", "title": "0",
                                    "authors_parsed": None})).paper
    assert (old.id, old.title, old.pdf_url) == ("math.GT/0309136", "0",
                                                "https://arxiv.org/pdf/math.GT/0309136")
    assert [a.name for a in old.authors][1] == "E. L. Berger"


@pytest.mark.parametrize(("broken", "reason"), [
    (b"{not json", "malformed JSON"), (line([1]), "expected an object"),
    (line({**REAL_LINE, "id": "2399.00001"}), "month"), (line({**REAL_LINE, "id": None}), "'id'"),
    (line({**REAL_LINE, "title": " "}), "'title'"), (line({**REAL_LINE, "title": {}}), "text"),
    (line({**REAL_LINE, "versions": [{"version": "x"}]}), "vN"),
    (line({**REAL_LINE, "update_date": "yesterday"}), "update_date"),
])
def test_bad_lines_say_why(broken: bytes, reason: str) -> None:
    with pytest.raises(RecordInvalid, match=reason):
        parse_snapshot_line(broken)


@pytest.mark.parametrize("compress", [False, True])
def test_import_plain_and_gzip_with_bad_lines(store: SqliteStore, tmp_path: Path,
                                              compress: bool) -> None:
    body = b"".join([line(REAL_LINE), b"{oops\n", b"\n", line(record(1, random.Random(1))),
                     line({**REAL_LINE, "id": "hep-th/9901001", "title": "0"})])
    path = tmp_path / ("snap.json.gz" if compress else "snap.json")
    path.write_bytes(gzip.compress(body) if compress else body)
    report = import_snapshot(store, path, batch=2)
    assert (report.read, report.inserted, report.error_count) == (4, 3, 1)
    assert report.errors[0].location == f"{path} line 2 (byte {len(line(REAL_LINE))})"
    assert store.get_paper("hep-th/9901001") is not None
    again = import_snapshot(store, path, batch=2)
    assert (again.inserted, again.unchanged, store.count_papers()) == (0, 3, 3)


def test_merges_with_papers_already_stored(store: SqliteStore, tmp_path: Path) -> None:
    store.upsert_papers([
        IncomingPaper(Paper("0704.0001", "Old title", version=1, imported_upvotes=12)),
        IncomingPaper(Paper("derived-abc", "Knots with subject class"), id_is_derived=True)])
    path = tmp_path / "snap.json"
    path.write_bytes(line(REAL_LINE) + line({**REAL_LINE, "id": "math.GT/0309136",
                                             "title": "Knots with  subject class"}))
    report = import_snapshot(store, path)
    assert (report.updated, report.merged, report.inserted) == (1, 1, 0)
    paper = store.get_paper("0704.0001")
    assert paper is not None and paper.version == 2 and paper.upvotes == 12
    assert paper.title.startswith("Calculation")
    assert store.resolve_alias("derived-abc") == "math.GT/0309136"
    assert store.count_papers() == 2


def test_cli_import_and_resume_after_kill(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    write_snapshot(path, 20_000)
    child_env = {**os.environ, **env, "PYTHONPATH": str(REPO / "src")}
    store = open_store(load_settings(env))
    proc = subprocess.Popen([sys.executable, "-m", "paperwire", "import", "arxiv-snapshot",
                             str(path), "--batch", "500"], env=child_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    offset = wait_for_checkpoint(store)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < offset < path.stat().st_size
    result = CliRunner(env=env).invoke(main, ["import", "arxiv-snapshot", str(path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["read"] < 20_000 and summary["errors"] == 0
    assert tuple(store.query_one("SELECT COUNT(*), COUNT(DISTINCT id) FROM papers")) == \
        (20_000, 20_000)
    store.close()


def wait_for_checkpoint(store: SqliteStore) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = store.scalar("SELECT state_json FROM ingest_checkpoints")
        if text is not None:
            return int(json.loads(text)["offset"])
        time.sleep(0.02)
    raise AssertionError("no checkpoint within 60 s")


def test_missing_file(settings: Settings, cli: CliRunner) -> None:
    result = cli.invoke(main, ["import", "arxiv-snapshot", "/nonexistent/snap.json"])
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_prepared_rows_equal_the_catalog_columns() -> None:
    from paperwire.ids import title_key
    from paperwire.paper_row import paper_columns, prepare_paper

    rng = random.Random(3)
    items = [parse_snapshot_line(line(record(i, rng))) for i in range(50)]
    items.append(IncomingPaper(Paper("2401.00001", "Kw", ai_keywords=("a", "é"),
                                     authors=(Author("X", True, "u"),), github_stars=3)))
    for item in items:
        pid, key, cols, plain = prepare_paper(item)
        expected = paper_columns(item.paper, title_key(item.paper.title))
        assert (pid, key, plain) == (item.paper.id, expected["title_key"], True)
        assert cols == tuple(expected.values())


@pytest.mark.parametrize("workers", [0, 2])
def test_a_failure_mid_transaction_rolls_back_and_resumes(store: SqliteStore, tmp_path: Path,
                                                          workers: int) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(path, 100)
    calls = []

    def crash(_read_bytes: int, _records: int) -> None:
        calls.append(1)
        if len(calls) == 5:  # chunks of 4 lines, transactions of 12: mid-transaction
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_snapshot(store, path, crash, batch=12, workers=workers, chunk=4)
    state = store.get_checkpoint(f"snapshot:{path.resolve()}")
    assert state is not None and state["line"] == 12 and store.count_papers() == 12
    report = import_snapshot(store, path, batch=12, workers=workers, chunk=4)
    assert (report.read, report.inserted) == (88, 88)
    assert store.count_papers() == 100
