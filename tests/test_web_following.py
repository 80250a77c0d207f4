"""Follow, mute and "not interested" through the real app: forms with CSRF, the Following
page and its JSON, muted papers hidden from the daily list and search, and privacy."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import new_client, post, sign_up
from tests.personal_helpers import put_paper


def _papers(store: SqliteStore, settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "Diffusion for text", categories=("cs.CL",))
    put_paper(store, settings, "2601.00002", "Graph parsing", categories=("cs.CL",),
              authors=("Grace Hopper",))


def test_follow_forms_and_following_page(client: TestClient, store: SqliteStore,
                                         settings: Settings) -> None:
    _papers(store, settings)
    sign_up(client, "ada")
    response = post(client, "/follow", {"kind": "author", "value": "Grace Hopper",
                                        "next": "/papers/2601.00002"})
    assert response.status_code == 303 and response.headers["location"] == "/papers/2601.00002"
    post(client, "/follow", {"kind": "category", "value": "cs.CL"})
    page = client.get("/following").text
    assert "author Grace Hopper" in page and "category cs.CL" in page
    assert page.count("/papers/2601.00002\"") >= 2 and "Diffusion for text" in page
    body = client.get("/api/following").json()
    assert [(f["kind"], [p["id"] for p in f["papers"]]) for f in body["follows"]] == [
        ("author", ["2601.00002"]), ("category", ["2601.00002", "2601.00001"])]
    post(client, "/follow", {"kind": "author", "value": "grace hopper", "on": "0"})
    assert [f["kind"] for f in client.get("/api/following").json()["follows"]] == ["category"]


def test_bad_follow_is_a_clear_error_and_csrf_is_required(client: TestClient) -> None:
    sign_up(client, "ada")
    response = post(client, "/follow", {"kind": "category", "value": "not a category!"})
    assert response.status_code == 400 and "not an arXiv category" in response.text
    forged = client.post("/follow", data={"kind": "author", "value": "X"},
                         follow_redirects=False)
    assert forged.status_code == 403
    assert client.get("/api/following").json()["follows"] == []


def test_mutes_hide_papers_from_daily_list_and_search_with_a_note(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    _papers(store, settings)
    sign_up(client, "ada")
    assert "hidden:" not in client.get("/").text
    post(client, "/mutes", {"kind": "keyword", "value": "diffusion"})
    daily = client.get("/").text
    assert "Diffusion for text" not in daily and "Graph parsing" in daily
    assert "hidden: 1" in daily and "show_muted=1" in daily
    assert "Diffusion for text" in client.get("/?show_muted=1").text
    SearchService(settings, store, embedder).index()
    found = client.get("/search", params={"q": "diffusion text", "mode": "keyword"}).text
    assert "hidden: 1" in found and "s-2601.00001" not in found
    shown = client.get("/search", params={"q": "diffusion text", "mode": "keyword",
                                          "show_muted": "1"}).text
    assert "s-2601.00001" in shown
    post(client, "/mutes", {"kind": "keyword", "value": "diffusion", "on": "0"})
    assert "Diffusion for text" in client.get("/").text


def test_follows_and_mutes_are_private(client: TestClient, store: SqliteStore,
                                       settings: Settings) -> None:
    _papers(store, settings)
    sign_up(client, "ada")
    post(client, "/follow", {"kind": "author", "value": "Grace Hopper"})
    post(client, "/mutes", {"kind": "keyword", "value": "diffusion"})
    other = new_client(client)
    sign_up(other, "bob")
    assert other.get("/api/following").json() == {"follows": [], "mutes": []}
    page = other.get("/following").text
    assert "Grace Hopper" not in page and "diffusion" not in page.lower().replace(
        "diffusion for text", "")
    assert "Diffusion for text" in other.get("/").text  # ada's mute is not bob's
    anonymous = new_client(client)
    assert anonymous.get("/api/following").status_code == 401
    assert anonymous.get("/following", follow_redirects=False).status_code == 303


def test_not_interested_is_recorded_for_the_user(client: TestClient, store: SqliteStore,
                                                 settings: Settings) -> None:
    _papers(store, settings)
    sign_up(client, "ada")
    assert "Not interested" in client.get("/papers/2601.00001").text
    response = post(client, "/papers/2601.00001/not-interested", {})
    assert response.status_code == 303
    user = store.get_user_by_name("ada")
    assert user is not None and store.dismissed_ids(user.id) == ["2601.00001"]
    post(client, "/papers/2601.00001/not-interested", {"on": "0"})
    assert store.dismissed_ids(user.id) == []


def test_follow_this_search_lists_its_newest_matches(client: TestClient, store: SqliteStore,
                                                     settings: Settings,
                                                     embedder: OnnxEmbedder) -> None:
    _papers(store, settings)
    sign_up(client, "ada")
    SearchService(settings, store, embedder).index()
    page = client.get("/search", params={"q": "graph parsing", "mode": "keyword",
                                         "category": "cs.CL", "p": "0"}).text
    assert "Follow this search" in page
    value = "q=graph+parsing&mode=keyword&category=cs.CL&p=0"
    assert f'name="value" value="{value.replace("&", "&amp;")}"' in page
    response = post(client, "/follow", {"kind": "search", "value": value})
    assert response.headers["location"] == "/following"
    [followed] = client.get("/api/following").json()["follows"]
    assert followed["value"] == "category=cs.CL&mode=keyword&q=graph+parsing"
    assert [p["id"] for p in followed["papers"]] == ["2601.00002"]
    assert "saved search “graph parsing” (cs.CL)" in client.get("/following").text


def test_mutes_hide_papers_from_trending_and_organization_pages(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "Diffusion for text", org="acme")
    put_paper(store, settings, "2601.00002", "Graph parsing", org="acme")
    sign_up(client, "ada")
    post(client, "/mutes", {"kind": "keyword", "value": "diffusion"})
    for path in ("/trending", "/organizations/acme"):
        page = client.get(path).text
        assert "Diffusion for text" not in page and "Graph parsing" in page, path
        assert "hidden: 1" in page, path
        assert "Diffusion for text" in client.get(path, params={"show_muted": "1"}).text
    other = new_client(client)
    assert "Diffusion for text" in other.get("/trending").text  # the mute is ada's alone
