"""HTML pages: daily/weekly/monthly lists, all papers, a paper, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.services import catalog
from paperwire.services.periods import Period
from paperwire.web.api_docs import build_operations
from paperwire.web.context import get_ctx
from paperwire.web.routes import community
from paperwire.web.templating import render

router = APIRouter(include_in_schema=False)
Sort = Annotated[str, Query(max_length=40)]
PageNo = Annotated[int, Query(ge=0, le=100_000)]


def _list_page(request: Request, period: Period, sort: str, p: int,
               note: str | None = None) -> Response:
    ctx = get_ctx(request)
    listing = catalog.daily_listing(ctx.store, period, sort, p, ctx.settings.page_size,
                                   gravity=ctx.settings.trending_gravity)
    catalog.require_page(listing.page)
    return render(request, "daily.html", {"listing": listing, "period": period, "note": note})


@router.get("/")
def home(request: Request, sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    ctx = get_ctx(request)
    period, note = catalog.home_period(ctx.store, ctx.settings)
    return _list_page(request, period, sort, p, note)


@router.get("/papers/date/{value}")
def by_date(request: Request, value: str, sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    ctx = get_ctx(request)
    return _list_page(request, catalog.resolve_period(ctx.store, ctx.settings, date_=value),
                      sort, p)


@router.get("/papers/week/{value}")
def by_week(request: Request, value: str, sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    ctx = get_ctx(request)
    return _list_page(request, catalog.resolve_period(ctx.store, ctx.settings, week=value),
                      sort, p)


@router.get("/papers/month/{value}")
def by_month(request: Request, value: str, sort: Sort = "upvotes", p: PageNo = 0) -> Response:
    ctx = get_ctx(request)
    return _list_page(request, catalog.resolve_period(ctx.store, ctx.settings, month=value),
                      sort, p)


@router.get("/papers")
def all_papers(request: Request, p: PageNo = 0) -> Response:
    ctx = get_ctx(request)
    page = catalog.all_papers(ctx.store, p, ctx.settings.page_size)
    return render(request, "papers.html", {"page": page})


@router.get("/papers/{paper_id:path}")
def paper(request: Request, paper_id: str) -> Response:
    ctx = get_ctx(request)
    found = catalog.find_paper(ctx.store, paper_id)
    if found.redirect_to is not None:
        return RedirectResponse(f"/papers/{found.redirect_to}", status_code=301)
    assert found.paper is not None
    daily = catalog.daily_entry_of(ctx.store, found.paper.id)
    return render(request, "paper.html", {"paper": found.paper, "daily": daily,
                                          **community.paper_extras(request, found.paper)})


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The API reference, rendered on the server from the OpenAPI schema (no CDN, no JS)."""
    schema = request.app.openapi()
    operations = build_operations(schema, get_ctx(request).settings.base_url)
    return render(request, "api_docs.html", {"schema": schema, "operations": operations})


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/healthz")
def healthz(request: Request) -> Response:
    ctx = get_ctx(request)
    return JSONResponse({"status": "ok", "papers": ctx.store.count_papers()})
