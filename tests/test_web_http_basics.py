"""HEAD on every page, gzip, and conditional GETs on feeds and the JSON lists."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.datastructures import Headers

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.http_basics import etag_of, not_modified
from tests.community_helpers import add_paper


def test_head_answers_like_get_without_a_body(client: TestClient, store: SqliteStore,
                                              settings: Settings) -> None:
    add_paper(store, settings, "2512.00001")
    for path in ("/", "/papers/2512.00001", "/trending.rss", "/api/daily_papers"):
        head = client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == client.get(path).headers["content-type"]


def test_pages_are_compressed_when_the_client_accepts_gzip(client: TestClient) -> None:
    answer = client.get("/docs", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    plain = client.get("/docs", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert answer.text == plain.text


def test_feeds_and_lists_answer_304_when_unchanged(client: TestClient, store: SqliteStore,
                                                   settings: Settings) -> None:
    add_paper(store, settings, "2512.00002")
    for path in ("/daily.rss", "/trending.atom", "/api/daily_papers"):
        first = client.get(path)
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == etag
    modified = client.get("/daily.rss").headers["last-modified"]
    assert client.get("/daily.rss", headers={"If-Modified-Since": modified}).status_code == 304
    add_paper(store, settings, "2512.00003", "Something new")
    assert client.get("/daily.rss", headers={"If-None-Match": etag}).status_code == 200


def test_if_none_match_wins_over_if_modified_since() -> None:
    tag = etag_of(b"body")
    stale = Headers({"if-none-match": '"other"', "if-modified-since": "Fri, 17 Oct 2030 09:00:00 GMT"})
    assert not not_modified(stale, tag, "Fri, 17 Oct 2025 09:00:00 GMT")
    assert not_modified(Headers({"if-none-match": tag.removeprefix("W/")}), tag, None)
