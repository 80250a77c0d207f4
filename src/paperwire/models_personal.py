"""Domain objects of personal relevance: follows, mutes, collections (frozen, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

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
        """How the follow reads in a sentence: "category cs.CL", "saved search 'x' (cs.CL)"."""
        if self.kind != "search":
            return f"{self.kind} {self.value}"
        params = dict(parse_qsl(self.value))
        extra = ", ".join(f"{v}" if k == "category" else f"{k} {v}"
                          for k, v in sorted(params.items()) if k not in ("q", "mode"))
        return f"saved search “{params.get('q', '')}”" + (f" ({extra})" if extra else "")


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


TOKEN_KINDS = ("api", "feed")
FEED_SCOPES = ("for-you", "following")


@dataclass(frozen=True)
class PersonalToken:
    """An API token or a private feed URL; only its hash is stored. ``scope`` of a feed is
    "for-you", "following" or "collection:<id>"; of an API token, "api"."""

    id: int
    user_id: int
    kind: str
    scope: str
    label: str
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True)
class KeptModel:
    """A user's trained "For you" model as the store keeps it: the signals version it was
    trained for, when, the encoded model (``relevance_training.encode_model``) and when a
    request of the user last trained it (None: only the pre-training job did)."""

    user_id: int
    version: str
    trained_at: datetime
    data: bytes
    requested_at: datetime | None = None
