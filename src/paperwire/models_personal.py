"""Domain objects of personal relevance: follows, mutes, collections (frozen, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperwire.models import Paper

FOLLOW_KINDS = ("author", "organization", "category", "search")
MUTE_KINDS = ("category", "keyword", "author")


@dataclass(frozen=True)
class Follow:
    """Something a user follows; ``value`` of a saved search is its query string."""

    id: int
    kind: str
    value: str
    created_at: datetime

    @property
    def label(self) -> str:
        names = {"author": "author", "organization": "organization", "category": "category",
                 "search": "saved search"}
        return f"{names.get(self.kind, self.kind)} {self.value}"


@dataclass(frozen=True)
class Mute:
    id: int
    kind: str
    value: str
    created_at: datetime


@dataclass(frozen=True)
class Collection:
    id: int
    owner_id: int
    owner: str
    name: str
    is_public: bool
    created_at: datetime
    size: int = 0


@dataclass(frozen=True)
class CollectionItem:
    paper: Paper
    note: str
    position: int
    added_at: datetime
