"""Domain objects of the digests capability (frozen dataclasses, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from paperwire.models import Paper
from paperwire.periods import Period, day_period, week_period

FREQUENCIES = ("daily", "weekly")
SECTIONS = ("trending", "keywords", "categories", "follows", "for_you", "interests")
SECTION_TITLES = {
    "trending": "Trending",
    "for_you": "For you",
    "keywords": "Matching your saved searches",
    "categories": "In your arXiv categories",
    "follows": "From organizations and authors you follow",
    "interests": "Similar to papers you upvoted",
}
STATUSES = ("pending", "confirmed", "unsubscribed", "bounced")
MAX_SIZE = 50


@dataclass(frozen=True)
class Preferences:
    """What a subscriber wants: how often, how many papers per section, which sections."""

    frequency: str = "daily"
    size: int = 10
    sections: tuple[str, ...] = SECTIONS
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    mute_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    status: str
    token: str
    preferences: Preferences = field(default_factory=Preferences)
    username: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


def build_period(frequency: str, day: date) -> Period:
    """The day ``day`` (daily) or the ISO week containing it (weekly)."""
    return week_period(day) if frequency == "weekly" else day_period(day)


def outbox_key(period: Period) -> str:
    """The key the outbox stores a digest of ``period`` under: ``daily:2025-10-13`` or
    ``weekly:2025-W42``."""
    return f"{period.frequency}:{period.key}"


def digest_label(period: Period) -> str:
    """How a digest names its period: ``week 2025-W42`` or ``Monday, 13 October 2025``."""
    if period.kind == "week":
        return f"week {period.key}"
    return period.label


@dataclass(frozen=True)
class DigestSection:
    key: str
    papers: tuple[Paper, ...]

    @property
    def title(self) -> str:
        return SECTION_TITLES.get(self.key, self.key)


@dataclass(frozen=True)
class Digest:
    """A subscriber's digest; ``hidden_muted`` papers were left out by the account's mutes."""

    period: Period
    sections: tuple[DigestSection, ...]
    hidden_muted: int = 0

    @property
    def label(self) -> str:
        return digest_label(self.period)

    @property
    def papers(self) -> tuple[Paper, ...]:
        return tuple(p for section in self.sections for p in section.papers)

    @property
    def items(self) -> tuple[tuple[str, str], ...]:
        """(paper id, section) in order: what the outbox stores."""
        return tuple((p.id, s.key) for s in self.sections for p in s.papers)


@dataclass(frozen=True)
class OutboxDraft:
    """A digest about to be queued: created together with its items in one transaction."""

    subscriber_id: int
    message_id: str
    items: tuple[tuple[str, str], ...]
    hidden_muted: int = 0


@dataclass(frozen=True)
class OutboxEntry:
    """A queued digest, with the subscriber as it is now."""

    id: int
    period: str
    status: str
    attempts: int
    message_id: str
    subscriber: Subscriber
    items: tuple[tuple[str, str], ...]
    hidden_muted: int = 0


def parse_period_key(key: str) -> Period:
    """The period an outbox key (``daily:2025-10-13``, ``weekly:2025-W42``) names."""
    frequency, _, value = key.partition(":")
    if frequency == "weekly":
        year, week = value.split("-W")
        return build_period("weekly", date.fromisocalendar(int(year), int(week), 1))
    return build_period("daily", date.fromisoformat(value))
