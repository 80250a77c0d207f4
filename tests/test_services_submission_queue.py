"""Submitting a paper new to the catalog queues the arXiv fetch: the page answers at once and
the user's page says in plain words what happened and when the next try is."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services, open_store
from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.services.submission_queue import process_due, retry_delay
from paperwire.sources.arxiv_api import ArxivApiSource
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import post, sign_up
from tests.fake_arxiv import FakeArxiv, FakePaper, Fault

PAPER = FakePaper("2502.04321", "Queued from arXiv", datetime(2025, 2, 3, tzinfo=UTC),
                  authors=("Grace Hopper",))


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv([PAPER]) as fake:
        yield fake


@pytest.fixture
def wired(settings: Settings, arxiv: FakeArxiv) -> Settings:
    return replace(settings, arxiv_api_url=arxiv.api_url, arxiv_min_interval=0.01,
                   arxiv_max_retries=0, arxiv_timeout=20)


@pytest.fixture
def web(wired: Settings, store: SqliteStore) -> Iterator[TestClient]:
    services = build_services(wired, store=store, paper_fetcher=ArxivApiSource(wired))
    with TestClient(create_app(services), base_url="http://testserver") as client:
        yield client
    services.close()


def test_unreachable_arxiv_is_shown_in_plain_words_with_the_retry_time(
        web: TestClient, store: SqliteStore, wired: Settings, arxiv: FakeArxiv) -> None:
    arxiv.fail("/api/query", Fault(status=503))
    sign_up(web, "ada")
    answer = post(web, "/submit", {"paper": "2502.04321"})
    assert answer.status_code == 202, answer.text
    assert "Submission queued" in answer.text
    assert re.search(r"arXiv could not be reached; retrying at \d\d:\d\d UTC", answer.text)
    profile = web.get("/users/ada").text
    assert "Waiting for arXiv (1)" in profile and "arXiv could not be reached; retrying" in profile
    assert "Traceback" not in profile and "HTTP 503" not in profile and "/api/query" not in profile

    later = now_utc() + retry_delay(1) + timedelta(seconds=1)
    assert list(process_due(store, wired, ArxivApiSource(wired), later).values()) == ["done"]
    entry = store.get_daily_entry("2502.04321")
    assert entry is not None and entry.submitted_by == "ada"
    assert "Waiting for arXiv" not in web.get("/users/ada").text


def test_a_slow_arxiv_does_not_hold_the_page(web: TestClient, store: SqliteStore,
                                             arxiv: FakeArxiv) -> None:
    arxiv.fail("/api/query", Fault(delay=8))
    sign_up(web, "bob")
    answer = post(web, "/submit", {"paper": "2502.04321", "comment": "Read it"})
    assert answer.status_code == 202
    text = html.unescape(answer.text)
    assert "waiting for arXiv; the paper appears on today's list when arXiv answers" in text
    assert store.get_daily_entry("2502.04321") is None  # the fetch is still under way


def test_a_quick_arxiv_answer_goes_straight_to_the_paper(web: TestClient) -> None:
    sign_up(web, "carol")
    answer = post(web, "/submit", {"paper": "2502.04321"})
    assert answer.status_code == 303 and answer.headers["location"] == "/papers/2502.04321"


def test_waits_between_tries_grow_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 20)] == [60, 120, 240, 3600]


def test_a_submission_claimed_by_another_process_waits_for_its_claim(
        settings: Settings, store: SqliteStore) -> None:
    now = now_utc()
    user = store.create_user("claimer", "claimer@example.org", "x", now)
    assert user is not None
    store.enqueue_submission(user.id, "2401.00001", None, now)
    item = store.get_queued_submission(user.id, "2401.00001")
    assert item is not None
    other = open_store(settings)  # a second worker process's store
    try:
        taken = other.claim_due_submissions(now, 10, now + timedelta(minutes=5))
        assert [claimed.id for claimed in taken] == [item.id]
        assert store.claim_due_submissions(now, 10, now + timedelta(minutes=5)) == []
    finally:
        other.close()
    fetcher = ArxivApiSource(replace(settings, arxiv_api_url="http://127.0.0.1:1/api"))
    try:
        assert process_due(store, settings, fetcher, now + timedelta(minutes=1)) == {}
    finally:
        fetcher.close()
