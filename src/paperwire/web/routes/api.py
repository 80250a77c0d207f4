"""The JSON API under /api/, in the shapes of the Hugging Face papers API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.services import catalog
from paperwire.web.deps import SettingsDep, StoreDep
from paperwire.web.hf_shapes import build_daily_item, build_paper

router = APIRouter(prefix="/api", tags=["papers"])
ERROR = {"description": "Invalid parameter or unknown paper", "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "error": {"type": "string"}, "parameter": {"type": "string"}}}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {400: ERROR, 404: ERROR}


@router.get("/daily_papers", responses=RESPONSES, summary="Daily, weekly or monthly list")
def daily_papers(
    store: StoreDep,
    settings: SettingsDep,
    date: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(max_length=40, description="YYYY-Www")] = None,
    month: Annotated[str | None, Query(max_length=40, description="YYYY-MM")] = None,
    p: Annotated[int, Query(ge=0, le=100_000, description="page, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    sort: Annotated[str, Query(max_length=40,
                               description="publishedAt, upvotes, comments or trending")
                    ] = "publishedAt",
    submitter: Annotated[str | None, Query(max_length=100)] = None,
) -> list[dict[str, Any]]:
    """Papers on the daily list of a date, an ISO week or a month (default: the latest day)."""
    period = catalog.resolve_period(store, settings, date, week, month)
    listing = catalog.daily_listing(store, period, sort, p, limit, submitter or None,
                                   settings.trending_gravity)
    return [build_daily_item(entry) for entry in listing.page.items]


@router.get("/papers/{paper_id:path}", responses={**RESPONSES, 308: {"description": "Merged"}},
            summary="One paper")
def paper(store: StoreDep, paper_id: str) -> Response:
    """One paper by arXiv id (a versioned or merged id redirects to the current one)."""
    found = catalog.find_paper(store, paper_id)
    if found.redirect_to is not None:
        return RedirectResponse(f"/api/papers/{found.redirect_to}", status_code=308)
    assert found.paper is not None
    return JSONResponse(build_paper(found.paper))
