"""A signed-in user's mutes on the site's pages, through the real app with pages of three: the
daily list, trending, an organization's papers and the search page leave the muted papers
out before paging (so a page stays full although more papers than a page are muted), say
"hidden: N" with a show_muted=1 link, and page on through the kept papers; Following fills
each follow past its muted papers; similar papers (page and API) leave out the papers the
signed-in user muted, and only theirs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import new_client, post, sign_up
from tests.personal_helpers import put_paper

MUTED = [0, 1, 2, 3, 4, 7, 9]  # by the muted author: more than a page, then interleaved
KEPT = [5, 6, 8, 10, 11]
SUMMARY = "A study of learned models."


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "PAPERWIRE_PAGE_SIZE": "3"}


def _pid(n: int) -> str:
    return f"2601.{n:05d}"


def _twelve_papers(store: SqliteStore, settings: Settings) -> None:
    """Twelve papers on today's list and of the organization acme, newest first in id order;
    those of MUTED by Grace Hopper."""
    for n in range(12):
        author = "Grace Hopper" if n in MUTED else "Ada Lovelace"
        put_paper(store, settings, _pid(n), f"Paper number {n}", authors=(author,),
                  summary=SUMMARY, org="acme", age_days=n / 10)


def _ids(html: str, prefix: str = "t") -> list[str]:
    return re.findall(rf'id="{prefix}-(2601\.\d{{5}})"', html)


def _hidden(html: str) -> int:
    found = re.search(r"hidden: (\d+) \(your mutes\)", html)
    return int(found.group(1)) if found else 0


def _muting_client(client: TestClient) -> TestClient:
    sign_up(client, "ada")
    assert post(client, "/mutes", {"kind": "author", "value": "Grace Hopper"}).status_code == 303
    return client


LISTS = [("/", {"sort": "publishedAt"}), ("/trending", {"sort": "new", "t": "week"}),
         ("/organizations/acme", {})]


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_list_pages_stay_full_past_more_muted_papers_than_a_page(
        client: TestClient, store: SqliteStore, settings: Settings, path: str,
        params: dict[str, str]) -> None:
    _twelve_papers(store, settings)
    _muting_client(client)
    first = client.get(path, params=params).text
    assert _ids(first) == [_pid(n) for n in KEPT[:3]], path
    assert _hidden(first) == 6 and "show_muted=1" in first  # 0-4 before, 7 between
    assert "Page 1 of 2" in first
    assert re.search(r'rel="next" href="\?[^"]*p=1"', first), path
    second = client.get(path, params={**params, "p": "1"}).text
    assert (_ids(second), _hidden(second)) == ([_pid(n) for n in KEPT[3:]], 1), path
    shown = client.get(path, params={**params, "show_muted": "1"}).text
    assert (_ids(shown), _hidden(shown)) == ([_pid(n) for n in range(3)], 0), path
    assert "Page 1 of 4" in shown and "show_muted=1&amp;p=1" in shown  # paging keeps them
    for other in (new_client(client), _signed_up(new_client(client), "bob")):
        page = other.get(path, params=params).text
        assert (_ids(page), _hidden(page)) == ([_pid(n) for n in range(3)], 0), path


def _signed_up(client: TestClient, username: str) -> TestClient:
    sign_up(client, username)
    return client


def test_search_page_stays_full_past_more_muted_papers_than_a_page(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    _twelve_papers(store, settings)
    SearchService(settings, store, embedder).index()
    _muting_client(client)
    newest = client.get("/search", params={"category": "cs.LG"}).text
    assert (_ids(newest, "s"), _hidden(newest)) == ([_pid(n) for n in KEPT[:3]], 6)
    assert "p=1" in newest and "show_muted=1" in newest
    seen: list[str] = []
    hidden = 0
    for page in range(3):
        found = client.get("/search", params={"q": "learned models", "mode": "keyword",
                                              "p": str(page)}).text
        ids = _ids(found, "s")
        assert len(ids) == min(3, len(KEPT) - len(seen)), page
        seen += ids
        hidden += _hidden(found)
    assert sorted(seen) == [_pid(n) for n in KEPT] and hidden == len(MUTED)
    shown = client.get("/search", params={"category": "cs.LG", "show_muted": "1"}).text
    assert _ids(shown, "s") == [_pid(n) for n in range(3)] and _hidden(shown) == 0
    anonymous = new_client(client).get("/search", params={"category": "cs.LG"}).text
    assert _ids(anonymous, "s") == [_pid(n) for n in range(3)]


def test_following_fills_a_follow_past_its_muted_papers(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    """The eleven newest papers of the followed category are muted: the section still
    shows the four others, and says eleven were hidden."""
    for n in range(15):
        author = "Grace Hopper" if n < 11 else "Ada Lovelace"
        put_paper(store, settings, _pid(n), f"Paper number {n}", authors=(author,),
                  age_days=n / 10)
    _muting_client(client)
    post(client, "/follow", {"kind": "category", "value": "cs.LG"})
    [section] = client.get("/api/following").json()["follows"]
    assert [p["id"] for p in section["papers"]] == [_pid(n) for n in range(11, 15)]
    assert section["hidden"] == 11
    page = client.get("/following").text
    assert "Paper number 11" in page and "Paper number 0<" not in page
    assert "hidden: 11" in page
    shown = client.get("/api/following", params={"show_muted": "1"}).json()["follows"][0]
    assert [p["id"] for p in shown["papers"]] == [_pid(n) for n in range(10)]


def _similar_papers(store: SqliteStore, settings: Settings) -> None:
    """A paper on diffusion, six near copies of it by the muted author, six others."""
    title = "Diffusion language models for text generation"
    put_paper(store, settings, "2601.00100", title, summary=f"{title}. {SUMMARY}")
    for n in range(6):
        put_paper(store, settings, _pid(n), f"{title}, part {n}", authors=("Grace Hopper",),
                  summary=f"{title}. {SUMMARY}")
    for n in range(6, 12):
        put_paper(store, settings, _pid(n), f"Speech recognition with small data {n}",
                  summary="Acoustic models for spoken language.")


def _similar_api(reader: TestClient, **params: str) -> tuple[list[str], str | None]:
    response = reader.get("/api/papers/2601.00100/similar", params={"limit": "3", **params})
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()], response.headers.get("x-hidden-muted")


def _similar_block(html: str) -> tuple[list[str], int]:
    found = re.search(r'<section class="similar".*?</section>', html, re.S)
    block = found.group(0) if found else ""
    return re.findall(r'href="/papers/(2601\.\d{5})"', block), _hidden(block)


def test_similar_papers_leave_out_the_signed_in_users_mutes(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    _similar_papers(store, settings)
    SearchService(settings, store, embedder).index()
    muted = {_pid(n) for n in range(6)}
    kept = {_pid(n) for n in range(6, 12)}
    anonymous = new_client(client)
    bob = _signed_up(new_client(client), "bob")
    _muting_client(client)
    ids, hidden = _similar_api(client)
    assert len(ids) == 3 and set(ids) <= kept and hidden == "6"
    ids, hidden = _similar_api(client, show_muted="1")
    assert set(ids) <= muted and hidden == "0"
    assert set(_similar_api(anonymous)[0]) <= muted and _similar_api(anonymous)[1] is None
    assert set(_similar_api(bob)[0]) <= muted and _similar_api(bob)[1] == "0"
    ids, hidden = _similar_block(client.get("/papers/2601.00100").text)
    assert len(ids) == 5 and set(ids) <= kept and hidden == 6
    ids, hidden = _similar_block(client.get("/papers/2601.00100?show_muted=1").text)
    assert len(ids) == 5 and set(ids) <= muted and hidden == 0
    for other in (anonymous, bob):
        ids, hidden = _similar_block(other.get("/papers/2601.00100").text)
        assert set(ids) <= muted and hidden == 0
