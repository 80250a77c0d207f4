"""Paper lists less what the signed-in user muted, still in full pages: the JSON API's lists
and the site's pages (daily lists, trending, search, an organization's papers, similar papers).

A page of a list with mutes is a page of the list *after* the muted papers are taken out: page
``p`` holds the kept papers ``p*limit`` to ``(p+1)*limit - 1``, so a page is only short at the
end of the list. ``hidden`` counts the muted papers that fall on the page's stretch of the
list: those before the page's first paper (after the previous page's last) and between its
papers, plus those after its last paper when no kept paper follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from paperwire.config import Settings
from paperwire.models import DailyEntry, Page, Paper
from paperwire.models_community import User
from paperwire.models_personal import Mute
from paperwire.periods import Period
from paperwire.ranking import DEFAULT_GRAVITY
from paperwire.search.records import SearchFilters, SearchHit, SearchResults
from paperwire.services import catalog, community, organizations, papers_api
from paperwire.services.follows import muted_by
from paperwire.services.search import SearchService
from paperwire.services.search_results import build_listed_hit
from paperwire.storage import Store

T = TypeVar("T")
CHUNK = 100
WHOLE_CHUNK = 1000  # papers read at a time when a list is read whole
SIMILAR_DEPTH = 120  # the most similar papers read to make up for muted ones


class MuteTally:
    """Decides whether a paper is muted and remembers where in the kept list each muted
    paper fell (the number of kept papers before it)."""

    def __init__(self, mutes: Sequence[Mute]) -> None:
        self.mutes = tuple(mutes)
        self.positions: list[int] = []

    def __call__(self, paper: Paper, kept_before: int) -> bool:
        """True (and counted) when ``paper`` is muted; ``kept_before`` kept papers precede it."""
        if not self.mutes or muted_by(paper, self.mutes) is None:
            return False
        self.positions.append(kept_before)
        return True

    def reset(self) -> None:
        self.positions.clear()

    def hidden_in(self, offset: int, limit: int, more: bool, shown: int) -> int:
        """How many muted papers fall on the page of kept papers ``offset..offset+limit-1``
        that shows ``shown`` papers: those after its last one too when ``more`` is False,
        none on an empty page past the end."""
        if not more and not shown and offset > 0:
            return 0
        end = offset + limit if more else offset + limit + 1
        return sum(1 for at in self.positions if offset <= at < end)


@dataclass(frozen=True)
class KeptPage(Generic[T]):
    """One page of a list less the muted papers."""

    items: tuple[T, ...]
    hidden: int
    more: bool


def user_mutes(store: Store, user: User | None, show_muted: bool) -> list[Mute]:
    """The mutes that apply to a request: none when anonymous or asked to show them."""
    return [] if user is None or show_muted else store.list_mutes(user.id)


def build_kept_page(source: Iterable[T], tally: MuteTally, paper_of: Callable[[T], Paper],
                    offset: int, limit: int) -> KeptPage[T]:
    """The kept items ``offset..offset+limit-1`` of ``source``, reading no further than the
    first kept item after them (which sets ``more``)."""
    items: list[T] = []
    kept = 0
    for item in source:
        if tally(paper_of(item), kept):
            continue
        if kept >= offset + limit:
            return KeptPage(tuple(items), tally.hidden_in(offset, limit, True, len(items)),
                            True)
        if kept >= offset:
            items.append(item)
        kept += 1
    return KeptPage(tuple(items), tally.hidden_in(offset, limit, False, len(items)), False)


def build_counted_page(source: Iterable[T], mutes: Sequence[Mute],
                       paper_of: Callable[[T], Paper], page: int, limit: int) -> tuple[Page[T], int]:
    """Page ``page`` of the kept items of ``source`` (read to its end, so that the page's
    total counts every kept item) and how many muted items fell on it."""
    tally = MuteTally(mutes)
    start = page * limit
    items: list[T] = []
    kept = 0
    for item in source:
        if tally(paper_of(item), kept):
            continue
        if start <= kept < start + limit:
            items.append(item)
        kept += 1
    hidden = tally.hidden_in(start, limit, kept > start + limit, len(items))
    return Page(tuple(items), kept, page, limit), hidden


def iter_chunks(read: Callable[[int, int], Sequence[T]], size: int = CHUNK) -> Iterator[T]:
    """Every item of a list read ``size`` at a time (``read(offset, limit)``)."""
    offset = 0
    while True:
        chunk = read(offset, size)
        yield from chunk
        if len(chunk) < size:
            return
        offset += size


# -- the daily lists and the pages of the site -------------------------------------------
def daily_listing(store: Store, mutes: Sequence[Mute], period: Period, sort: str, page: int,
                  limit: int, submitter: str | None = None,
                  gravity: float = DEFAULT_GRAVITY) -> tuple[catalog.DailyListing, int]:
    """Page ``page`` of a period's list (``catalog.daily_listing``) with the muted papers
    taken out and the page filled from the rest of the period, and how many were hidden on
    it; the total counts the kept papers. With mutes, the period's list is read whole (as
    the trending order always does)."""
    listing = catalog.daily_listing(store, period, sort, page, limit, submitter, gravity)
    if not mutes:
        return listing, 0
    whole = catalog.daily_entries(store, period, sort, submitter, gravity)
    shown, hidden = build_counted_page(whole, mutes, _paper_of_entry, page, limit)
    return replace(listing, page=shown), hidden


def community_listing(store: Store, settings: Settings, mutes: Sequence[Mute], sort: str,
                      window: str, page: int, limit: int) -> tuple[community.CommunityListing,
                                                                   int]:
    """``community.community_listing`` (the trending page) less the muted papers, and how
    many were hidden on the page; with mutes, the window's list is read whole."""
    if not mutes:
        return community.community_listing(store, settings, sort, window, page, limit), 0
    whole, note = community.community_entries(store, settings, sort, window)
    shown, hidden = build_counted_page(whole, mutes, _paper_of_entry, page, limit)
    return community.CommunityListing(sort, window, shown, note), hidden


