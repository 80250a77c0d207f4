"""Feeds parse as valid RSS 2.0 / Atom 1.0; 100 concurrent upvotes against a real server."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import feedparser
import httpx
import uvicorn
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services
from paperwire.config import Settings
from paperwire.models import Author, Organization
from paperwire.ranking import rank_trending, trending_score
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import PASSWORD, TOKEN, add_paper
from tests.helpers import free_port


def as_text(detail: dict[str, str]) -> str:
    """What a reader shows: RSS text is HTML (escaped by us), Atom text is plain."""
    value = detail["value"]
    return html.unescape(value) if detail["type"] == "text/html" else value


def test_feeds_are_valid_rss_and_atom(cc: TestClient, store: SqliteStore,
                                      settings: Settings) -> None:
    add_paper(store, settings, "2507.00001", "Feeds & <things> $x<y$",
              summary="Abstract with <tags> & \x0bcontrol chars.",
              authors=(Author("Ada"), Author("Bob")), upvotes=3)
    store.upsert_organization(Organization("lab", "The Lab"))
    store.attach_paper_organization("2507.00001", "lab")
    cc.app.state.services.search.refresh()  # as the background refresher does: feeds read
    for path in ("/daily", "/trending", "/organizations/lab", "/search"):
        for ext, version in (("rss", "rss20"), ("atom", "atom10")):
            url = f"{path}.{ext}" + ("?q=feeds" if path == "/search" else "")
            response = cc.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-type"].startswith(f"application/{ext}+xml")
            feed = feedparser.parse(response.content)
            assert not feed.bozo, (url, feed.get("bozo_exception"))
            assert feed.version == version
            assert len(feed.entries) == 1, url
            entry = feed.entries[0]
            assert as_text(entry.title_detail) == "Feeds & <things> $x<y$"
            assert entry.link == "http://testserver/papers/2507.00001"
            assert as_text(entry.summary_detail) == "Abstract with <tags> & control chars."
    assert cc.get("/daily.json").status_code == 404
    assert cc.get("/organizations/nope.atom").status_code == 404
    assert feedparser.parse(cc.get("/search.atom?q=").content).entries == []


def test_trending_formula_is_the_documented_one(store: SqliteStore, settings: Settings) -> None:
    now = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert trending_score(9, now - timedelta(hours=8), now, 1.8) == 10 / 10 ** 1.8
    assert trending_score(0, None, now) == 1 / 2 ** 1.8
    assert trending_score(5, now + timedelta(hours=1), now) == 6 / 2 ** 1.8  # no negative age
    add_paper(store, settings, "2508.00001", upvotes=5, when=now - timedelta(hours=1))
    add_paper(store, settings, "2508.00002", upvotes=5, when=now - timedelta(hours=1))
    entries = store.list_daily(datetime(2000, 1, 1).date(), datetime(2100, 1, 1).date(),
                               sort="upvotes", offset=0, limit=10)
    ranked = [e.paper.id for e in rank_trending(entries, now)]
    assert ranked == ["2508.00001", "2508.00002"] == [
        e.paper.id for e in rank_trending(list(reversed(entries)), now)]


@contextmanager
def serving(settings: Settings, store: SqliteStore) -> Iterator[str]:
    port = free_port()
    app = create_app(build_services(settings, store=store))
    config = uvicorn.Config(app, host="127.0.0.1", port=port,
                            log_level="warning", limit_concurrency=1000, backlog=512)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = datetime.now() + timedelta(seconds=20)
        while not server.started and datetime.now() < deadline:
            threading.Event().wait(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_one_hundred_concurrent_identical_upvotes_make_one_row(
        settings: Settings, store: SqliteStore) -> None:
    add_paper(store, settings, "2510.00001", upvotes=41)
    with serving(settings, store) as base, httpx.Client(base_url=base) as browser:
        token = TOKEN.search(browser.get("/signup").text).group(1)  # type: ignore[union-attr]
        response = browser.post("/signup", data={"username": "racer", "password": PASSWORD,
                                                 "email": "r@example.org", "csrf_token": token})
        assert response.status_code == 303
        token = TOKEN.search(browser.get("/").text).group(1)  # type: ignore[union-attr]
        cookies = dict(browser.cookies)
        barrier = threading.Barrier(100)

        def upvote(_: int) -> int:
            with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
                barrier.wait()
                return client.post("/papers/2510.00001/upvote", headers={
                    "Accept": "application/json"}, data={"on": "1", "csrf_token": token}
                    ).status_code

        with ThreadPoolExecutor(max_workers=100) as pool:
            statuses = list(pool.map(upvote, range(100)))
    assert statuses == [200] * 100
    assert store.scalar("SELECT COUNT(*) FROM votes WHERE paper_id = '2510.00001'") == 1
    paper = store.get_paper("2510.00001")
    assert paper is not None and paper.upvotes == 42

