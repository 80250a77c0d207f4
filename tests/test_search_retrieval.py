"""Every mode over the demo corpus: operators, relevance floor, suggestions, listings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from paperwire.bootstrap import Services
from paperwire.config import load_settings
from paperwire.models import Author, IncomingPaper, Paper, StoredEmbedding
from paperwire.search.embedder import OnnxEmbedder
from paperwire.search.records import SearchFilters
from paperwire.services.search import SearchService
from paperwire.services.search_indexing import build_text_hash, model_key
from paperwire.storage.sqlite import SqliteStore
from tests.search_helpers import search_env

MODES = ("hybrid", "semantic", "keyword")


def api(client: TestClient, **params: object) -> list[dict[str, object]]:
    response = client.get("/api/papers/search", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()
    return items


@pytest.mark.parametrize("mode", MODES)
def test_author_operator_holds_in_every_mode(demo_client: TestClient, mode: str) -> None:
    items = api(demo_client, q="author:Yeshpanov", mode=mode)
    assert 0 < len(items) < 10
    for item in items:
        names = [a["name"] for a in item["paper"]["authors"]]  # type: ignore[index]
        assert any("Yeshpanov" in n for n in names)


@pytest.mark.parametrize("mode", MODES)
def test_phrase_holds_in_every_mode(demo_client: TestClient, mode: str) -> None:
    items = api(demo_client, q='"mixture of experts"', mode=mode)
    assert 0 < len(items) < 10
    for item in items:
        text = f"{item['title']} {item['summary']}".lower().replace("-", " ")
        assert "mixture of experts" in text


@pytest.mark.parametrize("mode", ("hybrid", "semantic"))
@pytest.mark.parametrize("query", ["xyzzyqq", "banana bread recipe", "used car prices"])
def test_off_topic_queries_find_nothing(demo_client: TestClient, mode: str, query: str) -> None:
    assert api(demo_client, q=query, mode=mode) == []


def test_a_rare_word_is_not_followed_by_unrelated_papers(demo_client: TestClient) -> None:
    titles = [str(i["title"]) for i in api(demo_client, q="matryoshka")]
    assert titles[0].startswith("Matryoshka") and len(titles) <= 2


def test_exclusion_leaves_papers_out(demo_client: TestClient) -> None:
    for mode in MODES:
        items = api(demo_client, q="kazakh -speech", mode=mode)
        assert items
        assert all("speech" not in f"{i['title']} {i['summary']}".lower() for i in items)


def test_misspelling_gets_a_suggestion(demo_services: Services) -> None:
    results = demo_services.search.search("retreival", refresh=False)
    assert not results.hits and results.suggestions == ("retrieval",)


def test_filters_without_query_list_matching_papers_newest_first(
        demo_services: Services, demo_store: SqliteStore) -> None:
    filters = SearchFilters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    results = demo_services.search.search("", limit=100, filters=filters, refresh=False)
    expected = [p for p in demo_store.list_papers(offset=0, limit=1000) if filters.accepts(p)]
    assert {h.paper.id for h in results.hits} == {p.id for p in expected}
    days = [h.paper.published_at for h in results.hits]
    assert days == sorted(days, reverse=True)  # type: ignore[type-var]
    assert results.total == len(expected)


@pytest.mark.parametrize("mode", MODES)
def test_filters_match_brute_force(demo_services: Services, demo_store: SqliteStore,
                                   mode: str) -> None:
    papers = demo_store.list_papers(offset=0, limit=1000)
    for text in ["language model year:2025", "kazakh year:2024", "speech year:2024"]:
        results = demo_services.search.search(text, mode, 100, refresh=False)
        assert results.hits, text
        for hit in results.hits:
            assert hit.paper.published_at is not None
            if "year:" in text:
                assert str(hit.paper.published_at.year) == text.split("year:")[1]
    assert papers


def test_results_page_is_scannable(demo_client: TestClient) -> None:
    page = demo_client.get("/search", params={"q": "speech during training"}).text
    assert "About " in page and " results" in page
    assert "<mark>during</mark>" not in page
    assert "comment" in page and "▲" in page
    assert len(page) < 40_000


def test_api_items_carry_a_snippet(demo_client: TestClient) -> None:
    item = api(demo_client, q="emotional speech dataset", limit=1)[0]
    snippet = item["snippet"]
    assert isinstance(snippet, list) and snippet
    assert len("".join(p["text"] for p in snippet)) <= 400
    assert "".join(p["text"] for p in item["highlightedSummary"]) == item["summary"]  # type: ignore[union-attr]


def test_similar_papers_sort_by_recency_and_popularity(demo_client: TestClient) -> None:
    first = api(demo_client, q="kazakh")[0]["paper"]["id"]  # type: ignore[index]
    for sort, key in (("recent", "publishedAt"), ("popular", "upvotes")):
        response = demo_client.get(f"/api/papers/{first}/similar",
                                   params={"sort": sort, "limit": 8})
        assert response.status_code == 200
        values = [p[key] for p in response.json()]
        assert values and values == sorted(values, reverse=True)
    bad = demo_client.get(f"/api/papers/{first}/similar", params={"sort": "x"})
    assert bad.status_code == 400
    page = demo_client.get(f"/papers/{first}", params={"similar": "recent"}).text
    assert "Newest" in page


def test_filters_hold_beyond_the_retrieval_depth(tmp_path: Path,
                                                 embedder: OnnxEmbedder) -> None:
    """1,500 generated papers all about speech; the 10 of a rare category rank last in
    every mode, far below any retrieval depth. Filtered, every mode finds exactly those
    (a filter applied after a cut would find none of them)."""
    settings = load_settings(search_env(tmp_path))
    store = SqliteStore(settings.database_path)
    centre = embedder.embed_query("speech")
    rng = np.random.default_rng(5)
    papers, rows = [], []
    for i in range(1500):
        rare = i % 150 == 7
        summary = "speech " + "unrelated filler words " * 60 if rare else "speech of speech"
        paper = Paper(f"g-{i}", f"Paper {i}", summary, (Author("Ada"),), 1,
                      categories=("math.ST" if rare else "cs.CL",),
                      published_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i % 300))
        noise = rng.normal(size=centre.shape).astype(np.float32)
        vector = centre * (0.35 if rare else 1.0) + noise / np.linalg.norm(noise) * 0.5
        vector /= np.linalg.norm(vector)
        papers.append(paper)
        rows.append(StoredEmbedding(paper.id, model_key(embedder), build_text_hash(paper),
                                    len(vector), vector.astype("<f2").tobytes()))
    store.upsert_papers([IncomingPaper(p) for p in papers])
    store.save_embeddings(rows, None)
    search = SearchService(settings, store, embedder)
    search.index()
    filters = SearchFilters(categories=("math.st",))
    want = {p.id for p in papers if "math.ST" in p.categories}
    for mode in MODES:
        unfiltered = [h.paper.id for h in search.search("speech", mode, 100,
                                                         refresh=False).hits]
        assert not want & set(unfiltered), mode  # ranked below the first 100
        found = search.search("speech", mode, 100, filters=filters, refresh=False)
        assert {h.paper.id for h in found.hits} == want, mode
    assert search.search("speech", "keyword", 5, filters=filters, refresh=False).total == 10
    store.close()


def test_filters_without_a_query_list_papers_on_the_page_and_in_the_api(
        demo_client: TestClient, demo_store: SqliteStore) -> None:
    filters = SearchFilters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    expected = [p for p in demo_store.list_papers(offset=0, limit=1000) if filters.accepts(p)]
    assert 1 < len(expected) < 80
    params = {"date_from": "2024-01-01", "date_to": "2024-12-31"}
    page = demo_client.get("/search", params=params).text
    assert f"About {len(expected)} results · newest first" in page
    items = api(demo_client, **params)
    assert {i["paper"]["id"] for i in items} == {p.id for p in expected}  # type: ignore[index]
