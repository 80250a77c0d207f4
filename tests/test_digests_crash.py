"""Kill -9 the digest sender at random points and resume: nothing lost, few duplicates.

A real ``python -m paperwire digest send`` subprocess sends to 1,000 subscribers through a
loopback SMTP server and is killed with SIGKILL at random points (during start-up and outbox
creation, and right after random numbers of accepted messages) at least 20 times.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from paperwire.storage.sqlite import SqliteStore
from tests.digest_helpers import MONDAY, add_confirmed, add_daily, make_paper
from tests.smtp_sink import SmtpSink

REPO = Path(__file__).resolve().parent.parent
KILLS = 20
SUBSCRIBERS = 1000


def start_sender(env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {**os.environ, **env, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "paperwire", "digest", "send", "--date", MONDAY.isoformat()],
        env=full, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_at_random_point(proc: subprocess.Popen[bytes], sink: SmtpSink,
                         rng: random.Random) -> bool:
    """SIGKILL the sender at a random point; True if it was still running."""
    if rng.random() < 0.25:
        time.sleep(rng.uniform(0.0, 0.4))
    else:
        target = len(sink.received) + rng.randint(1, 45)
        while len(sink.received) < target and proc.poll() is None:
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.003))
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


def duplicates(sink: SmtpSink) -> int:
    return sum(n - 1 for n in Counter(r.message_id for r in sink.received).values())


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing(store: SqliteStore, mail_env: dict[str, str],
                                                 smtp_server: SmtpSink) -> None:
    add_daily(store, MONDAY, [make_paper(f"2510.{n:05d}", f"Paper {n}", n) for n in range(5)])
    emails = add_confirmed(store, SUBSCRIBERS)
    seed = int(os.environ.get("PAPERWIRE_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    kills = 0
    while kills < KILLS:
        proc = start_sender(mail_env)
        kills += kill_at_random_point(proc, smtp_server, rng)
        assert duplicates(smtp_server) <= kills, f"seed {seed}"
    assert len(smtp_server.received) < SUBSCRIBERS, "every kill came after the last message"
    final = start_sender(mail_env)
    assert final.wait(timeout=120) == 0, final.stderr.read() if final.stderr else ""
    received = len(smtp_server.received)
    rerun = start_sender(mail_env)
    assert rerun.wait(timeout=60) == 0
    assert len(smtp_server.received) == received, "a re-run sent something again"
    per_address = Counter(r.rcpt[0] for r in smtp_server.received)
    assert set(per_address) == set(emails), f"missing digests (seed {seed})"
    assert duplicates(smtp_server) <= kills, f"seed {seed}"
    assert len({r.message_id for r in smtp_server.received}) == SUBSCRIBERS
    assert store.stats()["digests_sent"] == SUBSCRIBERS
