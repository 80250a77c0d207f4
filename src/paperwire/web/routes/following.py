"""Follows, mutes and "not interested": the forms, the Following page, its JSON, and the
helpers through which the other pages and API lists leave out a user's muted papers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from paperwire.clock import now_utc
from paperwire.errors import PaperwireError
from paperwire.models import Paper
from paperwire.models_personal import Mute
from paperwire.search.records import SearchFilters
from paperwire.services import follows, muted_lists
from paperwire.services.catalog import find_paper
from paperwire.storage import Store
from paperwire.web.deps import services_of
from paperwire.web.hf_shapes import build_paper
from paperwire.web.openapi import error_responses
from paperwire.web.sessions import current_user, require_csrf, require_user, safe_next
from paperwire.web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)])
Kind = Annotated[str, Form(max_length=40)]
Value = Annotated[str, Form(max_length=2000)]
Next = Annotated[str, Form(max_length=500)]
ShowMuted = Annotated[int, Query(ge=0, le=1)]


def store_of(request: Request) -> Store:
    """The one place this module reaches the store."""
    return services_of(request).store


def search_fn(request: Request) -> follows.SearchFn | None:
    svc = services_of(request).search

    def run(q: str, mode: str, filters: SearchFilters) -> list[Paper]:
        try:
            return [hit.paper for hit in svc.search(q, mode, 50, 0, filters, refresh=False).hits]
        except PaperwireError:
            return []
    return run


def _back(next_path: str, default: str) -> Response:
    return RedirectResponse(safe_next(next_path, default), status_code=303)


@router.post("/follow", include_in_schema=False)
def follow(request: Request, kind: Kind, value: Value, next: Next = "",
           on: Annotated[str, Form(max_length=5)] = "1") -> Response:
    """Follow (on=1) or unfollow (on=0) an author, organization, category or search."""
    user = require_user(request)
    if on == "0":
        follows.unfollow(store_of(request), user, kind, value)
    else:
        follows.follow(store_of(request), user, kind, value)
    return _back(next, "/following")


@router.post("/mutes", include_in_schema=False)
def mute(request: Request, kind: Kind, value: Value, next: Next = "",
         on: Annotated[str, Form(max_length=5)] = "1") -> Response:
    """Mute (on=1) or unmute (on=0) a category, keyword or author."""
    user = require_user(request)
    if on == "0":
        follows.unmute(store_of(request), user, kind, value)
    else:
        follows.mute(store_of(request), user, kind, value)
    return _back(next, "/following")


@router.post("/papers/{paper_id:path}/not-interested", include_in_schema=False)
def not_interested(request: Request, paper_id: str, next: Next = "",
                   on: Annotated[str, Form(max_length=5)] = "1") -> Response:
    user = require_user(request)
    found = find_paper(store_of(request), paper_id)
    target = found.redirect_to or paper_id
    store_of(request).set_dismissal(user.id, target, on != "0", now_utc())
    return _back(next, f"/papers/{target}")


@router.get("/following", include_in_schema=False)
def following_page(request: Request, show_muted: ShowMuted = 0) -> Response:
    user = require_user(request)
    store = store_of(request)
    sections = follows.following_feed(store, user, search_fn(request), bool(show_muted))
    return render(request, "following.html", {
        "sections": sections, "mutes": store.list_mutes(user.id),
        "hidden": sum(s.hidden for s in sections), "show_muted": bool(show_muted),
        "show_muted_url": str(request.url.include_query_params(show_muted=1))})


@router.get("/api/following", tags=["personal"], summary="What you follow, with new papers",
            responses=error_responses(e401="Not signed in"))
def following_api(request: Request, show_muted: ShowMuted = 0) -> dict[str, Any]:
    """The signed-in user's follows, each with its newest papers, and their mutes."""
    user = require_user(request)
    store = store_of(request)
    sections = follows.following_feed(store, user, search_fn(request), bool(show_muted))
    return {"follows": [{"kind": s.follow.kind, "value": s.follow.value, "hidden": s.hidden,
                         "papers": [build_paper(p) for p in s.papers]} for s in sections],
            "mutes": [{"kind": m.kind, "value": m.value} for m in store.list_mutes(user.id)]}


# -- hiding muted papers on other pages ----------------------------------------------
HIDDEN_HEADER = "X-Hidden-Muted"
ShowMutedApi = Annotated[int, Query(ge=0, le=1, description=(
    "1: keep the papers the signed-in user muted (by default they are left out)"))]
MUTED_API: dict[str, Any] = {
    "security": [{}, {"session": []}, {"token": []}],
    "responses": {"200": {"description": "Successful Response", "headers": {HIDDEN_HEADER: {
        "description": "signed-in requests only: how many papers the user's mutes left out "
                       "of this page (0 with show_muted=1)",
        "schema": {"type": "integer", "minimum": 0}}}}},
}
MUTED_NOTE = (" Signed in (session cookie or `Authorization: Bearer` API token), the papers "
              "the user muted (categories, keywords, authors) are left out before paging, so a "
              "page is only short at the end of the list; `X-Hidden-Muted` says how many were "
              "left out of this page and `show_muted=1` keeps them.")


def api_mutes(request: Request, show_muted: int) -> list[Mute]:
    """The mutes an API read applies: the signed-in user's, unless ``show_muted=1``."""
    return muted_lists.user_mutes(store_of(request), current_user(request), bool(show_muted))


def send_hidden_count(request: Request, response: Response, hidden: int) -> None:
    """The muted-papers count of a signed-in read; the answer depends on who asks."""
    response.headers["Vary"] = "Cookie, Authorization"
    if current_user(request) is not None:
        response.headers[HIDDEN_HEADER] = str(hidden)
        response.headers["Cache-Control"] = "private, no-cache"


def page_mutes(request: Request) -> list[Mute]:
    """The mutes a page applies: the signed-in user's, unless ``?show_muted=1``."""
    show = request.query_params.get("show_muted") == "1"
    return muted_lists.user_mutes(store_of(request), current_user(request), show)


def muted_note(request: Request, hidden: int) -> dict[str, Any]:
    """The template context of the "hidden: N" note and its "show them" link."""
    return {"hidden": hidden,
            "show_muted_url": str(request.url.include_query_params(show_muted=1))}
