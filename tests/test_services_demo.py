"""The demo catalog spreads its 80 papers over a handful of recent days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.services.community import today
from paperwire.services.demo import DEMO_DAYS, build_moves, load_demo
from paperwire.storage.sqlite import SqliteStore


def test_demo_days_look_like_real_days(client: TestClient, store: SqliteStore,
                                       settings: Settings) -> None:
    load_demo(store, settings)
    end = today(settings)
    per_day = [store.count_daily(end - timedelta(days=n), end - timedelta(days=n))
               for n in range(DEMO_DAYS)]
    assert sum(per_day) == store.count_daily(date.min, date.max) >= 75
    assert min(per_day) >= 12
    home = client.get("/")
    assert home.text.count("<article class=\"card") >= 12
    assert "most recent day with papers" not in home.text
    trending = client.get("/trending")
    assert "No papers here yet" not in trending.text
    assert trending.text.count('<article class="card') >= 30


def test_moves_keep_the_order_and_fill_days_evenly(settings: Settings) -> None:
    ids = [f"p{n}" for n in range(11)]
    moves = build_moves(ids, date(2025, 10, 10), 3, settings)
    days = [day for _, day, _ in moves]
    assert days == sorted(days) and days[0] == date(2025, 10, 8) and days[-1] == date(2025, 10, 10)
    assert [days.count(d) for d in sorted(set(days))] == [4, 4, 3]
    times = [when for _, _, when in moves]
    assert times[0] < times[1] and times[0].hour == 8


def test_todays_papers_are_never_submitted_after_now(settings: Settings) -> None:
    now = datetime(2025, 10, 10, 0, 50, tzinfo=UTC)
    moves = build_moves([f"p{n}" for n in range(12)], now.date(), 3, settings, now)
    times = [when for _, _, when in moves]
    assert max(times) <= now and times == sorted(times)
    assert len(set(times)) == 12 and all(t.date() == d for _, d, t in moves)
