"""The search API and pages over the real demo corpus: relevance, shape, errors, fuzzing."""

from __future__ import annotations

import contextlib
import html
import threading
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperwire.bootstrap import build_services
from paperwire.config import Settings
from paperwire.errors import Unavailable
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import QUERY_THREADS, SearchService
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app

RELEVANCE = [
    ("nested representations that work at any embedding size", "Matryoshka Representation"),
    ("sign bits embeddings for web scale retrieval", "Binary Embedding-based Retrieval"),
    ("open-domain QA dataset in Kazakh", "KazQAD"),
    ("named entity recognition kazakh", "KazNERD"),
    ("emotional speech synthesis dataset", "KazEmoTTS"),
]
NASTY = ["a-b", "don't", '"', '""', "*", "$x<y$", "\\alpha", "\x00", "🙂" * 250, "' OR 1=1 --",
         "title:foo", "author:", "author:\"", "NOT", "AND OR", "NEAR(a b)", "a^2", "(((", ")",
         "~", "{}", "[1 TO 2]", "field:", ":", "-", "+", "%", "\\", "\u202e", " x", "x ",
         "<script>alert(1)</script>", "a" * 250, "é" * 250, "∑∫", "null", "\t\n", "*:*"]


def titles(client: TestClient, q: str, mode: str = "hybrid", limit: int = 3) -> list[str]:
    response = client.get("/api/papers/search", params={"q": q, "mode": mode, "limit": limit})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()]


@pytest.mark.parametrize(("query", "expected"), RELEVANCE)
def test_the_right_paper_is_in_the_top_three(demo_client: TestClient, query: str,
                                              expected: str) -> None:
    assert any(expected in title for title in titles(demo_client, query))


def test_items_have_the_hf_search_shape(demo_client: TestClient) -> None:
    items = demo_client.get("/api/papers/search", params={"q": "kazakh dataset"}).json()
    assert items
    first = items[0]
    for key in ("paper", "publishedAt", "title", "summary", "numComments",
                "highlightedTitle", "highlightedSummary"):
        assert key in first
    assert {"type": "highlight", "text": "Kazakh"} in first["highlightedTitle"]
    assert "".join(p["text"] for p in first["highlightedSummary"]) == first["summary"]
    assert first["paper"]["id"] and first["paper"]["title"] == first["title"]


def test_modes_limit_and_paging(demo_client: TestClient) -> None:
    for mode in ("keyword", "semantic", "hybrid"):
        assert len(titles(demo_client, "language model", mode, limit=2)) == 2
    page0 = titles(demo_client, "language model", "hybrid", limit=5)
    page1 = demo_client.get("/api/papers/search",
                            params={"q": "language model", "limit": 5, "p": 1}).json()
    assert not set(page0) & {item["title"] for item in page1}


def test_phrase_and_author_queries(demo_client: TestClient) -> None:
    assert titles(demo_client, '"question answering"', "keyword", 1)[0].startswith("KazQAD")
    assert titles(demo_client, "author:Boytsov", "keyword") == [
        "KazQAD: Kazakh Open-Domain Question Answering Dataset"]


def test_filters_narrow_the_results(demo_client: TestClient) -> None:
    items = demo_client.get("/api/papers/search", params={
        "q": "kazakh", "date_from": "2024-04-01", "date_to": "2024-04-30"}).json()
    assert items
    assert all(item["publishedAt"].startswith("2024-04") for item in items)
    with_code = demo_client.get("/api/papers/search",
                                params={"q": "model", "has_code": "true", "limit": 50}).json()
    assert all(item["paper"]["githubRepo"] for item in with_code)


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "   "}, {"q": "x" * 251},
                                    {"q": "a", "mode": "fuzzy"}, {"q": "a", "limit": 0},
                                    {"q": "a", "limit": 121}, {"q": "a", "date_from": "x"}])
def test_bad_parameters_are_clear_4xx(demo_client: TestClient, params: dict[str, object]) -> None:
    response = demo_client.get("/api/papers/search", params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]