def organization_page(store: Store, mutes: Sequence[Mute], name: str, page: int,
                      limit: int) -> tuple[organizations.OrganizationPage, int]:
    """``organizations.organization_page`` less the muted papers, and how many were hidden
    on the page; with mutes, the organization's papers are read whole, a chunk at a time."""
    found = organizations.organization_page(store, name, page, limit)
    if not mutes:
        return found, 0
    org = found.organization.name
    source = iter_chunks(lambda offset, size: store.list_org_papers(org, offset, size),
                         WHOLE_CHUNK)
    shown, hidden = build_counted_page(source, mutes, _same, page, limit)
    return replace(found, papers=shown), hidden


# -- search and the catalog ---------------------------------------------------------------
@dataclass(frozen=True)
class SearchPage:
    """One page of ``/api/papers/search``: hits, whether more follow, muted papers hidden."""

    hits: tuple[SearchHit, ...]
    more: bool
    hidden: int = 0


def search_page(search: SearchService, store: Store, mutes: Sequence[Mute], q: str | None,
                mode: str, filters: SearchFilters, page: int, limit: int) -> SearchPage:
    """Papers matching ``q`` and ``filters`` (without either, the newest papers), page
    ``page`` of the list less the muted papers."""
    if q is None and not filters.active:
        return _newest_page(store, mutes, page, limit)
    results, hidden = search_results(search, mutes, q or "", mode, filters, page, limit)
    return SearchPage(results.hits, results.more, hidden)


def search_results(search: SearchService, mutes: Sequence[Mute], q: str, mode: str,
                   filters: SearchFilters, page: int, limit: int) -> tuple[SearchResults, int]:
    """Page ``page`` of the results of ``q`` and ``filters`` less the muted papers (the
    ranking read deeper when they leave the page short), and how many were hidden on it."""
    tally = MuteTally(mutes) if mutes else None
    results = search.search(q, mode, limit, page * limit, filters, refresh=False, hide=tally)
    hidden = 0 if tally is None else tally.hidden_in(page * limit, limit, results.more,
                                                     len(results.hits))
    return results, hidden


def _newest_page(store: Store, mutes: Sequence[Mute], page: int, limit: int) -> SearchPage:
    if not mutes:
        newest = papers_api.newest_papers(store, page * limit, limit)
        return SearchPage(tuple(build_listed_hit(p) for p in newest), False)
    source = iter_chunks(lambda offset, size: papers_api.newest_papers(store, offset, size),
                         max(CHUNK, limit + 1))
    kept = build_kept_page(source, MuteTally(mutes), _same, page * limit, limit)
    return SearchPage(tuple(build_listed_hit(p) for p in kept.items), kept.more, kept.hidden)


def catalog_page(store: Store, mutes: Sequence[Mute], cursor: str | None,
                 limit: int) -> tuple[papers_api.CatalogPage, int]:
    """``papers_api.catalog_page`` less the muted papers, and how many were hidden (the
    next cursor is the last paper shown, so the hidden papers after it count on the next
    page)."""
    if not mutes:
        return papers_api.catalog_page(store, cursor, limit), 0
    papers_api.check_catalog_limit(limit)
    after = papers_api.cursor_key(store, cursor) if cursor else None
    source = _papers_after(store, after, max(CHUNK, limit + 1))
    kept = build_kept_page(source, MuteTally(mutes), _same, 0, limit)
    next_cursor = kept.items[-1].id if kept.more and kept.items else None
    return papers_api.CatalogPage(kept.items, next_cursor), kept.hidden


def _papers_after(store: Store, after: tuple[str, str] | None, size: int) -> Iterator[Paper]:
    """The catalog newest first from after ``after``, read ``size`` papers at a time."""
    while True:
        chunk = store.list_papers_after(after, size)
        yield from chunk
        if len(chunk) < size:
            return
        after = papers_api.paper_key(chunk[-1])


def _same(paper: Paper) -> Paper:
    return paper


def _paper_of_entry(entry: DailyEntry) -> Paper:
    return entry.paper


# -- similar papers -----------------------------------------------------------------------
def similar_page(find: Callable[[int], Sequence[Paper]], mutes: Sequence[Mute],
                 limit: int, deepest: int = SIMILAR_DEPTH) -> KeptPage[Paper]:
    """The ``limit`` nearest papers that are not muted, ``find(n)`` giving the ``n``
    nearest: read deeper (4 times, up to ``deepest``) while muted papers leave it short.
    ``hidden`` counts the muted papers nearer than the last one shown (all of those read
    when fewer than ``limit`` are kept)."""
    depth = limit
    while True:
        found = find(depth)
        tally = MuteTally(mutes)
        kept = build_kept_page(found, tally, _same, 0, limit)
        if len(kept.items) >= limit or len(found) < depth or depth >= deepest:
            full = len(kept.items) >= limit
            return replace(kept, hidden=tally.hidden_in(0, limit, full, len(kept.items)))
        depth = min(depth * 4, deepest)
