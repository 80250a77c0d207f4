"""Kill -9 the digest sender at random points, resume, and count what the server got.

Run from the repository root: ``PYTHONPATH=src python -m bench.digest_crash --kills 100``.
A real ``python -m paperwire digest send`` subprocess sends to ``--subscribers`` addresses and
is killed with SIGKILL (during start-up and outbox creation, or right after a random number of
accepted messages) ``--kills`` times, restarted each time; then it runs to the end and once
more. Prints one JSON line: missing, duplicates (at most one per kill allowed) and messages
sent again by the final re-run (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from bench.loopback_smtp import CountingServer
from paperwire.config import load_settings
from paperwire.models import DailySubmission, IncomingPaper, Paper
from paperwire.models_digests import Preferences
from paperwire.storage.sqlite import SqliteStore

REPO = Path(__file__).resolve().parent.parent
DAY = date(2025, 10, 13)


def prepare(store: SqliteStore, subscribers: int) -> set[str]:
    at = datetime(DAY.year, DAY.month, DAY.day, 12, tzinfo=UTC)
    store.upsert_papers([IncomingPaper(Paper(id=f"2510.{n:05d}", title=f"Paper {n}"),
                                       daily=DailySubmission(f"2510.{n:05d}", DAY, at))
                         for n in range(5)])
    emails = [f"reader{n}@example.org" for n in range(subscribers)]
    store.import_subscribers([(e, secrets.token_urlsafe(24)) for e in emails], Preferences(),
                             datetime.now(UTC))
    return set(emails)


def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperwire", "digest", "send", "--date", DAY.isoformat()],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_at_random_point(proc: subprocess.Popen[bytes], received: list[str],
                         rng: random.Random, per_kill: int) -> bool:
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.4))
    else:
        target = len(received) + rng.randint(1, per_kill)
        while len(received) < target and proc.poll() is None:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0.0, 0.002))
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


def duplicates(message_ids: list[str]) -> int:
    return sum(n - 1 for n in Counter(message_ids).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    per_kill = max(1, int(args.subscribers * 0.8 / args.kills * 2))
    with tempfile.TemporaryDirectory() as tmp, CountingServer() as server:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERWIRE_DATA_DIR": tmp,
               "PAPERWIRE_SMTP_PORT": str(server.port), "PAPERWIRE_MAIL_RATE": "1000000"}
        store = SqliteStore(load_settings(env).database_path)
        emails = prepare(store, args.subscribers)
        ids, kills, worst = server.handler.message_ids, 0, 0
        while kills < args.kills:
            before = duplicates(ids)
            kills += kill_at_random_point(start(env), ids, rng, per_kill)
            worst = max(worst, duplicates(ids) - before)
        finished_early = len(ids) >= args.subscribers
        final = start(env)
        final_rc = final.wait()
        count = len(ids)
        rerun_rc = start(env).wait()
        got = set(server.handler.recipients)
        print(json.dumps({
            "bench": "digest_crash", "subscribers": args.subscribers, "kills": kills,
            "seed": seed, "received": len(ids), "missing": len(emails - got),
            "duplicates": duplicates(ids), "most_duplicates_in_one_round": worst,
            "resent_on_rerun": len(ids) - count, "final_rc": final_rc, "rerun_rc": rerun_rc,
            "all_sent_before_last_kill": finished_early,
            "digests_sent": store.stats()["digests_sent"],
        }))
        store.close()


if __name__ == "__main__":
    main()
