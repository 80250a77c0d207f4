"""Periods of the daily list: one day, one ISO week or one month (pure). The pages show them,
and a digest covers one (a daily digest a day, a weekly digest a week)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from paperwire.dates import parse_day
from paperwire.errors import InvalidInput, NotFound

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
FREQUENCIES = {"date": "daily", "week": "weekly", "month": "monthly"}


@dataclass(frozen=True)
class Period:
    kind: str  # "date" | "week" | "month"
    start: date
    end: date

    @property
    def frequency(self) -> str:
        """"daily", "weekly" or "monthly": the word for digests of such periods."""
        return FREQUENCIES[self.kind]

    @property
    def key(self) -> str:
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return self.start.isoformat()

    @property
    def label(self) -> str:
        if self.kind == "week":
            return f"Week {self.key.split('-W')[1]} of {self.start.isocalendar()[0]}"
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        return f"{self.start:%A}, {self.start.day} {self.start:%B %Y}"

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` before (negative) or after (positive) this one."""
        if self.kind == "date":
            return day_period(self.start + timedelta(days=steps))
        if self.kind == "week":
            return week_period(self.start + timedelta(weeks=steps))
        month_index = self.start.year * 12 + self.start.month - 1 + steps
        return month_period(month_index // 12, month_index % 12 + 1)


def day_period(day: date) -> Period:
    return Period("date", day, day)


def week_period(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period("week", start, start + timedelta(days=6))


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period("month", start, following - timedelta(days=1))


def _week(year: int, week: int) -> Period:
    """ISO week ``week`` of ``year``; week 53 of a 52-week year is NotFound (no such week)."""
    if week == 53 and date(year, 12, 28).isocalendar()[1] == 52:
        raise NotFound(f"week {year}-W53 does not exist: {year} has 52 ISO weeks")
    return week_period(date.fromisocalendar(year, week, 1))


def parse_period(kind: str, value: str) -> Period:
    """Parse ``YYYY-MM-DD`` (date), ``YYYY-Www`` (week) or ``YYYY-MM`` (month)."""
    try:
        if kind == "date":
            return day_period(parse_day(value, "date"))
        if kind == "week" and (m := _WEEK.fullmatch(value)):
            return _week(int(m.group(1)), int(m.group(2)))
        if kind == "month" and (m := _MONTH.fullmatch(value)):
            return month_period(int(m.group(1)), int(m.group(2)))
    except ValueError:
        pass
    examples = {"date": "2025-10-13", "week": "2025-W42", "month": "2025-10"}
    raise InvalidInput(
        f"{kind} {value[:40]!r} is not valid (expected e.g. {examples.get(kind, '?')})", field=kind
    )


def human_date(day: date) -> str:
    """``Oct 3, 2025``: the one date format of pages and notes (a datetime gives its date)."""
    return f"{day:%b} {day.day}, {day.year}"
