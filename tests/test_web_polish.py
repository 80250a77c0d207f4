"""Small things a reader notices: plurals, doubled names, run-together links, dates, errors."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.models import IncomingPaper, Organization, Paper
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import add_paper


def test_counts_names_feeds_and_dates_read_well(client: TestClient, store: SqliteStore,
                                                settings: Settings) -> None:
    org = Organization(name="ByteDance", fullname="ByteDance")
    paper = Paper(id="2510.00003", title="One paper", published_at=datetime(2025, 8, 3, tzinfo=UTC))
    store.upsert_papers([IncomingPaper(paper, organization=org)])
    assert "1 paper, newest first" in client.get("/papers").text
    org_page = client.get("/organizations/ByteDance").text
    assert "<p class=\"period\">ByteDance" not in org_page and "1 paper · Feeds:" in org_page
    assert "</a> · <a" in org_page
    orgs = client.get("/organizations").text
    assert "ByteDance</a> <small>ByteDance</small>" not in orgs
    assert '<span class="count-note">· 1 paper</span>' in orgs
    page = client.get("/papers/2510.00003").text
    assert "Aug 3, 2025" in page and "Aug 03" not in page
    assert "<dt>Upvotes</dt>" not in page
    trending = client.get("/trending").text
    assert 'Atom</a> · <a href="/trending.rss"' in trending


def test_not_found_says_what_was_not_found(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "There is no page at /no-such-page." in page.text and "Not Found" not in page.text


def test_subscribe_confirmation_has_a_way_back(client: TestClient, store: SqliteStore,
                                               settings: Settings) -> None:
    add_paper(store, settings, "2510.00004")
    answer = client.post("/subscribe", data={"email": "reader@example.org"})
    assert 'href="/">Back to the daily papers</a>' in answer.text


def test_comment_dates_have_no_leading_zero(client: TestClient, store: SqliteStore,
                                            settings: Settings) -> None:
    from tests.community_helpers import sign_up

    add_paper(store, settings, "2510.00005")
    sign_up(client, "ada")
    user = store.get_user_by_name("ada")
    assert user is not None
    store.add_comment("2510.00005", user.id, None, "First", datetime(2025, 8, 3, 9, 5, tzinfo=UTC))
    page = client.get("/papers/2510.00005").text
    assert "Aug 3, 2025 09:05" in page and "Aug 03" not in page


def test_profile_names_the_paper_commented_on(client: TestClient, store: SqliteStore,
                                              settings: Settings) -> None:
    from tests.community_helpers import sign_up

    add_paper(store, settings, "2404.04487", "Binary embeddings for retrieval")
    sign_up(client, "bea")
    user = store.get_user_by_name("bea")
    assert user is not None
    store.add_comment("2404.04487", user.id, None, "Neat", datetime.now(UTC))
    page = client.get("/users/bea").text
    assert 'On <a href="/papers/2404.04487#c' in page
    assert ">Binary embeddings for retrieval</a>" in page and ">2404.04487</a>" not in page
