"""Politeness against the loopback fake: spacing, one request in flight, Retry-After, backoff,
403 and exhausted retries stop with an error; a dead holder does not block the gate."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from paperwire.bootstrap import open_store
from paperwire.config import Settings
from paperwire.errors import SourceError
from paperwire.services import ingest
from paperwire.sources.arxiv_api import ArxivApiSource
from paperwire.sources.arxiv_http import PoliteClient, parse_retry_after
from paperwire.storage.sqlite import SqliteStore
from tests.fake_arxiv import FakeArxiv, Fault

INTERVAL = 0.2  # PAPERWIRE_ARXIV_MIN_INTERVAL in conftest_ingest
SLACK = 0.01  # clocks of client and server are the same; allow rounding only


def fetch_ids(source: ArxivApiSource, ids: list[str]) -> None:
    for arxiv_id in ids:
        source.fetch_paper(arxiv_id)


def test_requests_are_spaced_and_one_at_a_time(isettings: Settings, istore: SqliteStore,
                                               fake: FakeArxiv) -> None:
    assert isettings.arxiv_min_interval == INTERVAL
    fetch_ids(ingest.arxiv_api_source(isettings, istore), ["2401.00001"] * 4)
    assert len(fake.requests) == 4
    assert min(fake.gaps()) >= INTERVAL - SLACK
    assert fake.max_in_flight == 1
    agent = fake.requests[0].user_agent
    assert agent.startswith("paperwire/") and "mailto:ops@paperwire.test" in agent


def test_two_clients_with_their_own_connections_take_turns(isettings: Settings,
                                                           fake: FakeArxiv) -> None:
    stores = [open_store(isettings) for _ in range(3)]
    threads = [threading.Thread(target=fetch_ids,
                                args=(ingest.arxiv_api_source(isettings, s), ["2401.00002"] * 3))
               for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.requests) == 9
    assert fake.max_in_flight == 1
    assert min(fake.gaps()) >= INTERVAL - SLACK
    for s in stores:
        s.close()


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_obeyed(isettings: Settings, istore: SqliteStore, fake: FakeArxiv,
                               status: int) -> None:
    fake.fail("/api/query", Fault(status=status, retry_after="1"))
    paper = ingest.arxiv_api_source(isettings, istore).fetch_paper("2401.00001")
    assert paper is not None
    assert [r.status for r in fake.requests] == [status, 200]
    assert fake.gaps()[0] >= 1.0 - SLACK


@pytest.mark.parametrize("fault", [
    Fault(status=500), Fault(status=502), Fault(delay=2.5), Fault(drop_after=120),
], ids=["500", "502", "slow", "dropped"])
def test_transient_failures_are_retried(isettings: Settings, istore: SqliteStore,
                                        fake: FakeArxiv, fault: Fault) -> None:
    fake.fail("/api/query", fault)
    paper = ingest.arxiv_api_source(isettings, istore).fetch_paper("2401.00001")
    assert paper is not None and paper.paper.version == 2
    assert len(fake.requests) == 2
    assert min(fake.gaps()) >= INTERVAL - SLACK


def test_403_stops_at_once(isettings: Settings, istore: SqliteStore, fake: FakeArxiv) -> None:
    fake.fail("/api/query", Fault(status=403))
    with pytest.raises(SourceError, match="403"):
        ingest.arxiv_api_source(isettings, istore).fetch_paper("2401.00001")
    assert len(fake.requests) == 1


def test_exhausted_retries_raise_never_silent(isettings: Settings, istore: SqliteStore,
                                              fake: FakeArxiv) -> None:
    fake.fail("/api/query", *[Fault(status=500)] * 4)
    with pytest.raises(SourceError, match="giving up after 4 attempts"):
        ingest.arxiv_api_source(isettings, istore).fetch_paper("2401.00001")
    assert len(fake.requests) == 4
    waits = fake.gaps()
    assert all(w >= INTERVAL - SLACK for w in waits)


def test_a_huge_retry_after_stops_with_an_error(isettings: Settings, fake: FakeArxiv) -> None:
    fake.fail("/api/query", Fault(status=503, retry_after="86400"))
    with pytest.raises(SourceError, match="retry after 86400 s"):
        PoliteClient(isettings).fetch(fake.api_url, {"id_list": "2401.00001"})


def test_retry_after_forms() -> None:
    assert parse_retry_after("7", 0.0) == 7.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 0.0) == 10.0
    assert parse_retry_after("soon", 0.0) is None
    assert parse_retry_after(None, 0.0) is None


def test_a_dead_holder_does_not_block_the_gate(isettings: Settings, istore: SqliteStore,
                                               fake: FakeArxiv) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = f"{socket.gethostname()}:{child.pid}:deadbeef"
    assert istore.try_gate(ingest.API_GATE, dead, time.time(), 3600).acquired
    started = time.monotonic()
    assert ingest.arxiv_api_source(isettings, istore).fetch_paper("2401.00001") is not None
    assert time.monotonic() - started < 60  # not the 3600 s lease
