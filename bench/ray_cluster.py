"""Ray backfill through a two-node cluster: ``ray start --head`` and ``ray start --address``.

Starts two Ray nodes on this machine (two raylets, one CPU each, every port chosen free so
that nothing clashes with another cluster), checks that both joined, then backfills a SQLite
store of recombined real-text papers with the static embedder through that cluster
(``backfill_ray`` with the head's address, as ``paperwire index --backfill --ray ADDRESS``
does) with 1 and then 2 workers (each node has one CPU and each actor takes one, so the two
workers run on different raylets), the store emptied of vectors between the runs. Each run
reports papers/s end to end and steady (after the first chunk is written), and the run checks
that every paper got exactly one vector. The nodes run in their own process session
(``ray start --block``) and are ended at the end, also on error. Prints one JSON line.

    PYTHONPATH=src python bench/ray_cluster.py --papers 5000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embed import FULL, build_papers

from paperwire.bootstrap import open_store
from paperwire.config import load_settings
from paperwire.models import IncomingPaper
from paperwire.search.static import load_static
from paperwire.services.backfill import backfill_ray, build_missing_chunks
from paperwire.services.search_indexing import model_key

PORT_OPTIONS = ("--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
                "--dashboard-agent-grpc-port", "--runtime-env-agent-port",
                "--metrics-export-port")
START_WAIT = 120.0


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_node(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """One ``ray start --block`` node with its own ports, in a process session of its own."""
    ports = free_ports(len(PORT_OPTIONS))
    command = [shutil.which("ray") or "ray", "start", "--block", "--num-cpus=1",
               "--disable-usage-stats", *args,
               *(f"{option}={port}" for option, port in zip(PORT_OPTIONS, ports, strict=True))]
    return subprocess.Popen(command, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_node(node: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the node (``ray start --block`` then ends its raylet and workers), then
    SIGKILL to every process still in its session."""
    node.terminate()
    try:
        node.wait(timeout=20)
    except subprocess.TimeoutExpired:
        node.kill()
        node.wait()
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getsid(proc.pid) == node.pid:
                proc.kill()
        except (ProcessLookupError, PermissionError, psutil.NoSuchProcess):
            continue


def wait_for_nodes(address: str, count: int, node: subprocess.Popen[bytes]) -> int:
    """The nodes alive once ``count`` joined; RuntimeError with its output when ``node``
    (the one just started) exits or the nodes do not join in time."""
    import ray

    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        if node.poll() is not None:
            raise RuntimeError(f"ray start exited: {node.communicate()[1].decode()[-2000:]}")
        alive = 0
        with socket.socket() as probe:  # ray.init waits for ever on a head not yet listening
            probe.settimeout(1)
            listening = probe.connect_ex((host, int(port))) == 0
        if listening:
            try:  # the GCS may listen a moment before it answers
                ray.init(address=address, log_to_driver=False)
                nodes: list[dict[str, object]] = ray.nodes()  # type: ignore[no-untyped-call]
                alive = len([n for n in nodes if n["Alive"]])
            except (ConnectionError, RuntimeError) as exc:
                print(f"waiting for the Ray head: {exc}"[:200], file=sys.stderr)
            finally:
                ray.shutdown()
        if alive >= count:
            return alive
        time.sleep(2)
    raise RuntimeError(f"fewer than {count} Ray nodes joined {address} in {START_WAIT} s")


@contextmanager
def two_node_cluster(tmp: Path) -> Iterator[tuple[str, int]]:
    """The head's address and the number of nodes alive; both nodes ended on exit."""
    # Ray turns token authentication on for a new head when ~/.ray/auth_token exists and
    # RAY_AUTH_MODE is unset, but not for a driver: name the mode for both (the bench's
    # cluster listens on loopback only)
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    port = free_ports(1)[0]
    address = f"127.0.0.1:{port}"
    with ExitStack() as nodes:
        head = start_node(["--head", f"--port={port}", "--include-dashboard=false",
                           "--node-ip-address=127.0.0.1", f"--temp-dir={tmp}"], env)
        nodes.callback(stop_node, head)
        wait_for_nodes(address, 1, head)
        second = start_node([f"--address={address}", "--node-ip-address=127.0.0.1"], env)
        nodes.callback(stop_node, second)
        yield address, wait_for_nodes(address, 2, second)


def run_backfill(address: str, workers: int, data_dir: Path, n: int) -> dict[str, float]:
    settings = load_settings({"PAPERWIRE_DATA_DIR": str(data_dir), "PAPERWIRE_EMBEDDER": "static"})
    store = open_store(settings)
    try:
        embedder = load_static()
        report = backfill_ray(settings, store, open_store, embedder, address, workers,
                              chunk=256, progress=False)
        left = len(build_missing_chunks(store, model_key(embedder)))
        vectors = store.stats_search()["embeddings"]
    finally:
        store.close()
    if report.embedded != n or left or vectors != n:
        raise RuntimeError(f"{workers} workers: {report.embedded} embedded, {vectors} stored, "
                           f"{left} chunks left, of {n} papers")
    steady = report.embedded / max(report.seconds - report.warmup, 1e-9)
    return {"papers_per_s": round(report.embedded / report.seconds, 1),
            "papers_per_s_steady": round(steady, 1), "seconds": round(report.seconds, 1),
            "warmup_s": round(report.warmup, 1),
            "hours_2_7M_steady": round(FULL / steady / 3600, 2)}


def build_store(data_dir: Path, n: int) -> None:
    settings = load_settings({"PAPERWIRE_DATA_DIR": str(data_dir)})
    store = open_store(settings)
    store.upsert_papers([IncomingPaper(p) for p in build_papers(n)])
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=5000)
    args = parser.parse_args()
    result: dict[str, object] = {"bench": "ray_cluster", "papers": args.papers,
                                 "embedder": "static", "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="rc", dir="/tmp") as tmp:
        base = Path(tmp) / "base"
        build_store(base, args.papers)
        with two_node_cluster(Path(tmp) / "ray") as (address, nodes):
            result["nodes"] = nodes
            for workers in (1, 2):
                data_dir = Path(tmp) / f"w{workers}"
                shutil.copytree(base, data_dir)
                result[f"workers_{workers}"] = run_backfill(address, workers, data_dir,
                                                            args.papers)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
