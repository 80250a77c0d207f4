"""The JSON API under /api/, in the shapes of the Hugging Face papers API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.services import catalog, muted_lists
from paperwire.web.deps import SettingsDep, StoreDep
from paperwire.web.hf_shapes import build_daily_item, build_paper
from paperwire.web.paging import build_link_header, page_rels
from paperwire.web.params import MONTH_PATTERN, WEEK_PATTERN, DayParam
from paperwire.web.routes.following import (
    MUTED_API,
    MUTED_NOTE,
    ShowMutedApi,
    api_mutes,
    send_hidden_count,
)

router = APIRouter(prefix="/api", tags=["papers"])
DailySort = Literal["publishedAt", "upvotes", "comments", "trending"]
ERROR = {"description": "Invalid parameter or unknown paper", "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "error": {"type": "string"}, "parameter": {"type": "string"}}}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {400: ERROR, 404: ERROR}
DAILY_DOC = ("Papers on the daily list of a date, an ISO week or a month (default: the latest "
             "day). Given several, the most precise wins (date, then week, then month); a week "
             "53 the year does not have is a 404.")


@router.get("/daily_papers", responses=RESPONSES, summary="Daily, weekly or monthly list",
            description=DAILY_DOC + MUTED_NOTE, openapi_extra=MUTED_API)
def daily_papers(
    request: Request, response: Response, store: StoreDep, settings: SettingsDep,
    date: DayParam = None,
    week: Annotated[str | None, Query(pattern=WEEK_PATTERN, description="YYYY-Www")] = None,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM")] = None,
    p: Annotated[int, Query(ge=0, le=100_000, description="page, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    sort: Annotated[DailySort, Query(description="the order of the list")] = "publishedAt",
    submitter: Annotated[str | None, Query(max_length=100)] = None,
    show_muted: ShowMutedApi = 0,
) -> list[dict[str, Any]]:
    period = catalog.resolve_period(store, settings, date, week, month)
    listing, hidden = muted_lists.daily_listing(
        store, api_mutes(request, show_muted), period, sort, p, limit, submitter or None,
        settings.trending_gravity)
    page = listing.page
    rels = page_rels(page.page, (page.page + 1) * page.page_size < page.total, page.pages - 1)
    if rels:
        response.headers["Link"] = build_link_header(request, rels)
    send_hidden_count(request, response, hidden)
    return [build_daily_item(entry, settings.base_url) for entry in page.items]


@router.get("/papers/{paper_id:path}", responses={**RESPONSES, 308: {"description": "Merged"}},
            summary="One paper")
def paper(store: StoreDep, paper_id: str) -> Response:
    """One paper by arXiv id (a versioned or merged id redirects to the current one)."""
    found = catalog.find_paper(store, paper_id)
    if found.redirect_to is not None:
        return RedirectResponse(f"/api/papers/{found.redirect_to}", status_code=308)
    assert found.paper is not None
    return JSONResponse(build_paper(found.paper))