@pytest.mark.parametrize("q", NASTY)
def test_nasty_queries_never_fail(demo_client: TestClient, q: str) -> None:
    for mode in ("keyword", "hybrid"):
        response = demo_client.get("/api/papers/search", params={"q": q, "mode": mode})
        assert response.status_code in (200, 400, 422), (q, response.text)
        assert response.status_code == 200 or not q.strip("\x00\t\n ")


@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=st.text(max_size=250))
def test_generated_queries_never_fail(demo_client: TestClient, q: str) -> None:
    response = demo_client.get("/api/papers/search", params={"q": q, "mode": "keyword",
                                                             "limit": 5})
    assert response.status_code in (200, 400, 422), (q, response.text)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=st.text(max_size=250))
def test_generated_queries_never_fail_in_hybrid_mode(demo_client: TestClient, q: str) -> None:
    response = demo_client.get("/api/papers/search", params={"q": q, "limit": 5})
    assert response.status_code in (200, 400, 422), (q, response.text)


def test_similar_papers_api_and_page(demo_client: TestClient) -> None:
    response = demo_client.get("/api/papers/2404.04487/similar", params={"limit": 3})
    assert response.status_code == 200
    similar = [p["title"] for p in response.json()]
    assert len(similar) == 3 and all("Kaz" in t or "Kazakh" in t for t in similar)
    assert demo_client.get("/api/papers/0000.00000/similar").status_code == 404
    page = demo_client.get("/papers/2404.04487")
    assert "Similar papers" in page.text and similar[0].split(":")[0] in page.text


def test_search_page_shows_highlights_filters_and_paging(demo_client: TestClient) -> None:
    page = demo_client.get("/search", params={"q": "kazakh speech"})
    assert page.status_code == 200
    assert "<mark>Kazakh</mark>" in page.text
    assert 'name="date_from"' in page.text and 'name="has_code"' in page.text
    empty = demo_client.get("/search")
    assert empty.status_code == 200 and "Search papers" in empty.text
    escaped = demo_client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in escaped.text


def test_past_the_deadline_the_api_answers_503_and_pages_leave_similar_out(
        demo_settings: Settings, demo_store: SqliteStore, embedder: OnnxEmbedder) -> None:
    hurried = replace(demo_settings, search_deadline=0.5)
    service = SearchService(hurried, demo_store, embedder)
    service.index()  # the demo's indexes, whichever test opened the demo data dir first
    gate, started = threading.Event(), threading.Semaphore(0)

    def hold_a_query_thread() -> None:
        with contextlib.suppress(Unavailable):
            service.within_deadline(lambda: (started.release(), gate.wait(60)))

    holders = [threading.Thread(target=hold_a_query_thread) for _ in range(QUERY_THREADS)]
    for holder in holders:
        holder.start()
    for _ in holders:
        assert started.acquire(timeout=60)  # every query thread is busy now
    app = create_app(replace(build_services(hurried, store=demo_store, embedder=embedder),
                             search=service))
    try:
        with TestClient(app, base_url="http://testserver") as client:
            check_answers_without_search(client, demo_store)
    finally:
        gate.set()
    assert [item["title"] for item in TestClient(app).get(
        "/api/papers/search", params={"q": "kazakh question answering"}).json()][:1] == \
        ["KazQAD: Kazakh Open-Domain Question Answering Dataset"]


def check_answers_without_search(client: TestClient, store: SqliteStore) -> None:
    response = client.get("/api/papers/search", params={"q": "kazakh speech"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert "did not answer within 0.5 s" in response.json()["error"]
    similar = client.get("/api/papers/2404.04487/similar")
    assert similar.status_code == 503 and "Retry-After" in similar.headers
    page = client.get("/papers/2404.04487")
    paper = store.get_paper("2404.04487")
    assert paper is not None and page.status_code == 200
    assert html.escape(paper.title) in page.text and "Similar papers" not in page.text
    assert client.get("/search", params={"q": "kazakh"}).status_code == 503
    assert client.get("/search.rss", params={"q": "kazakh"}).status_code == 503
