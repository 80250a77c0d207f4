import re

from fastapi.testclient import TestClient

from paperwire.models import IncomingPaper, Paper
from paperwire.storage.sqlite import SqliteStore


def test_home_shows_the_latest_day_with_cards(loaded_client: TestClient) -> None:
    page = loaded_client.get("/")
    assert page.status_code == 200
    # the latest day of the demo corpus is 2025-10-17, with one paper
    assert "RL makes MLLMs see better than SFT" in page.text
    assert "Daily Papers" in page.text and "Friday, 17 October 2025" in page.text
    assert "Content-Security-Policy" in page.headers and page.headers["x-content-type-options"]


def test_every_demo_paper_is_reachable_from_the_all_papers_pages(loaded_client: TestClient,
                                                                 store: SqliteStore) -> None:
    linked: set[str] = set()
    for p in range(10):
        html = loaded_client.get(f"/papers?p={p}").text
        linked |= set(re.findall(r'href="/papers/([^"#?]+)"', html))
    ids = {paper.id for paper in store.list_papers(offset=0, limit=1000)}
    assert len(ids) == 80 and ids <= linked


def test_month_and_week_pages_navigate(loaded_client: TestClient) -> None:
    month = loaded_client.get("/papers/month/2025-10")
    assert month.status_code == 200 and "October 2025" in month.text
    prev = re.search(r'rel="prev" href="(/papers/month/[^"]+)"', month.text)
    assert prev is not None and loaded_client.get(prev.group(1)).status_code == 200
    week = loaded_client.get("/papers/week/2025-W42?sort=publishedAt")
    assert week.status_code == 200 and "Week 42" in week.text
    assert loaded_client.get("/papers/date/not-a-date").status_code == 400


def test_paper_page_shows_everything(loaded_client: TestClient) -> None:
    html = loaded_client.get("/papers/2404.04487").text
    assert "KazQAD" in html and "Rustem Yeshpanov" in html
    assert "https://arxiv.org/pdf/2404.04487" in html and "Abstract" in html
    assert loaded_client.get("/papers/nope").status_code == 404


def test_titles_are_escaped_and_math_rendered(client: TestClient, store: SqliteStore) -> None:
    store.upsert_papers([IncomingPaper(Paper(
        id="2401.00001", title="<script>alert(1)</script> bounds for $x<y$",
        summary="A & B <img src=x onerror=alert(1)> with $\\alpha$"))])
    html = client.get("/papers/2401.00001").text
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "<math" in html and "α" in html
    api = client.get("/api/papers/2401.00001").json()
    assert api["title"].startswith("<script>")  # JSON carries the text; clients escape it


def test_old_style_ids_work_in_urls(client: TestClient, store: SqliteStore) -> None:
    store.upsert_papers([IncomingPaper(Paper(id="math.GT/0309136", title="Old style"))])
    assert "Old style" in client.get("/papers/math.GT/0309136").text
    assert client.get("/api/papers/math.GT/0309136v2", follow_redirects=False).headers[
        "location"] == "/api/papers/math.GT/0309136"


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_cross_site_post_is_refused(client: TestClient) -> None:
    response = client.post("/api/daily_papers", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
