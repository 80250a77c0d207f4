"""The parsing processes of ``import arxiv-snapshot`` end when the import is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import REPO
from tests.snapshot_helpers import write_snapshot


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie holds no memory; only its exit status is left


def test_workers_exit_when_the_import_is_killed(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    write_snapshot(path, 60_000)
    proc = subprocess.Popen([sys.executable, "-m", "paperwire", "import", "arxiv-snapshot",
                             str(path), "--workers", "2"],
                            env={**os.environ, **env, "PYTHONPATH": str(REPO / "src")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = children_of(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the import started no parsing processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if alive(w)]
    for pid in left:  # do not leave them behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"parsing processes {left} outlived their killed parent"
