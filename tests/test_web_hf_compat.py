"""The cursor catalog listing, Link headers and the Markdown paper, through the app."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from tests.helpers import load_demo


def test_cursor_listing_walks_the_whole_catalog_once(client: TestClient, store: SqliteStore,
                                                      settings: Settings) -> None:
    load_demo(store, settings)
    seen: list[str] = []
    url: str | None = "/api/papers?limit=7"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [p["id"] for p in response.json()]
        url = response.links.get("next", {}).get("url")
    assert len(seen) == len(set(seen)) == store.count_papers()
    dates = [p.published_at.isoformat() if p.published_at else ""
             for p in store.get_papers(seen)]
    assert sorted(dates, reverse=True)[:3] == [
        (store.get_paper(pid).published_at.isoformat()) for pid in seen[:3]]  # type: ignore[union-attr]


def test_unknown_cursor_is_a_clear_404(client: TestClient) -> None:
    response = client.get("/api/papers", params={"cursor": "2501.99999"})
    assert response.status_code == 404 and "cursor" in response.json()["error"]


def test_daily_and_search_link_headers(demo_client: TestClient) -> None:
    first = demo_client.get("/api/daily_papers", params={"month": "2025-07", "limit": 2})
    assert first.links["next"]["url"].endswith("p=1") and "prev" not in first.links
    second = demo_client.get(first.links["next"]["url"])
    assert second.links["prev"]["url"].endswith("p=0") and "last" in second.links
    assert {i["paper"]["id"] for i in first.json()}.isdisjoint(i["paper"]["id"]
                                                              for i in second.json())
    found = demo_client.get("/api/papers/search", params={"q": "language", "limit": 2})
    assert "p=1" in found.links["next"]["url"]


def test_markdown_paper_with_comments_and_redirects(demo_client: TestClient) -> None:
    plain = demo_client.get("/papers/2404.04487.md")
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/markdown")
    assert plain.text.startswith("# KazQAD") and "## Comments" not in plain.text
    assert "- Code: https://github.com/IS2AI/KazQAD" in plain.text
    with_comments = demo_client.get("/papers/2404.04487.md?comments=true")
    assert "## Comments (0)" in with_comments.text
    moved = demo_client.get("/papers/2404.04487v1.md", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/papers/2404.04487.md"
    assert demo_client.get("/papers/2501.99999.md").status_code == 404


def test_paper_page_keywords_are_searches(demo_client: TestClient) -> None:
    page = demo_client.get("/papers/2404.04487").text
    assert 'href="/search?q=%22reading+comprehension%22&amp;mode=keyword"' in page
    found = demo_client.get("/search", params={"q": '"reading comprehension"', "mode": "keyword"})
    assert found.status_code == 200 and "KazQAD" in found.text
