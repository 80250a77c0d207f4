"""Helpers for browser tests: a real paperwire process and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (bash .ci/run installs it)")
        pytest.skip("Debian's chromium is not installed")
    return path


@contextmanager
def running_paperwire(args: list[str], env: Mapping[str, str], port: int,
                      log: Path) -> Iterator[str]:
    """Start ``python -m paperwire ARGS`` and wait until /healthz answers."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO / "src")}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "paperwire", *args], env=full_env,
                                stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"paperwire exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"paperwire did not start:\n{log.read_text()}")
