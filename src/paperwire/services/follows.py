"""Follows (authors, organizations, arXiv categories, saved searches) and mute filters.

A saved search is a query string (``q`` plus the search filters), stored normalized so that
the same search is followed once. Mutes hide papers from the lists and search results one
user sees: a category the paper is in, a keyword in its title or abstract, an author.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

from paperwire.clock import now_utc
from paperwire.dates import parse_day
from paperwire.errors import InvalidInput, NotFound
from paperwire.models import Paper
from paperwire.models_community import User
from paperwire.models_personal import FOLLOW_KINDS, MUTE_KINDS, Follow, Mute
from paperwire.search.records import SearchFilters
from paperwire.storage import Store

T = TypeVar("T")
MAX_VALUE = 200
PER_FOLLOW = 10
FOLLOW_DEPTH = 640  # the most papers of one follow read to make up for muted ones
CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
SEARCH_KEYS = ("q", "mode", "category", "organization", "date_from", "date_to", "has_code")
SearchFn = Callable[[str, str, SearchFilters], Sequence[Paper]]


@dataclass(frozen=True)
class FollowedSection:
    """One follow and its newest papers (muted ones left out, counted in ``hidden``)."""

    follow: Follow
    papers: tuple[Paper, ...]
    hidden: int = 0


def build_value(kind: str, raw: str, kinds: Sequence[str] = FOLLOW_KINDS) -> tuple[str, str]:
    """The stored value and its matching key for ``kind``; InvalidInput names what is wrong."""
    if kind not in kinds:
        raise InvalidInput(f"kind {kind[:30]!r} is not one of {', '.join(kinds)}", field="kind")
    value = " ".join(raw.split())
    if not value or len(value) > MAX_VALUE:
        raise InvalidInput(f"value must be 1 to {MAX_VALUE} characters", field="value")
    if kind == "category" and not CATEGORY.match(value):
        raise InvalidInput(f"category {value[:40]!r} is not an arXiv category such as cs.CL",
                           field="value")
    if kind == "search":
        value = build_search_value(raw)
    return value, value.casefold() if kind != "search" else value


def build_search_value(raw: str) -> str:
    """A saved search as a normalized query string; plain text is taken as ``q``."""
    text = raw.strip().lstrip("?")
    pairs = parse_qsl(text, keep_blank_values=False) if "=" in text else [("q", text)]
    kept = {k: " ".join(v.split()) for k, v in pairs if k in SEARCH_KEYS and v.strip()}
    if not kept.get("q"):
        raise InvalidInput("a saved search needs search text (q)", field="value")
    return urlencode(sorted(kept.items()))


def parse_search_value(value: str) -> tuple[str, str, SearchFilters]:
    """(query, mode, filters) of a stored saved search."""
    params = dict(parse_qsl(value))
    cats = tuple(c.strip() for c in params.get("category", "").split(",") if c.strip())
    return (params.get("q", ""), params.get("mode", "hybrid"),
            SearchFilters(_day(params.get("date_from")), _day(params.get("date_to")), cats,
                          params.get("organization") or None,
                          params.get("has_code", "").lower() in ("1", "true", "on")))


def _day(text: str | None) -> date | None:
    """The day of a stored saved search's date filter; None when it is unset or unreadable."""
    try:
        return parse_day(text, "date") if text else None
    except InvalidInput:
        return None


def follow(store: Store, user: User, kind: str, raw: str) -> Follow:
    value, key = build_value(kind, raw)
    if kind == "organization" and store.get_organization(value) is None:
        raise NotFound(f"organization {value[:60]!r} does not exist")
    store.add_interest("follows", user.id, kind, value, key, now_utc())
    return next(f for f in store.list_follows(user.id) if f.kind == kind and
                (f.value.casefold() if kind != "search" else f.value) == key)


def unfollow(store: Store, user: User, kind: str, raw: str) -> bool:
    _, key = build_value(kind, raw)
    return store.remove_interest("follows", user.id, kind, key)


