"""The trending score (pure, reproducible).

A paper's trending score at time ``now`` is::

    score = (upvotes + 1) / (age_hours + 2) ** gravity

where ``upvotes`` is the paper's upvote count (imported upvotes plus local votes),
``age_hours`` is the time in hours since the paper was put on the daily list (or, for a
paper never on a daily list, since it was published; 0 when neither is known, and never
negative), and ``gravity`` is the setting ``trending_gravity`` (default 1.8). The ``+ 1``
lets a fresh paper with no votes rank by age; the ``+ 2`` keeps the first hours from
dominating. Ties are broken by more upvotes, then the newer submission, then the paper id,
so the same data always gives the same order.

Trending lists consider papers put on a daily list in the last ``TRENDING_WINDOW_DAYS`` days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from paperwire.models import DailyEntry

DEFAULT_GRAVITY = 1.8
TRENDING_WINDOW_DAYS = 7


def trending_score(upvotes: int, since: datetime | None, now: datetime,
                   gravity: float = DEFAULT_GRAVITY) -> float:
    """The score of one paper with ``upvotes`` votes, listed/published at ``since``."""
    age_hours = 0.0 if since is None else max(0.0, (now - since).total_seconds() / 3600)
    return float((max(upvotes, 0) + 1) / (age_hours + 2) ** gravity)



def rank_trending(entries: Sequence[DailyEntry], now: datetime,
                  gravity: float = DEFAULT_GRAVITY) -> list[DailyEntry]:
    """Daily entries ordered by trending score (highest first), ties broken deterministically."""

    def key(entry: DailyEntry) -> tuple[float, int, float, str]:
        score = trending_score(entry.paper.upvotes, entry.submitted_at, now, gravity)
        return (-score, -entry.paper.upvotes, -entry.submitted_at.timestamp(), entry.paper.id)

    return sorted(entries, key=key)
