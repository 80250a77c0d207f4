"""Upvotes, submissions, comments and organizations through the web app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.services.accounts import make_admin
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import add_paper, new_client, post, sign_up
from tests.fake_arxiv import FakeArxiv

JSON = {"Accept": "application/json"}


def vote(client: TestClient, paper_id: str, on: str = "1") -> dict[str, object]:
    response = post(client, f"/papers/{paper_id}/upvote", {"on": on}, headers=JSON)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def api_item(client: TestClient, paper_id: str) -> dict[str, object]:
    items = client.get("/api/daily_papers").json()
    return next(i for i in items if i["paper"]["id"] == paper_id)


def test_upvote_is_one_per_user_toggles_and_keeps_the_cached_count(
        cc: TestClient, store: SqliteStore, settings: Settings) -> None:
    add_paper(store, settings, "2501.00001", upvotes=7)
    sign_up(cc, "alice")
    assert vote(cc, "2501.00001") == {"paper": "2501.00001", "voted": True, "upvotes": 8}
    assert vote(cc, "2501.00001")["upvotes"] == 8  # the same request again changes nothing
    other = new_client(cc)
    sign_up(other, "bob")
    assert vote(other, "2501.00001")["upvotes"] == 9
    assert vote(cc, "2501.00001", on="0") == {"paper": "2501.00001", "voted": False,
                                              "upvotes": 8}
    assert api_item(cc, "2501.00001")["paper"]["upvotes"] == 8  # type: ignore[index]
    assert store.scalar("SELECT COUNT(*) FROM votes") == 1
    # re-importing the paper with a new imported count keeps the local votes
    add_paper(store, settings, "2501.00001", upvotes=10)
    paper = store.get_paper("2501.00001")
    assert paper is not None and paper.upvotes == 11


def test_upvote_without_javascript_redirects_back_and_shows_the_state(
        cc: TestClient, store: SqliteStore, settings: Settings) -> None:
    add_paper(store, settings, "2501.00002")
    anonymous = post(cc, "/papers/2501.00002/upvote", {"on": "1"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_up(cc, "carol")
    response = post(cc, "/papers/2501.00002/upvote", {"on": "1", "next": "/"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = cc.get("/").text
    assert 'aria-pressed="true"' in page and 'name="on" value="0"' in page
    evil = post(cc, "/papers/2501.00002/upvote", {"on": "1", "next": "//evil.example/"})
    assert evil.headers["location"] == "/papers/2501.00002"
    assert post(cc, "/papers/9999.99999/upvote", {"on": "1"}).status_code == 404


def test_submit_by_id_or_url_fetches_new_papers_and_shows_the_submitter(
        cc: TestClient, store: SqliteStore, settings: Settings, fake_arxiv: FakeArxiv) -> None:
    add_paper(store, settings, "2502.00001", daily=False)
    sign_up(cc, "dave")
    first = post(cc, "/submit", {"paper": "https://arxiv.org/abs/2502.01234v2",
                                 "comment": "Worth it"})
    assert first.status_code == 303 and first.headers["location"] == "/papers/2502.01234"
    assert len(fake_arxiv.requests) == 1
    fetched = store.get_paper("2502.01234")
    assert fetched is not None and fetched.version == 2 and fetched.authors[0].name == "Grace Hopper"
    assert post(cc, "/submit", {"paper": "2502.00001"}).status_code == 303
    assert len(fake_arxiv.requests) == 1  # papers in the catalog are not fetched
    item = api_item(cc, "2502.01234")
    assert item["submittedBy"]["user"] == "dave"
    assert "submitted by" in cc.get("/").text and "/users/dave" in cc.get("/").text
    assert "submitted by" in cc.get("/papers/2502.01234").text
    dup = post(new_client(cc), "/submit", {"paper": "2502.01234"})
    assert dup.status_code == 303  # not logged in: sent to the login page
    again = post(cc, "/submit", {"paper": "arXiv:2502.01234"})
    assert again.status_code == 409 and "already on the daily list" in again.text
    missing = post(cc, "/submit", {"paper": "2502.09999"})
    assert missing.status_code == 400 and "arXiv has no paper" in missing.text
    junk = post(cc, "/submit", {"paper": "not an id"})
    assert junk.status_code == 400 and "is not an arXiv id or URL" in junk.text


def test_submissions_are_limited_per_user_per_day(
        cc: TestClient, store: SqliteStore, settings: Settings) -> None:
    for n in range(settings.submissions_per_day + 1):
        add_paper(store, settings, f"2503.0000{n}", daily=False)
    sign_up(cc, "erin")
    for n in range(settings.submissions_per_day):
        assert post(cc, "/submit", {"paper": f"2503.0000{n}"}).status_code == 303
    over = post(cc, "/submit", {"paper": f"2503.0000{settings.submissions_per_day}"})
    assert over.status_code == 429 and "at most 5 papers a day" in over.text


def test_threaded_comments_edit_delete_hide_and_counts(
        cc: TestClient, store: SqliteStore, settings: Settings) -> None:
    add_paper(store, settings, "2504.00001")
    sign_up(cc, "frank")
    assert post(cc, "/papers/2504.00001/comments", {"body": "**First** <b>raw</b>"}
                ).status_code == 303
    root = int(store.scalar("SELECT MAX(id) FROM comments"))
    other = new_client(cc)
    sign_up(other, "gina")
    post(other, "/papers/2504.00001/comments", {"body": "A reply", "parent_id": str(root)})
    reply = int(store.scalar("SELECT MAX(id) FROM comments"))
    page = cc.get("/papers/2504.00001").text
    assert "<strong>First</strong> &lt;b&gt;raw&lt;/b&gt;" in page
    assert page.index(f'id="c{root}"') < page.index(f'id="c{reply}"')
    assert api_item(cc, "2504.00001")["numComments"] == 2
    assert post(other, f"/comments/{root}/edit", {"body": "hijack"}).status_code == 403
    assert post(cc, f"/comments/{root}/edit", {"body": "Edited text"}).status_code == 303
    assert "Edited text" in cc.get("/papers/2504.00001").text
    assert post(other, f"/comments/{root}/hide", {}).status_code == 403
    assert post(cc, f"/comments/{root}/delete", {}).status_code == 303
    page = cc.get("/papers/2504.00001").text
    assert "Edited text" not in page and "A reply" in page and "Deleted" in page
    assert api_item(cc, "2504.00001")["numComments"] == 1
    make_admin(store, "frank")
    assert post(cc, f"/comments/{reply}/hide", {}).status_code == 303
    assert "A reply" not in cc.get("/papers/2504.00001").text
    assert api_item(cc, "2504.00001")["numComments"] == 0
    empty = post(cc, "/papers/2504.00001/comments", {"body": "   "})
    assert empty.status_code == 400


def test_organizations_admins_create_members_attach_their_papers(
        cc: TestClient, store: SqliteStore, settings: Settings) -> None:
    sign_up(cc, "admin")
    make_admin(store, "admin")
    member = new_client(cc)
    sign_up(member, "mia")
    assert post(member, "/organizations", {"name": "lab", "fullname": "A Lab"}
                ).status_code == 403
    assert post(cc, "/organizations", {"name": "lab", "fullname": "A Lab"}).status_code == 303
    assert post(cc, "/organizations", {"name": "bad name!"}).status_code == 400
    add_paper(store, settings, "2505.00001", submitted_by="mia")
    add_paper(store, settings, "2505.00002", daily=False)
    assert post(member, "/organizations/lab/papers", {"paper": "2505.00001"}).status_code == 403
    assert post(cc, "/organizations/lab/members", {"username": "mia"}).status_code == 303
    assert post(member, "/organizations/lab/papers", {"paper": "2505.00001"}).status_code == 303
    assert post(member, "/organizations/lab/papers", {"paper": "2505.00002"}).status_code == 403
    assert post(cc, "/organizations/lab/papers", {"paper": "2505.00002"}).status_code == 303
    page = cc.get("/organizations/lab").text
    assert "A Lab" in page and "/users/mia" in page and "2505.00001" in page
    assert "2505.00002" in page
    assert api_item(cc, "2505.00001")["organization"]["name"] == "lab"  # type: ignore[index]
    assert cc.get("/organizations/nope").status_code == 404
    assert "A Lab" in cc.get("/organizations").text


def test_trending_page_and_api_sort(cc: TestClient, store: SqliteStore,
                                    settings: Settings) -> None:
    now = datetime.now(UTC)
    add_paper(store, settings, "2506.00001", "Old but loved", upvotes=30,
              when=now - timedelta(hours=30))
    add_paper(store, settings, "2506.00002", "Fresh and liked", upvotes=10,
              when=now - timedelta(hours=1))
    add_paper(store, settings, "2506.00003", "Fresh, no votes", upvotes=0,
              when=now - timedelta(minutes=5))
    ids = [i["paper"]["id"] for i in cc.get("/api/daily_papers?sort=trending").json()]
    assert ids == ["2506.00002", "2506.00003", "2506.00001"]
    top = [i["paper"]["id"] for i in cc.get("/api/daily_papers?sort=upvotes").json()]
    assert top[0] == "2506.00001"
    page = cc.get("/trending").text
    assert page.index("Fresh and liked") < page.index("Old but loved")
    for sort in ("top", "new", "comments"):
        for window in ("day", "week", "month", "all"):
            assert cc.get(f"/trending?sort={sort}&t={window}").status_code == 200
    top_page = cc.get("/trending?sort=top&t=all").text
    assert top_page.index("Old but loved") < top_page.index("Fresh and liked")
    assert cc.get("/trending?sort=bogus").status_code == 400
    assert cc.get("/?sort=trending").status_code == 200
