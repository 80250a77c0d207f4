"""RSS and Atom feeds: the daily list, trending, each organization, each search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from email.utils import format_datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import NotFound
from paperwire.models import Paper
from paperwire.services import catalog, community, organizations
from paperwire.web.deps import SearchDep, SettingsDep, StoreDep
from paperwire.web.feeds import FORMATS, FeedItem, feed_updated, render_feed

router = APIRouter(include_in_schema=False)
FEED_SIZE = 50


def _fmt(ext: str) -> str:
    if ext not in FORMATS:
        raise NotFound(f"no feed format {ext[:10]!r} (use .rss or .atom)")
    return ext


def feed_response(request: Request, settings: Settings, ext: str, title: str, page_path: str,
          items: Sequence[FeedItem], as_of: datetime | None = None) -> Response:
    """``as_of``: the list's own date (an empty daily list is dated by its day, never 1970)."""
    base = settings.base_url.rstrip("/")
    fmt = _fmt(ext)
    self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    as_of = as_of or now_utc()
    body = render_feed(fmt, title, base + page_path, self_url, items, base, as_of)
    modified = format_datetime(feed_updated(items, as_of).astimezone(UTC), usegmt=True)
    return Response(body, media_type=FORMATS[fmt], headers={"Last-Modified": modified})


@router.get("/daily.{ext}")
def daily_feed(request: Request, store: StoreDep, settings: SettingsDep, ext: str) -> Response:
    period = catalog.resolve_period(store, settings)
    listing = catalog.daily_listing(store, period, "upvotes", 0, FEED_SIZE)
    items = [FeedItem(e.paper, e.submitted_at) for e in listing.page.items]
    day_start = datetime.combine(period.start, time(), tzinfo=settings.zone)
    return feed_response(request, settings, ext, f"{settings.site_name}: daily papers {period.key}", "/",
                 items, day_start)


@router.get("/trending.{ext}")
def trending_feed(request: Request, store: StoreDep, settings: SettingsDep, ext: str) -> Response:
    listing = community.community_listing(store, settings, "trending", "week", 0,
                                          FEED_SIZE)
    items = [FeedItem(e.paper, e.submitted_at) for e in listing.page.items]
    return feed_response(request, settings, ext, f"{settings.site_name}: trending papers", "/trending", items)


@router.get("/organizations/{name}.{ext}")
def organization_feed(request: Request, store: StoreDep, settings: SettingsDep, name: str,
                      ext: str) -> Response:
    found = organizations.organization_page(store, name, 0, FEED_SIZE)
    org = found.organization
    items = [FeedItem(p) for p in found.papers.items]
    return feed_response(request, settings, ext, f"{settings.site_name}: papers of {org.fullname}",
                 f"/organizations/{quote(org.name)}", items)


@router.get("/search.{ext}")
def search_feed(request: Request, store: StoreDep, settings: SettingsDep, search: SearchDep,
                ext: str,
                q: Annotated[str, Query(max_length=250)] = "") -> Response:
    _fmt(ext)
    def find() -> list[Paper]:
        return community.search_papers(store, search, q, FEED_SIZE)

    papers = search.within_deadline(find)
    items = [FeedItem(p) for p in papers]
    return feed_response(request, settings, ext, f"{settings.site_name}: search {q[:100]!r}",
                 f"/search?q={quote(q)}", items)
