"""Community routes: upvotes, submissions, comments, the trending page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.errors import PaperwireError
from paperwire.models import Paper
from paperwire.services import community, muted_lists, submission_queue
from paperwire.storage import Store
from paperwire.web.clients import rate_limit
from paperwire.web.deps import SettingsDep, StoreDep, SubmissionsDep
from paperwire.web.params import RowId
from paperwire.web.routes.accounts import form_error
from paperwire.web.routes.following import muted_note, page_mutes
from paperwire.web.sessions import (
    current_user,
    require_csrf,
    require_user,
    safe_next,
)
from paperwire.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
Body = Annotated[str, Form(max_length=community.MAX_COMMENT + 1000)]
Next = Annotated[str, Form(max_length=500)]


def paper_extras(store: Store, paper: Paper) -> dict[str, Any]:
    """What the paper page shows beyond the catalog: comment threads."""
    return {"comment_threads": community.comment_tree(store, paper.id)}


def _back(request: Request, next_path: str, default: str) -> Response:
    return RedirectResponse(safe_next(next_path, default), status_code=303)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/papers/{paper_id:path}/upvote")
def upvote(request: Request, store: StoreDep, paper_id: str, on: Annotated[str, Form(max_length=5)] = "1",
           next: Next = "") -> Response:
    """Upvote (on=1) or take the upvote back (on=0); repeating a request changes nothing."""
    user = require_user(request)
    result = community.set_upvote(store, user, paper_id, on != "0")
    if _wants_json(request):
        return JSONResponse({"paper": result.paper_id, "voted": result.voted,
                             "upvotes": result.upvotes})
    return _back(request, next, f"/papers/{result.paper_id}")


@router.get("/submit")
def submit_form(request: Request) -> Response:
    require_user(request)
    return render(request, "submit.html", {})


@router.post("/submit", dependencies=[Depends(rate_limit("submit"))])
def submit(request: Request, store: StoreDep, settings: SettingsDep, queue: SubmissionsDep,
           paper: Annotated[str, Form(max_length=300)],
           comment: Annotated[str, Form(max_length=community.MAX_SUBMIT_COMMENT)] = ""
           ) -> Response:
    user = require_user(request)
    try:
        outcome = submission_queue.submit(store, settings, queue, user, paper, comment)
    except PaperwireError as exc:
        return form_error(request, "submit.html", exc, {"paper": paper, "comment": comment})
    if outcome.entry is not None:
        return RedirectResponse(f"/papers/{outcome.entry.paper.id}", status_code=303)
    return render(request, "submit_queued.html", {"item": outcome.queued}, status=202)


@router.post("/papers/{paper_id:path}/comments")
def comment(request: Request, store: StoreDep, paper_id: str, body: Body,
            parent_id: Annotated[int | None, Form(ge=1, le=2**62)] = None) -> Response:
    user = require_user(request)
    new_id = community.add_comment(store, user, paper_id, body, parent_id)
    paper = store.get_comment(new_id)
    return RedirectResponse(f"/papers/{paper.paper_id if paper else paper_id}#c{new_id}",
                            status_code=303)


@router.get("/comments/{comment_id}/edit")
def comment_edit_form(request: Request, store: StoreDep, comment_id: RowId) -> Response:
    user = require_user(request)
    found = community.own_comment(store, user, comment_id)
    return render(request, "comment_edit.html", {"comment": found})


@router.post("/comments/{comment_id}/edit")
def comment_edit(request: Request, store: StoreDep, comment_id: RowId, body: Body) -> Response:
    user = require_user(request)
    found = community.edit_comment(store, user, comment_id, body)
    return RedirectResponse(f"/papers/{found.paper_id}#c{found.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def comment_delete(request: Request, store: StoreDep, comment_id: RowId) -> Response:
    user = require_user(request)
    found = community.delete_comment(store, user, comment_id)
    return RedirectResponse(f"/papers/{found.paper_id}#comments", status_code=303)


@router.post("/comments/{comment_id}/hide")
def comment_hide(request: Request, store: StoreDep, comment_id: RowId) -> Response:
    user = require_user(request)
    found = community.hide_comment(store, user, comment_id)
    return RedirectResponse(f"/papers/{found.paper_id}#comments", status_code=303)


@router.get("/trending")
def trending(request: Request, store: StoreDep, settings: SettingsDep,
             sort: Annotated[str, Query(max_length=40)] = "trending",
             t: Annotated[str, Query(max_length=40)] = "week",
             p: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    listing, hidden = muted_lists.community_listing(store, settings, page_mutes(request), sort,
                                                    t, p, settings.page_size)
    return render(request, "trending.html", {"listing": listing,
                                             "user": current_user(request),
                                             **muted_note(request, hidden)})
