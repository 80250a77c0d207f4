"""``services.db_copy``: a whole instance copied table by table gives the same site, and the
copy refuses a destination that is not empty or not a copy of the same source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services, open_store
from paperwire.clock import now_utc
from paperwire.config import Settings, load_settings
from paperwire.errors import InvalidInput
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.db_copy import copy_database
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import post, sign_up
from tests.search_helpers import search_env

pytestmark = pytest.mark.slow


def site_settings(folder: Path) -> Settings:
    return load_settings({**search_env(folder), "PAPERWIRE_MAILER": "outbox"})


def journey(settings: Settings, embedder: OnnxEmbedder, username: str) -> dict[str, Any]:
    """Sign up, upvote, comment, subscribe and search on the site over ``settings``'s database;
    what the site answered."""
    services = build_services(settings, embedder=embedder)
    try:
        indexed = services.search.index()
        paper = services.store.list_papers(offset=0, limit=1)[0]
        with TestClient(create_app(services), base_url="http://testserver") as client:
            sign_up(client, username)
            vote = post(client, f"/papers/{paper.id}/upvote", {"on": "1"},
                        headers={"Accept": "application/json"}).json()
            post(client, f"/papers/{paper.id}/comments", {"body": f"Read by {username}."})
            subscribed = post(client, "/subscribe", {"email": f"{username}@example.org"})
            found = client.get("/api/papers/search", params={"q": paper.title}).json()
            page = client.get(f"/papers/{paper.id}").text
        return {"embedded": indexed.embedded, "upvotes": vote["upvotes"],
                "subscribed": subscribed.status_code, "found": [i["paper"]["id"] for i in found],
                "comments": [c.body for c in services.store.list_comments(paper.id)],
                "on_page": [f"Read by {name}." in page for name in ("alice", username)],
                "stats": services.store.stats()}
    finally:
        services.close()


@pytest.fixture
def source(tmp_path: Path, demo_store: SqliteStore, embedder: OnnxEmbedder) -> Settings:
    """A site with the demo catalog, its stored vectors and alice's votes, comment and mail."""
    settings = site_settings(tmp_path / "source")
    copy = SqliteStore(settings.database_path)
    try:
        assert copy_database(demo_store, copy, "demo").same
    finally:
        copy.close()
    journey(settings, embedder, "alice")
    return settings


def test_a_copy_serves_the_same_site(source: Settings, tmp_path: Path,
                                     embedder: OnnxEmbedder) -> None:
    target = site_settings(tmp_path / "target")
    src, dst = SqliteStore(source.database_path), SqliteStore(target.database_path)
    try:
        report = copy_database(src, dst, "source")
        assert report.same and not report.resumed and report.rows > 0
        checked = {check.table: check.source_rows for check in report.tables}
        for table in ("papers", "paper_embeddings", "users", "votes", "comments",
                      "subscribers", "mail_queue", "sessions"):
            assert checked[table] > 0, table
        again = copy_database(src, dst, "source")  # a finished copy: nothing left to write
        assert again.same and again.resumed and again.rows == 0
    finally:
        src.close()
        dst.close()
    on_copy = journey(target, embedder, "bob")
    on_source = journey(source, embedder, "bob")
    assert on_copy == on_source
    assert on_copy["embedded"] == 0  # the vectors came with the copy: nothing embedded again
    assert on_copy["comments"][-2:] == ["Read by alice.", "Read by bob."]
    assert on_copy["on_page"] == [True, True] and on_copy["found"]
    assert on_copy["subscribed"] == 200


def test_a_destination_with_other_data_is_refused(source: Settings, tmp_path: Path,
                                                  demo_store: SqliteStore) -> None:
    src = SqliteStore(source.database_path)
    other, used = SqliteStore(tmp_path / "other.db"), SqliteStore(tmp_path / "used.db")
    try:
        assert used.create_user("carol", "carol@example.org", "x", now_utc()) is not None
        with pytest.raises(InvalidInput, match="table 'users' has rows"):
            copy_database(demo_store, used, "demo")
        assert copy_database(demo_store, other, "demo").same
        with pytest.raises(InvalidInput, match="holds a copy of demo"):
            copy_database(src, other, "source")
    finally:
        for store in (src, other, used):
            store.close()


@pytest.mark.postgresql_only("copies between SQLite and PostgreSQL")
def test_sqlite_to_postgresql_and_back_keeps_every_row(
        source: Settings, tmp_path: Path, embedder: OnnxEmbedder, database_url: str) -> None:
    on_pg = load_settings({**search_env(tmp_path / "pg"), "PAPERWIRE_MAILER": "outbox",
                           "PAPERWIRE_DATABASE_URL": database_url})
    src, pg, back = (SqliteStore(source.database_path), open_store(on_pg),
                     SqliteStore(tmp_path / "back.db"))
    try:
        there = copy_database(src, pg, "source")
        again = copy_database(pg, back, "postgresql")
    finally:
        for store in (src, pg, back):
            store.close()
    assert there.same and again.same
    assert {c.table: c.source_hash for c in there.tables} == \
        {c.table: c.copied_hash for c in again.tables}
    assert journey(on_pg, embedder, "bob") == journey(source, embedder, "bob")
