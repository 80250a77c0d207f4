import pytest
from fastapi.testclient import TestClient


def test_daily_papers_month_has_hf_shape(loaded_client: TestClient) -> None:
    items = loaded_client.get("/api/daily_papers?month=2025-10&limit=100").json()
    assert len(items) == 2
    item = items[0]
    for key in ("paper", "publishedAt", "title", "summary", "thumbnail", "mediaUrls",
                "numComments", "submittedBy", "organization", "isAuthorParticipating"):
        assert key in item
    for key in ("id", "authors", "publishedAt", "title", "summary", "upvotes", "discussionId",
                "ai_keywords", "githubRepo", "githubStars", "projectPage", "mediaUrls",
                "submittedOnDailyAt", "submittedOnDailyBy", "withdrawnAt"):
        assert key in item["paper"]
    assert all(i["publishedAt"].startswith("2025-10") for i in items)


def test_sort_and_paging(loaded_client: TestClient) -> None:
    by_votes = loaded_client.get("/api/daily_papers?month=2025-10&sort=upvotes&limit=100").json()
    votes = [i["paper"]["upvotes"] for i in by_votes]
    assert votes == sorted(votes, reverse=True)
    first = loaded_client.get("/api/daily_papers?month=2025-10&limit=1&p=0").json()
    second = loaded_client.get("/api/daily_papers?month=2025-10&limit=1&p=1").json()
    assert len(first) == len(second) == 1 and first[0]["paper"]["id"] != second[0]["paper"]["id"]


def test_week_and_date_filters(loaded_client: TestClient) -> None:
    week = loaded_client.get("/api/daily_papers?week=2025-W42").json()
    assert week and all("2025-10-13" <= i["publishedAt"][:10] <= "2025-10-19" for i in week)
    day = loaded_client.get("/api/daily_papers?date=2024-04-05").json()
    assert [i["paper"]["id"] for i in day] == ["2404.04487"]


@pytest.mark.parametrize(("query", "param"), [
    ("date=garbage", "date"), ("week=2025-W99", "week"), ("month=2025-13", "month"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("p=-1", "p"), ("sort=random", "sort"),
    ("date=2025-02-30", "date"), ("p=abc", "p"),
])
def test_invalid_parameters_give_a_json_4xx_naming_them(loaded_client: TestClient, query: str,
                                                         param: str) -> None:
    response = loaded_client.get(f"/api/daily_papers?{query}")
    assert response.status_code in (400, 422)
    assert response.json()["parameter"] == param


def test_the_most_precise_period_wins(loaded_client: TestClient) -> None:
    day = loaded_client.get("/api/daily_papers?date=2024-04-05").json()
    both = loaded_client.get("/api/daily_papers?date=2024-04-05&month=2025-10").json()
    assert both == day and day


def test_a_week_53_the_year_lacks_is_404(loaded_client: TestClient) -> None:
    assert loaded_client.get("/api/daily_papers?week=2025-W53").status_code == 404
    assert loaded_client.get("/api/daily_papers?week=2020-W53").status_code == 200


def test_paper_by_id_and_redirects(loaded_client: TestClient) -> None:
    paper = loaded_client.get("/api/papers/2404.04487").json()
    assert paper["title"].startswith("KazQAD") and paper["authors"][0]["name"]
    moved = loaded_client.get("/api/papers/2404.04487v2", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/api/papers/2404.04487"
    missing = loaded_client.get("/api/papers/9999.99999")
    assert missing.status_code == 404 and "error" in missing.json()


def test_openapi_and_docs_are_served_locally(loaded_client: TestClient) -> None:
    schema = loaded_client.get("/openapi.json").json()
    assert "/api/daily_papers" in schema["paths"]
    docs = loaded_client.get("/docs")
    assert docs.status_code == 200 and "/api/daily_papers" in docs.text
    assert "cdn" not in docs.text.lower()
