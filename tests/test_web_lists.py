"""Lists fall back to the most recent period with papers and say so; feeds are never dated
1970; ?p past the last page is a 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import add_paper

OLD = datetime(2025, 10, 17, 9, 0, tzinfo=UTC)


def add_old_paper(store: SqliteStore, settings: Settings) -> None:
    add_paper(store, settings, "2510.00001", "An old paper", daily=False, when=OLD)
    store.move_daily([])
    from paperwire.models import DailySubmission
    store.add_daily_submission(DailySubmission("2510.00001", OLD.date(), OLD))


def test_home_and_trending_fall_back_to_the_latest_papers_and_say_so(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    add_old_paper(store, settings)
    home = client.get("/").text
    assert "An old paper" in home
    assert "showing Oct 17, 2025, the most recent day with papers" in home
    trending = client.get("/trending").text
    assert "An old paper" in trending and "No papers here yet" not in trending
    assert "No papers were listed in the last 7 days; showing the 7 days up to Oct 17, 2025" \
        in trending
    top_day = client.get("/trending?sort=top&t=day").text
    assert "An old paper" in top_day and "showing the day up to Oct 17, 2025" in top_day


def test_feeds_are_dated_by_their_list_never_1970(client: TestClient, store: SqliteStore,
                                                  settings: Settings) -> None:
    for ext in ("rss", "atom"):
        empty = client.get(f"/trending.{ext}")
        assert "1970" not in empty.text
        parsed = feedparser.parse(empty.text)
        year = (parsed.feed.get("updated_parsed") or parsed.feed.get("published_parsed"))[0]
        assert year >= datetime.now(UTC).year - 1
    add_old_paper(store, settings)
    daily = client.get("/daily.atom")
    assert "1970" not in daily.text and "2025-10-17" in daily.text
    assert daily.headers["last-modified"] == "Fri, 17 Oct 2025 09:00:00 GMT"


def test_a_page_past_the_end_is_not_found(client: TestClient, store: SqliteStore,
                                          settings: Settings) -> None:
    for n in range(3):
        add_paper(store, settings, f"2511.0000{n}", when=datetime.now(UTC) - timedelta(hours=n))
    assert client.get("/papers?p=0").status_code == 200
    missing = client.get("/papers?p=99")
    assert missing.status_code == 404 and "page 100 does not exist" in missing.text
    assert client.get("/?p=5").status_code == 404