def follows_of(store: Store, user: User) -> list[Follow]:
    return store.list_follows(user.id)


def is_following(store: Store, user: User | None, kind: str, value: str) -> bool:
    if user is None:
        return False
    key = value.casefold() if kind != "search" else value
    return any(f.kind == kind and (f.value.casefold() if kind != "search" else f.value) == key
               for f in store.list_follows(user.id))


def following_feed(store: Store, user: User, search: SearchFn | None,
                   show_muted: bool = False) -> list[FollowedSection]:
    """Each follow with its newest papers, newest first."""
    mutes = [] if show_muted else store.list_mutes(user.id)
    return [_kept_section(store, item, search, mutes) for item in store.list_follows(user.id)]


def _kept_section(store: Store, item: Follow, search: SearchFn | None,
                  mutes: Sequence[Mute]) -> FollowedSection:
    """The follow's PER_FOLLOW newest papers that are not muted, read deeper (4 times, up to
    FOLLOW_DEPTH) while muted papers leave it short; ``hidden`` counts the muted papers newer
    than the last one shown (all of those read when fewer are shown)."""
    depth = PER_FOLLOW
    while True:
        papers = papers_of_follow(store, item, search, depth)
        kept = [p for p in papers if muted_by(p, mutes) is None]
        if len(kept) >= PER_FOLLOW or len(papers) < depth or depth >= FOLLOW_DEPTH:
            break
        depth = min(depth * 4, FOLLOW_DEPTH)
    shown = kept[:PER_FOLLOW]
    if len(kept) > PER_FOLLOW:
        papers = papers[:papers.index(shown[-1]) + 1]
    return FollowedSection(item, tuple(shown), len(papers) - len(shown))


def papers_of_follow(store: Store, item: Follow, search: SearchFn | None,
                     limit: int = PER_FOLLOW) -> list[Paper]:
    """The newest papers of one follow (a saved search needs ``search``)."""
    if item.kind != "search":
        return store.papers_followed(item.kind, item.value, limit)
    if search is None:
        return []
    q, mode, filters = parse_search_value(item.value)
    found = list(search(q, mode, filters))
    found.sort(key=lambda p: (p.published_at is not None, p.published_at or 0, p.id),
               reverse=True)
    return found[:limit]


# -- mutes ---------------------------------------------------------------------------
def mute(store: Store, user: User, kind: str, raw: str) -> None:
    value, key = build_value(kind, raw, MUTE_KINDS)
    store.add_interest("mutes", user.id, kind, value, key, now_utc())


def unmute(store: Store, user: User, kind: str, raw: str) -> bool:
    _, key = build_value(kind, raw, MUTE_KINDS)
    return store.remove_interest("mutes", user.id, kind, key)


def mutes_of(store: Store, user: User | None) -> list[Mute]:
    return [] if user is None else store.list_mutes(user.id)


def muted_by(paper: Paper, mutes: Sequence[Mute]) -> Mute | None:
    """The first mute that hides ``paper``, if any (pure)."""
    if not mutes:  # most users: nothing to fold or match
        return None
    text = f"{paper.title} {paper.summary}".casefold()
    authors = {a.name.casefold() for a in paper.authors}
    cats = {c.casefold() for c in paper.categories}
    for item in mutes:
        key = item.value.casefold()
        if item.kind == "category" and key in cats:
            return item
        if item.kind == "author" and key in authors:
            return item
        if item.kind == "keyword" and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text):
            return item
    return None


def hide_muted(items: Sequence[T], mutes: Sequence[Mute],
               paper_of: Callable[[T], Paper]) -> tuple[list[T], int]:
    """``items`` without the muted ones, and how many were hidden (pure)."""
    if not mutes:
        return list(items), 0
    kept = [item for item in items if muted_by(paper_of(item), mutes) is None]
    return kept, len(items) - len(kept)
