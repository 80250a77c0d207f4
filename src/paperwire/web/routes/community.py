"""Community routes: upvotes, submissions, comments, the trending page, and the session
middleware every page relies on (``setup``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.errors import PaperwireError
from paperwire.models import Paper
from paperwire.services import community, submission_queue
from paperwire.web.comment_markup import render_comment_html
from paperwire.web.context import get_ctx, get_ctx_of
from paperwire.web.routes.accounts import form_error
from paperwire.web.sessions import (
    current_user,
    require_csrf,
    require_user,
    safe_next,
    session_middleware,
)
from paperwire.web.templating import environment, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
Body = Annotated[str, Form(max_length=community.MAX_COMMENT + 1000)]
Next = Annotated[str, Form(max_length=500)]


def setup(app: FastAPI) -> None:
    """Sessions on every request, the comment Markdown filter for templates, and the
    background fetcher of submissions new to the catalog."""
    app.middleware("http")(session_middleware)
    environment().filters["comment_html"] = render_comment_html
    environment().filters["submission_state"] = submission_queue.describe
    ctx = get_ctx_of(app)
    fetcher = ctx.extras.get("paper_fetcher")
    if fetcher is not None and "submission_queue" not in ctx.extras:
        queue = submission_queue.SubmissionQueue(ctx.store, ctx.settings, fetcher)
        app.router.add_event_handler("startup", queue.loop.start)
        app.router.add_event_handler("shutdown", queue.loop.stop)
        ctx.extras["submission_queue"] = queue


def paper_extras(request: Request, paper: Paper) -> dict[str, Any]:
    """What the paper page shows beyond the catalog: comment threads."""
    return {"comment_threads": community.comment_tree(get_ctx(request).store, paper.id)}


def _back(request: Request, next_path: str, default: str) -> Response:
    return RedirectResponse(safe_next(next_path, default), status_code=303)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/papers/{paper_id:path}/upvote")
def upvote(request: Request, paper_id: str, on: Annotated[str, Form(max_length=5)] = "1",
           next: Next = "") -> Response:
    """Upvote (on=1) or take the upvote back (on=0); repeating a request changes nothing."""
    user = require_user(request)
    result = community.set_upvote(get_ctx(request).store, user, paper_id, on != "0")
    if _wants_json(request):
        return JSONResponse({"paper": result.paper_id, "voted": result.voted,
                             "upvotes": result.upvotes})
    return _back(request, next, f"/papers/{result.paper_id}")


@router.get("/submit")
def submit_form(request: Request) -> Response:
    require_user(request)
    return render(request, "submit.html", {})


@router.post("/submit")
def submit(request: Request, paper: Annotated[str, Form(max_length=300)],
           comment: Annotated[str, Form(max_length=community.MAX_SUBMIT_COMMENT)] = ""
           ) -> Response:
    ctx = get_ctx(request)
    user = require_user(request)
    try:
        outcome = submission_queue.submit(ctx.store, ctx.settings,
                                          ctx.extras.get("submission_queue"), user, paper, comment)
    except PaperwireError as exc:
        return form_error(request, "submit.html", exc, {"paper": paper, "comment": comment})
    if outcome.entry is not None:
        return RedirectResponse(f"/papers/{outcome.entry.paper.id}", status_code=303)
    return render(request, "submit_queued.html", {"item": outcome.queued}, status=202)


@router.post("/papers/{paper_id:path}/comments")
def comment(request: Request, paper_id: str, body: Body,
            parent_id: Annotated[int | None, Form(ge=1, le=2**62)] = None) -> Response:
    user = require_user(request)
    new_id = community.add_comment(get_ctx(request).store, user, paper_id, body, parent_id)
    paper = get_ctx(request).store.get_comment(new_id)
    return RedirectResponse(f"/papers/{paper.paper_id if paper else paper_id}#c{new_id}",
                            status_code=303)


@router.get("/comments/{comment_id}/edit")
def comment_edit_form(request: Request, comment_id: int) -> Response:
    user = require_user(request)
    found = community.own_comment(get_ctx(request).store, user, comment_id)
    return render(request, "comment_edit.html", {"comment": found})


@router.post("/comments/{comment_id}/edit")
def comment_edit(request: Request, comment_id: int, body: Body) -> Response:
    user = require_user(request)
    found = community.edit_comment(get_ctx(request).store, user, comment_id, body)
    return RedirectResponse(f"/papers/{found.paper_id}#c{found.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def comment_delete(request: Request, comment_id: int) -> Response:
    user = require_user(request)
    found = community.delete_comment(get_ctx(request).store, user, comment_id)
    return RedirectResponse(f"/papers/{found.paper_id}#comments", status_code=303)


@router.post("/comments/{comment_id}/hide")
def comment_hide(request: Request, comment_id: int) -> Response:
    user = require_user(request)
    found = community.hide_comment(get_ctx(request).store, user, comment_id)
    return RedirectResponse(f"/papers/{found.paper_id}#comments", status_code=303)


@router.get("/trending")
def trending(request: Request,
             sort: Annotated[str, Query(max_length=40)] = "trending",
             t: Annotated[str, Query(max_length=40)] = "week",
             p: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    ctx = get_ctx(request)
    listing = community.community_listing(ctx.store, ctx.settings, sort, t, p,
                                          ctx.settings.page_size)
    return render(request, "trending.html", {"listing": listing,
                                             "user": current_user(request)})
