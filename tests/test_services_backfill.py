"""Embedding backfill: in-process and on a real local Ray cluster, resumable and idempotent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from click.testing import CliRunner

from paperwire.bootstrap import open_store
from paperwire.cli import main
from paperwire.cli.search import _ray_address
from paperwire.config import Settings, load_settings
from paperwire.models import IncomingPaper, Paper, StoredEmbedding
from paperwire.search.static import load_static
from paperwire.services.backfill import backfill, build_missing_chunks
from paperwire.services.search import SearchService
from paperwire.services.search_indexing import build_embedding_text, model_key
from paperwire.storage.sqlite import SqliteStore
from tests.backfill_helpers import build_papers, stored_vectors
from tests.search_helpers import search_env

STATIC = load_static()
MODEL = model_key(STATIC)


def static_env(folder: Path, database_url: str | None = None) -> dict[str, str]:
    env = {**search_env(folder), "PAPERWIRE_EMBEDDER": "static"}
    return {**env, "PAPERWIRE_DATABASE_URL": database_url} if database_url else env


def make_store(folder: Path, n: int, database_url: str | None = None
               ) -> tuple[Settings, SqliteStore]:
    settings = load_settings(static_env(folder, database_url))
    store = open_store(settings)
    store.upsert_papers(build_papers(n))
    return settings, store


def test_backfill_embeds_each_paper_once_and_the_index_pass_reuses_it(
        tmp_path: Path, database_url: str | None) -> None:
    settings, store = make_store(tmp_path / "data", 300, database_url)
    report = backfill(settings, store, STATIC, chunk=64, progress=False)
    assert (report.missing, report.embedded, report.engine) == (300, 300, "in-process")
    vectors = stored_vectors(store, MODEL)
    paper = store.get_papers(["2401.00007"])[0]
    expected = STATIC.embed([build_embedding_text(paper)])[0].astype("<f2").tobytes()
    assert len(vectors) == 300 and vectors["2401.00007"].vector == expected
    assert backfill(settings, store, STATIC, progress=False).missing == 0
    assert store.search_watermark("embedding_seq") == 300  # nothing written twice
    index = SearchService(settings, store, STATIC).index()
    assert (index.embedded, index.vectors) == (0, 300)
    store.close()


def test_changed_text_and_other_models_are_backfilled_again(tmp_path: Path) -> None:
    settings, store = make_store(tmp_path / "data", 40)
    backfill(settings, store, STATIC, progress=False)
    store.upsert_papers([IncomingPaper(Paper("2401.00003", "A new title", "A new abstract."))])
    old = StoredEmbedding("2401.00004", "all-MiniLM-L6-v2@old", "x", STATIC.dim,
                          np.zeros(STATIC.dim, dtype="<f2").tobytes())
    store.save_embeddings([old], None)
    chunks = build_missing_chunks(store, MODEL, 10)
    assert len(chunks) == 1 and sorted(chunks[0].split(",")) == ["2401.00003", "2401.00004"]
    assert backfill(settings, store, STATIC, progress=False).embedded == 2
    assert build_missing_chunks(store, MODEL) == []
    store.close()


def test_cli_backfill_runs_in_process_without_a_ray_address(tmp_path: Path) -> None:
    _settings, store = make_store(tmp_path / "data", 50)
    store.close()
    result = CliRunner(env=static_env(tmp_path / "data")).invoke(
        main, ["index", "--backfill", "--quiet", "--chunk", "8"])
    assert result.exit_code == 0, result.output
    assert "backfilled 50 of 50 papers lacking a vector" in result.output
    assert "in-process" in result.output and "indexed 50 papers (0 embedded" in result.output


def test_the_ray_address_comes_from_the_option_then_the_setting() -> None:
    assert _ray_address(None, "") is None  # in-process
    assert _ray_address("", "") == ""  # a local cluster
    assert _ray_address("", "ray://head:10001") == "ray://head:10001"
    assert _ray_address(None, "ray://head:10001") == "ray://head:10001"
    assert _ray_address("10.0.0.2:6379", "ray://head:10001") == "10.0.0.2:6379"


# -- a real local Ray cluster -----------------------------------------------------------------
def start_driver(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperwire", "index", "--backfill", "--ray", "--workers", "2",
         "--chunk", "16", "--quiet"], env={**os.environ, **env}, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for_vectors(store: SqliteStore, driver: subprocess.Popen[bytes], at_least: int) -> int:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and driver.poll() is None:
        count = store.stats_search()["embeddings"]
        if count >= at_least:
            return count
        time.sleep(0.05)
    raise AssertionError(f"the driver wrote fewer than {at_least} vectors: "
                         f"{driver.communicate()[0].decode()[-2000:]}")


def session_processes(driver: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The processes of the driver's session: the driver and the Ray cluster it started."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getsid(proc.pid) == driver.pid:
                found.append(proc)
        except (ProcessLookupError, PermissionError):
            continue
    return found


def embed_workers(driver: subprocess.Popen[bytes]) -> list[psutil.Process]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = [p for p in session_processes(driver) if "EmbedWorker" in " ".join(p.cmdline())]
        if workers:
            return workers
        time.sleep(0.1)
    raise AssertionError("no Ray embedding worker started")


def stop_session(driver: subprocess.Popen[bytes]) -> None:
    for proc in session_processes(driver):
        proc.kill()


@pytest.mark.slow
def test_ray_backfill_survives_a_killed_driver_and_a_killed_worker(
        tmp_path: Path, database_url: str | None) -> None:
    """On the engine under test (the workers open the store the settings name); the
    reference is an in-process backfill of the same papers into a SQLite file."""
    _settings, store = make_store(tmp_path / "data", 3000, database_url)
    env = static_env(tmp_path / "data", database_url)
    driver = start_driver(env)
    try:
        wait_for_vectors(store, driver, 200)
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    finally:
        stop_session(driver)
    first = store.stats_search()["embeddings"]
    assert 200 <= first < 3000
    driver = start_driver(env)
    try:
        wait_for_vectors(store, driver, first + 100)
        victim = embed_workers(driver)[0]
        victim.kill()
        output = driver.communicate(timeout=300)[0].decode()
    finally:
        stop_session(driver)
    assert driver.returncode == 0, output[-3000:]
    assert f"of {3000 - first} papers lacking a vector" in output and "ray, 2 workers" in output
    assert not victim.is_running()
    vectors = stored_vectors(store, MODEL)
    assert len(vectors) == 3000 and build_missing_chunks(store, MODEL) == []
    assert store.search_watermark("embedding_seq") == 3000  # no paper's vector written twice
    ref_settings, reference = make_store(tmp_path / "reference", 3000)
    assert backfill(ref_settings, reference, STATIC, progress=False).embedded == 3000
    expected = stored_vectors(reference, MODEL)
    assert {k: (v.text_hash, v.vector) for k, v in vectors.items()} == {
        k: (v.text_hash, v.vector) for k, v in expected.items()}
    reference.close()
    store.close()
