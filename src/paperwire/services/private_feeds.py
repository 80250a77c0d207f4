"""What a private feed holds: the owner's For you list, the new papers of their follows, or
one of their collections. Mutes apply as on the pages; a collection that is gone, or no
longer the owner's, is a 404 like an unknown token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from paperwire.config import Settings
from paperwire.models import Paper
from paperwire.models_community import User
from paperwire.services import collections, follows, for_you
from paperwire.services.follows import SearchFn
from paperwire.storage import Store

FEED_SIZE = 50
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class FeedContent:
    title: str
    page_path: str
    papers: tuple[Paper, ...]


def build_feed(store: Store, settings: Settings, user: User, scope: str,
               search: SearchFn | None, nearest: for_you.NearestFn | None = None
               ) -> FeedContent:
    """The papers of a feed ``scope`` ("for-you", "following", "collection:<id>") of ``user``."""
    if scope == "for-you":
        found = for_you.for_you(store, settings, user, FEED_SIZE, search=search,
                                nearest=nearest)
        return FeedContent(f"{settings.site_name}: for {user.username}", "/for-you",
                           tuple(i.paper for i in found.items))
    if scope == "following":
        return FeedContent(f"{settings.site_name}: followed by {user.username}", "/following",
                           following_papers(store, user, search))
    collection_id = int(scope.removeprefix("collection:"))
    return collection_feed(store, user, collection_id, settings.site_name)


def following_papers(store: Store, user: User, search: SearchFn | None) -> tuple[Paper, ...]:
    """The new papers of every follow, once each, newest first."""
    seen: dict[str, Paper] = {}
    for section in follows.following_feed(store, user, search, False):
        for paper in section.papers:
            seen.setdefault(paper.id, paper)
    ordered = sorted(seen.values(), key=lambda p: (p.published_at or _OLDEST, p.id), reverse=True)
    return tuple(ordered[:FEED_SIZE])


def collection_feed(store: Store, viewer: User | None, collection_id: int,
                    site_name: str) -> FeedContent:
    """A collection's feed as ``viewer`` may see it (the owner, or anyone when public)."""
    shown = collections.view(store, viewer, collection_id)
    name = shown.collection.name
    items = sorted(shown.items, key=lambda i: i.position, reverse=True)[:FEED_SIZE]
    return FeedContent(f"{site_name}: {name}", f"/collections/{collection_id}",
                       tuple(i.paper for i in items))
