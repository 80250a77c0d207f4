"""The PostgreSQL store under real concurrency (threads on separate pools, separate processes),
and its errors. Runs with ``--engine postgresql`` (see conftest_engine.py)."""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from paperwire.bootstrap import open_store
from paperwire.config import Settings, load_settings
from paperwire.errors import ConfigError, Conflict, StorageError
from paperwire.mail import SmtpMailer
from paperwire.models import IncomingPaper, Paper
from paperwire.services.digest_send import send_digests
from paperwire.storage.postgres import PostgresStore
from paperwire.storage.postgres_base import adapt_ddl_text, translate
from tests.digest_helpers import MONDAY, add_confirmed, add_daily, make_paper
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.postgresql_only("concurrency of the PostgreSQL store")
NOW = datetime(2025, 10, 13, 9, 0, tzinfo=UTC)
CALLS = 100
GATE_HOLD_S = 0.03
GATE_ROUNDS = 4


def all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` for every i on its own thread, all released together."""
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        start.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def stores(settings: Settings) -> Any:
    """Four stores on the test's database: four pools, as four worker processes have."""
    opened = [PostgresStore(settings.database_url, pool_size=10) for _ in range(4)]
    yield opened
    for store in opened:
        store.close()


def paper_and_user(store: Any) -> int:
    store.upsert_papers([IncomingPaper(Paper(id="2510.00001", title="Contended"))])
    user = store.create_user("ada", "ada@example.org", "hash", NOW)
    assert user is not None
    return int(user.id)


def test_identical_upvotes_at_once_count_once(stores: list[Any]) -> None:
    user_id = paper_and_user(stores[0])
    results = all_at_once(CALLS, lambda i: stores[i % 4].set_vote(user_id, "2510.00001", True,
                                                                  NOW))
    assert {r.upvotes for r in results} == {1}
    assert stores[0].scalar("SELECT COUNT(*) FROM votes") == 1
    paper = stores[1].get_paper("2510.00001")
    assert paper is not None and paper.upvotes == 1


def test_upvotes_of_many_accounts_at_once_are_all_counted(stores: list[Any]) -> None:
    paper_and_user(stores[0])
    users = [stores[0].create_user(f"u{n}", f"u{n}@example.org", "hash", NOW) for n in range(40)]
    all_at_once(40, lambda i: stores[i % 4].set_vote(users[i].id, "2510.00001", True, NOW))
    paper = stores[2].get_paper("2510.00001")
    assert paper is not None and paper.upvotes == 40


def test_comments_at_once_are_all_kept_and_counted(stores: list[Any]) -> None:
    user_id = paper_and_user(stores[0])
    ids = all_at_once(CALLS, lambda i: stores[i % 4].add_comment("2510.00001", user_id, None,
                                                                 f"comment {i}", NOW))
    assert len(set(ids)) == CALLS
    assert stores[0].scalar("SELECT COUNT(*) FROM comments") == CALLS
    paper = stores[3].get_paper("2510.00001")
    assert paper is not None and paper.num_comments == CALLS


def test_two_digest_senders_at_once_send_each_digest_once(
        settings: Settings, stores: list[Any], smtp_server: SmtpSink) -> None:
    mail = load_settings({"PAPERWIRE_DATABASE_URL": settings.database_url,
                          "PAPERWIRE_DATA_DIR": str(settings.data_dir),
                          "PAPERWIRE_SMTP_PORT": str(smtp_server.port),
                          "PAPERWIRE_MAIL_RATE": "100000"})
    add_daily(stores[0], MONDAY, [make_paper(f"2510.0000{n}", f"Paper {n}", 10 - n)
                                  for n in range(1, 5)])
    emails = add_confirmed(stores[0], 30)

    def sender(index: int) -> str:
        mailer = SmtpMailer(mail)
        try:
            run = send_digests(stores[index], mailer, mail, "daily", MONDAY.isoformat())
            return f"sent {run.sending.sent}"
        except Conflict:
            return "refused"
        finally:
            mailer.close()

    outcomes = all_at_once(2, sender)
    outcomes += [sender(1)]  # a sender after both finds nothing left to send
    assert Counter(r.rcpt[0] for r in smtp_server.received) == Counter(emails)
    assert sum(int(o.split()[1]) for o in outcomes if o.startswith("sent")) == 30
    assert stores[0].outbox_counts() == {"sent": 30}


def hold_gate(url: str, rounds: int, found: Any) -> None:
    """In a process of its own: take the gate ``rounds`` times, holding it a moment each."""
    from paperwire.services.ingest_gate import StoreGate

    store = PostgresStore(url, pool_size=2)
    gate = StoreGate(store, "arxiv", lease_s=30)
    try:
        for _ in range(rounds):
            gate.acquire()
            began = time.time()
            time.sleep(GATE_HOLD_S)
            found.put((began, time.time()))
            gate.release(time.time())
    finally:
        store.close()


def test_the_arxiv_gate_is_held_by_one_process_at_a_time(settings: Settings,
                                                          store: Any) -> None:
    spawn = multiprocessing.get_context("spawn")
    found = spawn.Queue()
    workers = [spawn.Process(target=hold_gate, args=(settings.database_url, GATE_ROUNDS, found))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    spans = sorted(found.get(timeout=60) for _ in range(3 * GATE_ROUNDS))
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        assert second_start >= first_end, "two processes held the gate at once"


def test_bad_url_unreachable_server_and_unknown_scheme_are_one_line(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="not a valid PostgreSQL URL") as bad:
        open_store(replace(settings, database_url="postgresql://u@h:notaport/db?x=y z"))
    assert "\n" not in str(bad.value)
    with pytest.raises(StorageError, match="cannot be reached") as down:
        open_store(replace(settings, database_url="postgresql://u:secret@127.0.0.1:1/db"))
    assert "\n" not in str(down.value) and "secret" not in str(down.value)
    with pytest.raises(ConfigError, match="PAPERWIRE_DATABASE_URL"):
        load_settings({"PAPERWIRE_DATABASE_URL": "mysql://db/papers"})


def test_statements_are_translated_once_and_literals_kept() -> None:
    assert translate("SELECT '?%' || ? WHERE a LIKE '% x' AND b = ?") == \
        "SELECT '?%%' || %s WHERE a LIKE '%% x' AND b = %s"
    assert adapt_ddl_text("id INTEGER PRIMARY KEY, v BLOB, t TEXT, n INTEGER") == (
        'id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v BYTEA, t TEXT COLLATE "C",'
        " n BIGINT")


def test_rows_read_by_name_and_position_and_text_sorts_by_bytes(store: Any) -> None:
    store.upsert_papers([IncomingPaper(Paper(id=pid, title=pid)) for pid in ("b", "B", "a", "_")])
    rows = store.query("SELECT id, title FROM papers ORDER BY id")
    assert [r["id"] for r in rows] == [r[0] for r in rows] == ["B", "_", "a", "b"]


def test_workers_claiming_the_mail_queue_at_once_never_take_the_same_message(
        stores: list[Any]) -> None:
    for n in range(60):
        stores[0].enqueue_mail(f"r{n}@example.org", "Hello", "message", "queued", NOW)
    later = NOW + timedelta(minutes=10)
    claims = all_at_once(8, lambda i: stores[i % 4].claim_due_mail(NOW, 10, later))
    taken = [mail.id for claim in claims for mail in claim]
    assert len(taken) == len(set(taken)) > 10  # disjoint, and side by side (rows skipped)
    while claim := stores[1].claim_due_mail(NOW, 10, later):
        taken += [mail.id for mail in claim]
    assert sorted(taken) == sorted(set(taken)) and len(taken) == 60
