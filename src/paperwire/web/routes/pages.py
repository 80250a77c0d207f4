"""HTML pages: daily/weekly/monthly lists, all papers, a paper, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.config import Settings
from paperwire.periods import Period
from paperwire.services import catalog, health, muted_lists
from paperwire.storage import Store
from paperwire.web.api_docs import build_operations
from paperwire.web.deps import SearchDep, SettingsDep, StoreDep
from paperwire.web.routes import community, search
from paperwire.web.routes.following import muted_note, page_mutes
from paperwire.web.templating import render

router = APIRouter(include_in_schema=False)
Sort = Annotated[str, Query(max_length=40)]
PageNo = Annotated[int, Query(ge=0, le=100_000)]


def _list_page(request: Request, store: Store, settings: Settings, period: Period, sort: str,
               p: int, note: str | None = None) -> Response:
    listing, hidden = muted_lists.daily_listing(store, page_mutes(request), period, sort, p,
                                                settings.page_size,
                                                gravity=settings.trending_gravity)
    catalog.require_page(listing.page)
    return render(request, "daily.html", {"listing": listing, "period": period, "note": note,
                                          **muted_note(request, hidden)})


@router.get("/")
def home(request: Request, store: StoreDep, settings: SettingsDep, sort: Sort = "upvotes",
         p: PageNo = 0) -> Response:
    period, note = catalog.home_period(store, settings)
    return _list_page(request, store, settings, period, sort, p, note)


@router.get("/papers/date/{value}")
def by_date(request: Request, store: StoreDep, settings: SettingsDep, value: str,
            sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    return _list_page(request, store, settings,
                      catalog.resolve_period(store, settings, date_=value),
                      sort, p)


@router.get("/papers/week/{value}")
def by_week(request: Request, store: StoreDep, settings: SettingsDep, value: str,
            sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    return _list_page(request, store, settings,
                      catalog.resolve_period(store, settings, week=value),
                      sort, p)


@router.get("/papers/month/{value}")
def by_month(request: Request, store: StoreDep, settings: SettingsDep, value: str,
             sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    return _list_page(request, store, settings,
                      catalog.resolve_period(store, settings, month=value),
                      sort, p)


@router.get("/papers")
def all_papers(request: Request, store: StoreDep, settings: SettingsDep,
               p: PageNo = 0) -> Response:
    page = catalog.all_papers(store, p, settings.page_size)
    return render(request, "papers.html", {"page": page})


@router.get("/papers/{paper_id:path}")
def paper(request: Request, store: StoreDep, search_service: SearchDep,
          paper_id: str, similar: Sort = "relevance") -> Response:
    found = catalog.find_paper(store, paper_id)
    if found.redirect_to is not None:
        return RedirectResponse(f"/papers/{found.redirect_to}", status_code=301)
    assert found.paper is not None
    daily = catalog.daily_entry_of(store, found.paper.id)
    order = search.build_similar_sort(similar)
    nearest = search.similar_papers(search_service, found.paper.id, page_mutes(request),
                                    sort=order)
    return render(request, "paper.html", {"paper": found.paper, "daily": daily,
                                          "similar": nearest.items, "similar_order": order,
                                          **muted_note(request, nearest.hidden),
                                          **community.paper_extras(store, found.paper)})


@router.get("/docs")
def api_docs(request: Request, settings: SettingsDep) -> Response:
    """The API reference, rendered on the server from the OpenAPI schema (no CDN, no JS)."""
    schema = request.app.openapi()
    operations = build_operations(schema, settings.base_url)
    return render(request, "api_docs.html", {"schema": schema, "operations": operations})


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/healthz")
def healthz(store: StoreDep) -> Response:
    found = health.check_health(store)
    return JSONResponse({"status": "ok" if found.ok else "error", "papers": found.papers,
                         "database": found.database}, status_code=200 if found.ok else 503)
