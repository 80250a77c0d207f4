"""A signed-in user's mutes on the JSON lists, through the real app: /api/daily_papers,
/api/papers/search and /api/papers leave out the muted papers for the muting user (session or
API token), count them in X-Hidden-Muted, keep them with show_muted=1, page through the kept
papers in full pages, and change nothing for another user or an anonymous request."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import new_client, post, sign_up
from tests.personal_helpers import put_paper

ALL = ["2601.00001", "2601.00002", "2601.00003", "2601.00004"]
KEPT = ["2601.00004"]
SEARCH = {"q": "models", "mode": "keyword", "limit": 10}


def _papers(store: SqliteStore, settings: Settings) -> None:
    """Four papers on today's list, newest first in id order; three of them to be muted."""
    summary = "A study of learned models."
    put_paper(store, settings, "2601.00001", "Diffusion for text", categories=("cs.CL",),
              summary=summary, age_days=0.1)
    put_paper(store, settings, "2601.00002", "Graph parsing", categories=("cs.CL",),
              authors=("Grace Hopper",), summary=summary, age_days=0.2)
    put_paper(store, settings, "2601.00003", "Vision transformers", categories=("cs.CV",),
              summary=summary, age_days=0.3)
    put_paper(store, settings, "2601.00004", "Speech recognition", categories=("cs.SD",),
              summary=summary, age_days=0.4)


def _mute_three(client: TestClient) -> None:
    for kind, value in (("keyword", "diffusion"), ("author", "Grace Hopper"),
                        ("category", "cs.CV")):
        assert post(client, "/mutes", {"kind": kind, "value": value}).status_code == 303


def _ids(body: list[dict[str, Any]]) -> list[str]:
    return [item["paper"]["id"] if "paper" in item else item["id"] for item in body]


def _read(client: TestClient, path: str, **params: Any) -> tuple[list[str], str | None, str]:
    """(paper ids, X-Hidden-Muted, Link) of one API list page."""
    if path == "/api/daily_papers":
        params = {"sort": "publishedAt", **params}
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)  # the Hugging Face shape stays a list
    return (_ids(response.json()), response.headers.get("x-hidden-muted"),
            response.headers.get("link", ""))


def _check_lists(reader: TestClient, mine: bool) -> None:
    """What ``reader`` sees on the three lists: mine=True for the muting user."""
    for path, params in (("/api/daily_papers", {}), ("/api/papers/search", SEARCH),
                         ("/api/papers", {})):
        ids, hidden, _ = _read(reader, path, **params)
        if mine:
            assert (sorted(ids), hidden) == (KEPT, "3"), path
            shown, zero, _ = _read(reader, path, **params, show_muted=1)
            assert (sorted(shown), zero) == (ALL, "0"), path
        else:
            assert sorted(ids) == ALL, path


def test_session_mutes_hide_papers_from_the_api_lists(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    _papers(store, settings)
    SearchService(settings, store, embedder).index()
    sign_up(client, "ada")
    _check_lists(client, mine=False)  # nothing muted yet
    _mute_three(client)
    _check_lists(client, mine=True)
    anonymous = new_client(client)
    _check_lists(anonymous, mine=False)
    assert "x-hidden-muted" not in anonymous.get("/api/daily_papers").headers
    bob = new_client(client)
    sign_up(bob, "bob")
    _check_lists(bob, mine=False)
    assert bob.get("/api/daily_papers").headers["x-hidden-muted"] == "0"


def test_api_token_mutes_hide_papers_from_the_api_lists(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    _papers(store, settings)
    SearchService(settings, store, embedder).index()
    sign_up(client, "ada")
    _mute_three(client)
    page = post(client, "/settings/tokens", {"label": "script"}).text
    found = re.search(r'<code id="new-token">([^<]+)</code>', page)
    assert found, page
    script = new_client(client)
    script.headers["Authorization"] = f"Bearer {found.group(1)}"
    _check_lists(script, mine=True)
    assert script.get("/api/daily_papers").headers["cache-control"] == "private, no-cache"


def test_pages_stay_full_and_hidden_counts_add_up(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    """Ten papers, every other one by a muted author: pages of two hold two kept papers
    until the end, and the hidden counts of the pages add up to the five muted ones."""
    for n in range(10):
        author = "Grace Hopper" if n % 2 else "Ada Lovelace"
        put_paper(store, settings, f"2601.{n:05d}", f"Paper number {n}", authors=(author,),
                  summary="A study of learned models.", age_days=n / 10)
    SearchService(settings, store, embedder).index()
    sign_up(client, "ada")
    post(client, "/mutes", {"kind": "author", "value": "Grace Hopper"})
    kept = [f"2601.{n:05d}" for n in range(0, 10, 2)]
    lists = (("/api/daily_papers", {}), ("/api/papers/search", {"category": "cs.LG"}),
             ("/api/papers/search", {"q": "models", "mode": "keyword"}))
    for path, params in lists:
        assert _pages(client, path, params, "p") == (kept, 5), path
    assert _pages(client, "/api/papers", {}, "cursor") == (kept, 5)


def _pages(client: TestClient, path: str, params: dict[str, Any],
           key: str) -> tuple[list[str], int]:
    """Every paper id of a list read two at a time following its Link header, and the sum
    of the pages' hidden counts; every page but the last holds two papers."""
    seen: list[str] = []
    hidden = 0
    while True:
        ids, count, link = _read(client, path, **params, limit=2)
        seen += ids
        hidden += int(count or 0)
        found = re.search(rf"[?&]{key}=([^&>]+)>; rel=\"next\"", link)
        if not found:
            return seen, hidden
        assert len(ids) == 2, (path, params)
        params = {**params, key: found.group(1)}


def test_the_openapi_schema_documents_the_header_and_show_muted(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/daily_papers", "/api/papers/search", "/api/papers",
                 "/api/papers/{paper_id}/similar"):
        operation = paths[path]["get"]
        assert "X-Hidden-Muted" in operation["responses"]["200"]["headers"], path
        assert "application/json" in operation["responses"]["200"]["content"], path
        assert "show_muted" in [p["name"] for p in operation["parameters"]], path
        assert "X-Hidden-Muted" in operation["description"], path
        assert {} in operation["security"] and {"token": []} in operation["security"], path
