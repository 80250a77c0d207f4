"""The demo catalog: 80 real papers from a Hugging Face Daily Papers page and API answer,
spread over the last few days so each day of the demo looks like a real day of the site."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from importlib import resources

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.models import ImportReport
from paperwire.services import catalog
from paperwire.services.community import today
from paperwire.storage import Store

DEMO_YEAR = 2025  # the year the demo page was captured: its dates without a year are 2025
DEMO_DAYS = 5


def load_demo(store: Store, settings: Settings) -> list[ImportReport]:
    """Import the demo files into the catalog, then spread the list over DEMO_DAYS days."""
    data = resources.files("paperwire") / "data"
    reports = []
    with resources.as_file(data / "demo-page.txt") as page, \
            resources.as_file(data / "demo-hf.json") as hf:
        for fmt, path, year in (("hf-page", page, DEMO_YEAR), ("hf", hf, None)):
            reports.append(catalog.import_file(store, settings, fmt, path, year=year))
    spread_over_days(store, settings, today(settings))
    return reports


def build_moves(paper_ids: list[str], end: date, days: int, settings: Settings,
                now: datetime | None = None) -> list[tuple[str, date, datetime]]:
    """Paper ids (oldest first) in ``days`` nearly equal runs ending on ``end``; within a day
    they were submitted a few minutes apart from 08:00 on, and never after ``now`` (on a day
    that is not that far yet, they are squeezed in between midnight and ``now``)."""
    per_day = -(-len(paper_ids) // days) if paper_ids else 1
    latest = (now or now_utc()) - timedelta(minutes=1)
    moves = []
    for index, paper_id in enumerate(paper_ids):
        day = end - timedelta(days=days - 1 - index // per_day)
        start, step = day_times(day, per_day, latest, settings)
        moves.append((paper_id, day, start + step * (index % per_day)))
    return moves


def day_times(day: date, count: int, latest: datetime, settings: Settings
              ) -> tuple[datetime, timedelta]:
    """When the first of ``count`` submissions of ``day`` came, and the time between two."""
    start, step = datetime.combine(day, time(8), tzinfo=settings.zone), timedelta(minutes=7)
    if start + step * (count - 1) <= latest:
        return start, step
    midnight = datetime.combine(day, time(0), tzinfo=settings.zone)
    step = min(step, max(latest - midnight, timedelta(0)) / max(count, 1))
    return max(midnight, latest - step * (count - 1)), step


def spread_over_days(store: Store, settings: Settings, end: date, days: int = DEMO_DAYS) -> None:
    """Move every daily-list entry onto the ``days`` days up to ``end``, keeping their order."""
    total = store.count_daily(date.min, date.max)
    entries = store.list_daily(date.min, date.max, sort="publishedAt", offset=0, limit=total)
    ordered = sorted(entries, key=lambda e: (e.day, e.submitted_at, e.paper.id))
    store.move_daily(build_moves([e.paper.id for e in ordered], end, days, settings))
