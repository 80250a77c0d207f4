"""Digest throughput: compose every digest for N subscribers, then send to a loopback server.

Run from the repository root: ``PYTHONPATH=src python -m bench.digest --subscribers 100000``.
Prints one JSON line: compose time for all digests (selection + queueing in the outbox) and
messages per second accepted by a loopback aiosmtpd server (its own process) over
``--send`` messages.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.loopback_smtp import CountingServerProcess
from paperwire.config import load_settings
from paperwire.mail import SmtpMailer
from paperwire.models import Author, DailySubmission, IncomingPaper, Organization, Paper
from paperwire.models_digests import Preferences, build_period
from paperwire.services.digest_outbox import OutboxSender, SendPolicy
from paperwire.services.digest_send import build_composer, compose_drafts
from paperwire.storage.sqlite import SqliteStore

DAY = date(2025, 10, 13)
WORDS = ["diffusion", "transformer", "agents", "reasoning", "vision", "speech", "protein",
         "graph", "retrieval", "robotics", "alignment", "sparse", "video", "code", "math"]
CATEGORIES = ["cs.CL", "cs.LG", "cs.CV", "cs.AI", "stat.ML", "q-bio.BM", "cs.RO"]
ORGS = [Organization(f"org{n}", f"Organization {n}") for n in range(10)]


def make_papers(count: int, rng: random.Random) -> list[IncomingPaper]:
    at = datetime(DAY.year, DAY.month, DAY.day, 12, tzinfo=UTC)
    papers = []
    for n in range(count):
        title = " ".join(rng.sample(WORDS, 4))
        paper = Paper(id=f"2510.{n:05d}", title=f"{title} {n}", summary=f"We study {title}.",
                      authors=(Author(f"Author {rng.randrange(50)}"),),
                      categories=(rng.choice(CATEGORIES),), imported_upvotes=rng.randrange(200))
        papers.append(IncomingPaper(paper, daily=DailySubmission(paper.id, DAY, at),
                                    organization=rng.choice(ORGS)))
    return papers


def preference_variants(rng: random.Random) -> list[Preferences]:
    variants = [Preferences()]
    for _ in range(9):
        variants.append(Preferences(
            size=rng.choice([5, 10]), keywords=tuple(rng.sample(WORDS, 2)),
            categories=(rng.choice(CATEGORIES),), organizations=(rng.choice(ORGS).fullname,),
            authors=(f"Author {rng.randrange(50)}",), mute_terms=(rng.choice(WORDS),)))
    return variants


def add_subscribers(store: SqliteStore, count: int, rng: random.Random) -> None:
    variants = preference_variants(rng)
    share = -(-count // len(variants))
    for index, prefs in enumerate(variants):
        emails = [(f"reader{n}@example.org", secrets.token_urlsafe(24))
                  for n in range(index * share, min(count, (index + 1) * share))]
        store.import_subscribers(emails, prefs, datetime.now(UTC))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--papers", type=int, default=300)
    parser.add_argument("--send", type=int, default=3000, help="messages sent for messages/s")
    parser.add_argument("--rate", type=float, default=1_000_000.0, help="PAPERWIRE_MAIL_RATE")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, CountingServerProcess() as server:
        settings = load_settings({"PAPERWIRE_DATA_DIR": str(Path(tmp)),
                                  "PAPERWIRE_SMTP_PORT": str(server.port),
                                  "PAPERWIRE_MAIL_RATE": str(args.rate)})
        store = SqliteStore(settings.database_path)
        store.upsert_papers(make_papers(args.papers, rng))
        add_subscribers(store, args.subscribers, rng)
        period = build_period("daily", DAY)
        start = time.perf_counter()
        _, drafts = compose_drafts(store, settings, period)
        composed = time.perf_counter()
        queued = store.create_outbox(period.key, drafts, datetime.now(UTC))
        done = time.perf_counter()
        mailer = SmtpMailer(settings)
        sender = OutboxSender(store, mailer, build_composer(store, settings),
                              SendPolicy(settings.mail_rate, 1.0, 3))
        send_start = time.perf_counter()
        report = sender.run(max_messages=args.send)
        send_s = time.perf_counter() - send_start
        mailer.close()
        store.close()
        print(json.dumps({
            "bench": "digest", "subscribers": args.subscribers, "papers": args.papers,
            "digests": queued, "papers_in_digests": sum(len(d.items) for d in drafts),
            "select_s": round(composed - start, 2), "queue_s": round(done - composed, 2),
            "compose_s": round(done - start, 2),
            "compose_per_s": round(queued / max(done - start, 1e-9)),
            "sent": report.sent, "accepted_by_server": server.count.value,
            "send_s": round(send_s, 2), "messages_per_s": round(report.sent / send_s, 1),
        }))


if __name__ == "__main__":
    main()
