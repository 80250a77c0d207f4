"""Snapshot import speed: generate N synthetic arXiv snapshot records, import them with
``paperwire import arxiv-snapshot`` in a child process, print one JSON line with records/s,
the peak memory of the child and its parsing processes (PSS: what they use together; and
the plain sum of their RSS, which counts pages they share after fork in each) and the
database size.

    python bench/ingest.py --n 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.snapshot_helpers import write_snapshot  # noqa: E402


def tree_kb(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB: the sum of
    their RSS (pages shared after fork counted in every process) and of their PSS (shared
    pages divided among the processes sharing them, so that the sum is the memory used)."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for row in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                name, _, rest = row.partition(":")
                if name in ("Rss", "Pss"):
                    value = int(rest.split()[0])
                    rss, pss = (rss + value, pss) if name == "Rss" else (rss, pss + value)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return rss, pss


def run_import(snapshot: Path, data: Path, extra: list[str]) -> tuple[float, int, int, int]:
    """Seconds, return code, peak RSS and peak PSS (KiB, the child and its workers)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_DATA_DIR": str(data)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "paperwire", "import", "arxiv-snapshot",
                             str(snapshot), "--no-progress", *extra], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss, pss = tree_kb(proc.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sys.stderr.write(err[-2000:])
    return elapsed, proc.returncode, peak_rss, peak_pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="records to generate")
    parser.add_argument("--workers", type=int, default=None, help="parsing processes")
    args = parser.parse_args()
    extra = [] if args.workers is None else ["--workers", str(args.workers)]
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "arxiv-metadata.json"
        write_snapshot(snapshot, args.n)
        os.sync()  # the generated file's write-back would otherwise compete with the import
        elapsed, code, rss_sum_kb, pss_kb = run_import(snapshot, Path(tmp) / "data", extra)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        rss_kb, cpu_s = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        db_bytes = sum(p.stat().st_size for p in (Path(tmp) / "data").glob("paperwire.db*"))
        print(json.dumps({
            "bench": "ingest_snapshot", "records": args.n, "ok": code == 0,
            "seconds": round(elapsed, 2), "records_per_s": round(args.n / elapsed),
            "cpu_seconds": round(cpu_s, 2), "records_per_cpu_s": round(args.n / cpu_s),
            "peak_pss_mb": round(pss_kb / 1024, 1),
            "peak_rss_sum_mb": round(rss_sum_kb / 1024, 1),
            "peak_rss_largest_process_mb": round(rss_kb / 1024, 1),
            "workers": "auto" if args.workers is None else args.workers,
            "cpus": os.cpu_count(), "db_mb": round(db_bytes / 2**20, 1),
            "snapshot_mb": round(snapshot.stat().st_size / 2**20, 1)}))
        sys.exit(0 if code == 0 else 1)


if __name__ == "__main__":
    main()
