"""The README's quick start in a fresh clone: line 1 as written (only the port added, so the
test does not take port 8000) makes `.venv`, installs paperwire into it and starts the demo,
whose feed and mail links then use that port.

No network in tests: pip is told to use no index and no dependencies, and the new
environment finds the dependencies already installed for the test run through PYTHONPATH
(its own `paperwire` is the clone's, installed by the command under test)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO, free_port

pytestmark = pytest.mark.slow


def quick_start_line() -> str:
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)[0]
    return block.splitlines()[0]


@contextmanager
def run_line(line: str, clone: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    bin_dir = clone.parent / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VIRTUAL_ENV", "PYTHON", "PAPERWIRE_"))}
    env.update(PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
               PYTHONPATH=sysconfig.get_paths()["purelib"], PIP_NO_INDEX="1", PIP_NO_DEPS="1",
               PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    with log.open("wb") as out:
        proc = subprocess.Popen(["bash", "-c", line], cwd=clone, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300  # creating .venv and installing take a while
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the quick start stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise AssertionError(f"the demo did not answer in time:\n{log.read_text()[-3000:]}")


def test_quick_start_in_a_fresh_clone_serves_the_demo_on_its_port(tmp_path: Path) -> None:
    clone = tmp_path / "paperwire"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    line = quick_start_line()
    assert line.endswith("paperwire demo")
    port = free_port()
    log = tmp_path / "quick-start.log"
    with run_line(f"{line} --port {port}", clone, log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, proc, log)
        assert (clone / ".venv" / "bin" / "paperwire").exists()
        assert (clone / "paperwire-data" / "paperwire.db").exists()
        feed = httpx.get(f"{base}/daily.rss").text
        links = re.findall(r"<link>([^<]+)</link>", feed)
        assert links and all(link.startswith(f"{base}/") for link in links)
        assert ":8000" not in feed
        home = httpx.get(f"{base}/").text
        assert home.count('<article class="card') >= 10
