"""A database that cannot be written: a clear 507/503 page and JSON, a 503 health check, and
a one-line CLI error naming the file and the cause.

"Disk full" is reproduced for real: SQLite's ``max_page_count`` (SQLITE_FULL) in process,
and a file-size limit (``RLIMIT_FSIZE``, which binds root too) on a real server process.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services
from paperwire.config import Settings, load_settings
from paperwire.errors import StorageFull
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import PASSWORD
from tests.helpers import REPO, free_port

pytestmark = pytest.mark.sqlite_only("a SQLite file that is full, read-only or unopenable")

LIMIT_BYTES = 48_000


def small_disk() -> None:
    """In the child: files may not grow past LIMIT_BYTES (writes then fail, no signal)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


def test_a_full_database_raises_storage_full_and_healthz_says_so(
        settings: Settings, store: SqliteStore) -> None:
    client = TestClient(create_app(build_services(settings, store=store)), base_url="http://testserver")
    assert client.get("/healthz").json()["database"] == "writable"
    store.conn.execute(f"PRAGMA max_page_count = {store.scalar('PRAGMA page_count')}")
    full = pytest.raises(StorageFull, match=r"paperwire\.db cannot be written: the disk is full")
    with full, store.transaction() as conn:
        conn.execute("INSERT INTO rate_events (bucket, key, at) VALUES ('x', ?, 'y')",
                     ("k" * 100_000,))
    assert client.get("/healthz").status_code == 503  # a write failed a moment ago


def test_a_real_server_on_a_full_disk_answers_clearly(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    migrated = SqliteStore(Path(env["PAPERWIRE_DATA_DIR"]) / "paperwire.db")
    SearchService(load_settings(env), migrated).load_model()  # the model cache exists before
    migrated.close()
    child_env = {**os.environ, **env, "PYTHONPATH": str(REPO / "src"),
                 "PAPERWIRE_SEARCH_REFRESH": "0", "PAPERWIRE_ADDRESS_SIGNUPS_PER_HOUR": "1000",
                 "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "paperwire", "serve", "--port", str(port)],
                            env=child_env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=small_disk)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_listening(base, proc)
        answers = signups_until_failure(base)
        status, text = answers[-1]
        assert status in (503, 507), answers
        assert "cannot be written" in text and "paperwire.db" in text
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 503 and "cannot be written" in health.json()["database"]
        api = httpx.post(f"{base}/api/subscriptions", json={"email": "a@example.org"},
                         timeout=10)
        assert api.status_code in (503, 507) and "cannot be written" in api.json()["error"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def wait_listening(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"{base}/static/favicon.svg", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def signups_until_failure(base: str) -> list[tuple[int, str]]:
    answers: list[tuple[int, str]] = []
    with httpx.Client(base_url=base, timeout=30) as browser:
        for n in range(200):
            page = browser.get("/signup")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            answer = browser.post("/signup", data={
                "username": f"user{n}", "email": f"user{n}@example.org", "csrf_token": token,
                "password": PASSWORD + "x" * 900})
            answers.append((answer.status_code, answer.text))
            browser.cookies.clear()
            if answer.status_code != 303:
                break
    return answers


def test_the_cli_stops_with_one_line_naming_the_file(env: dict[str, str]) -> None:
    demo = REPO / "src" / "paperwire" / "data" / "demo-hf.json"
    result = subprocess.run([sys.executable, "-m", "paperwire", "import", "hf", str(demo)],
                            env={**os.environ, **env, "PYTHONPATH": str(REPO / "src")},
                            capture_output=True, text=True, preexec_fn=small_disk, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "paperwire.db cannot be written" in lines[0]


def read_only_data_dir() -> Path:
    """A migrated database in a folder nobody may write, readable by user ``nobody``."""
    folder = Path(tempfile.mkdtemp(prefix="paperwire-ro-"))
    folder.chmod(0o755)
    data = folder / "data"
    data.mkdir()
    SqliteStore(data / "paperwire.db").close()
    for path in data.iterdir():
        path.chmod(0o444)
    data.chmod(0o555)
    return data


def as_nobody() -> None:
    """Root ignores file modes: run the child as ``nobody`` so that they bind."""
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)


def nobody_can_run_python() -> bool:
    """Whether user ``nobody`` may execute this interpreter (a Python under a private home
    directory, such as root's, cannot be)."""
    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=as_nobody, check=True,
                       capture_output=True, timeout=60)
    except (PermissionError, subprocess.CalledProcessError):
        return False
    return True


def test_a_read_only_database_stops_commands_with_one_line() -> None:
    if not nobody_can_run_python():
        pytest.skip(f"user nobody may not execute {sys.executable}, so file modes cannot bind")
    data = read_only_data_dir()
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(data), "HOME": str(data.parent),
           "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_SEARCH_REFRESH": "0"}
    demo = REPO / "src" / "paperwire" / "data" / "demo-hf.json"
    result = subprocess.run([sys.executable, "-m", "paperwire", "import", "hf", str(demo)],
                            env=env, capture_output=True, text=True, preexec_fn=as_nobody,
                            timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert f"{data / 'paperwire.db'} cannot be written: the file is read-only" in lines[0]
    served = subprocess.run([sys.executable, "-m", "paperwire", "serve", "--port",
                             str(free_port())], env=env, capture_output=True, text=True,
                            preexec_fn=as_nobody, timeout=120)
    assert served.returncode == 1 and served.stderr.strip().count("\n") == 0, served.stderr
    assert "the file is read-only" in served.stderr  # refuses to start, saying why
