"""Routes of the search capability: the search API and page, similar papers.

``setup(app)`` builds the app's ``SearchService`` (``extras["search"]``; an ``embedder``
extra is used when given), puts these routes ahead of ``/api/papers/{id}`` and registers the
``similar_papers`` template helper. Requests only read the indexes (a GET never writes).
While the app runs (its lifespan), a background thread indexes what changed
(``SearchService.refresh``) every ``PAPERWIRE_SEARCH_REFRESH`` seconds, so papers imported
while ``serve`` or ``demo`` runs become searchable within seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from paperwire.models import Paper
from paperwire.search.records import SearchFilters, SearchHit
from paperwire.services.search import MAX_LIMIT, SearchService
from paperwire.web.context import get_ctx
from paperwire.web.hf_shapes import build_organization, build_paper, iso
from paperwire.web.routes.api import RESPONSES
from paperwire.web.templating import environment, render

router = APIRouter()
log = logging.getLogger(__name__)
Q = Annotated[str, Query(description="Search text, up to 250 characters")]
Mode = Annotated[str, Query(max_length=20, description="hybrid, keyword or semantic")]
Day = Annotated[date | None, Query(description="YYYY-MM-DD")]
Text = Annotated[str | None, Query(max_length=100)]


def service_of(request: Request) -> SearchService:
    ctx = get_ctx(request)
    svc: SearchService = ctx.extras["search"]
    return svc


def build_filters(date_from: date | None, date_to: date | None, category: str | None,
                  organization: str | None, has_code: bool) -> SearchFilters:
    categories = tuple(c.strip() for c in (category or "").split(",") if c.strip())
    return SearchFilters(date_from, date_to, categories, organization or None, has_code)


def build_search_item(hit: SearchHit) -> dict[str, Any]:
    """One item of ``/api/papers/search`` (the HF shape plus ``score``)."""
    paper = hit.paper
    return {
        "paper": build_paper(paper),
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.summary,
        "thumbnail": None,
        "numComments": paper.num_comments,
        "upvoted": False,
        "isAuthorParticipating": any(a.user for a in paper.authors),
        "organization": build_organization(paper.organization),
        "highlightedTitle": list(hit.highlighted_title),
        "highlightedSummary": list(hit.highlighted_summary),
        "score": round(hit.score, 6),
    }


@router.get("/api/papers/search", tags=["search"], responses=RESPONSES,
            summary="Search papers")
def search_api(
    request: Request, q: Q = "", mode: Mode = "hybrid",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    p: Annotated[int, Query(ge=0, le=1000, description="page, from 0")] = 0,
    date_from: Day = None, date_to: Day = None, category: Text = None,
    organization: Text = None, has_code: bool = False,
) -> list[dict[str, Any]]:
    """Papers matching ``q`` (keyword, semantic or hybrid), with highlighted matches."""
    filters = build_filters(date_from, date_to, category, organization, has_code)
    results = service_of(request).search(q, mode, limit, p * limit, filters, refresh=False)
    return [build_search_item(hit) for hit in results.hits]


@router.get("/api/papers/{paper_id:path}/similar", tags=["search"], responses=RESPONSES,
            summary="Papers similar to one paper")
def similar_api(request: Request, paper_id: str,
                limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[dict[str, Any]]:
    """Papers nearest to this one by meaning."""
    papers = service_of(request).similar(paper_id, limit, refresh=False)
    return [build_paper(paper) for paper in papers]


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request, q: Annotated[str, Query()] = "", mode: Mode = "hybrid",
    p: Annotated[int, Query(ge=0, le=1000)] = 0, date_from: Day = None, date_to: Day = None,
    category: Text = None, organization: Text = None, has_code: bool = False,
) -> Response:
    """The search page: a form, highlighted results, filters and paging."""
    filters = build_filters(date_from, date_to, category, organization, has_code)
    context: dict[str, Any] = {"query": q, "mode": mode, "filters": filters, "results": None,
                               "category": category or "", "page_no": p}
    if q.strip():
        size = get_ctx(request).settings.page_size
        context["results"] = service_of(request).search(q, mode, size, p * size, filters,
                                                        refresh=False)
    return render(request, "search.html", context)


def similar_papers(request: Request, paper_id: str, limit: int = 5) -> list[Paper]:
    """Template helper: similar papers from the indexes as they are (never fails a page)."""
    svc = get_ctx(request).extras.get("search")
    if svc is None:
        return []
    try:
        return list(svc.similar_to_papers([paper_id], limit))
    except Exception:  # a page must render even when the search files are unusable
        log.exception("similar papers for %s failed", paper_id)
        return []


def setup(app: FastAPI) -> None:
    ctx = app.state.ctx
    if "search" not in ctx.extras:
        ctx.extras["search"] = SearchService(ctx.settings, ctx.store, ctx.extras.get("embedder"))
    mine = {search_api, similar_api, search_page}
    app.router.routes.sort(key=lambda route: getattr(route, "endpoint", None) not in mine)
    environment().globals["similar_papers"] = similar_papers
    original = app.router.lifespan_context
    service: SearchService = ctx.extras["search"]

    @asynccontextmanager
    async def lifespan(inner: Any) -> AsyncIterator[Any]:
        stop = threading.Event()
        thread = _start_refresher(service, stop)
        try:
            async with original(inner) as state:
                yield state
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=5)

    app.router.lifespan_context = lifespan


def _start_refresher(svc: SearchService, stop: threading.Event) -> threading.Thread | None:
    every = svc.settings.search_refresh
    if every <= 0:
        return None
    thread = threading.Thread(target=_refresh_loop, args=(svc, stop, every),
                              name="search-refresh", daemon=True)
    thread.start()
    return thread


def _refresh_loop(svc: SearchService, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            if svc.stale():
                svc.refresh()
        except Exception:  # keep serving; the next round retries
            log.exception("search index refresh failed")
