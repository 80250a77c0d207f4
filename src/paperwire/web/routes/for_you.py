""""For you": the page and ``GET /api/for-you`` for the signed-in user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from paperwire.services import for_you
from paperwire.storage import Store
from paperwire.web.deps import services_of
from paperwire.web.hf_shapes import build_paper
from paperwire.web.openapi import error_responses
from paperwire.web.routes.following import search_fn
from paperwire.web.sessions import require_user
from paperwire.web.templating import render

router = APIRouter()
Limit = Annotated[int, Query(ge=1, le=100)]
ShowMuted = Annotated[int, Query(ge=0, le=1)]


def store_of(request: Request) -> Store:
    """The one place this module reaches the store."""
    return services_of(request).store


def nearest_fn(request: Request) -> for_you.NearestFn:
    return for_you.nearest_in(services_of(request).search)


def _ranked(request: Request, limit: int, show_muted: int) -> for_you.ForYou:
    user = require_user(request)
    return for_you.for_you(store_of(request), services_of(request).settings, user, limit,
                           bool(show_muted), search=search_fn(request),
                           nearest=nearest_fn(request))


@router.get("/for-you", include_in_schema=False)
def for_you_page(request: Request, show_muted: ShowMuted = 0) -> Response:
    found = _ranked(request, services_of(request).settings.page_size, show_muted)
    return render(request, "for_you.html", {
        "found": found, "hidden": found.hidden,
        "show_muted_url": str(request.url.include_query_params(show_muted=1))})


@router.get("/api/for-you", tags=["personal"], summary="Papers ranked for you",
            responses=error_responses(e401="Not signed in"))
def for_you_api(request: Request, limit: Limit = 30, show_muted: ShowMuted = 0) -> dict[str, Any]:
    """Recent papers ranked for the signed-in user, each with why it is there."""
    found = _ranked(request, limit, show_muted)
    return {"coldStart": found.cold_start, "hidden": found.hidden,
            "items": [{"paper": build_paper(i.paper), "score": round(i.score, 6),
                       "reasons": list(i.reasons)} for i in found.items]}
