"""Domain objects of the community capability (frozen dataclasses, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class User:
    """An account. ``username`` is shown as typed; lookups ignore case."""

    id: int
    username: str
    email: str
    is_admin: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True)
class Comment:
    """One comment on a paper; ``parent_id`` makes threads."""

    id: int
    paper_id: str
    username: str
    body: str
    created_at: datetime
    parent_id: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    hidden: bool = False

    @property
    def visible(self) -> bool:
        return not (self.deleted or self.hidden)


@dataclass(frozen=True)
class VoteResult:
    """The state after an upvote request: whether the user's vote is on, and the count."""

    paper_id: str
    voted: bool
    upvotes: int
