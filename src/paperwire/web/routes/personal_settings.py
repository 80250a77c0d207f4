"""Settings of one's own data: API tokens and private feed URLs (made and revoked), the
whole-account export, and account deletion."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperwire.errors import InvalidInput
from paperwire.models_community import User
from paperwire.services import account_data, collections, personal_tokens
from paperwire.services.personal_tokens import MadeToken
from paperwire.storage import Store
from paperwire.web.deps import services_of
from paperwire.web.params import RowId
from paperwire.web.sessions import end_session, require_csrf, require_user
from paperwire.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
Label = Annotated[str, Form(max_length=personal_tokens.MAX_LABEL + 100)]
Scope = Annotated[str, Form(max_length=60)]
Secret = Annotated[str, Form(max_length=1024)]


def store_of(request: Request) -> Store:
    """The one place this module reaches the store."""
    return services_of(request).store


def _tokens_page(request: Request, user: User, made: MadeToken | None = None,
                 error: str = "", status: int = 200) -> Response:
    store = store_of(request)
    tokens = personal_tokens.list_tokens(store, user)
    names = {f"collection:{c.id}": f"collection “{c.name}”"
             for c in collections.mine(store, user)}
    return render(request, "settings_tokens.html", {
        "api_tokens": [t for t in tokens if t.kind == "api"],
        "feed_tokens": [t for t in tokens if t.kind == "feed"],
        "scope_names": {"for-you": "For you", "following": "Following", **names},
        "made": made, "error": error,
        "base_url": services_of(request).settings.base_url.rstrip("/")}, status=status)


@router.get("/settings/tokens")
def tokens_page(request: Request) -> Response:
    return _tokens_page(request, require_user(request))


@router.post("/settings/tokens")
def create_api_token(request: Request, label: Label = "") -> Response:
    """Make an API token; the page shows its secret this once."""
    return _make_token(request, lambda store, user: personal_tokens.create_api_token(
        store, user, label))


@router.post("/settings/feeds")
def create_feed_token(request: Request, scope: Scope) -> Response:
    """Make a private feed URL of For you, Following or one collection."""
    return _make_token(request, lambda store, user: personal_tokens.create_feed_token(
        store, user, scope))


def _make_token(request: Request, make: Callable[[Store, User], MadeToken]) -> Response:
    """The tokens page with the token ``make`` made (its secret shown this once), or with
    what was wrong (400)."""
    user = require_user(request)
    try:
        made = make(store_of(request), user)
    except InvalidInput as exc:
        return _tokens_page(request, user, error=str(exc), status=400)
    return _tokens_page(request, user, made)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: RowId) -> Response:
    personal_tokens.revoke(store_of(request), require_user(request), token_id)
    return RedirectResponse("/settings/tokens", status_code=303)


@router.get("/settings/account")
def account_page(request: Request) -> Response:
    require_user(request)
    return render(request, "settings_account.html", {})


@router.get("/settings/account/export.json")
def export(request: Request) -> Response:
    """One JSON file of everything the account made."""
    user = require_user(request)
    body: dict[str, Any] = account_data.build_export(store_of(request), user)
    return Response(json.dumps(body, ensure_ascii=False, indent=1),
                    media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="paperwire-{user.username}.json"'})


@router.post("/settings/account/delete")
def delete(request: Request, password: Secret) -> Response:
    """Delete the account and all it made, once the password is confirmed."""
    user = require_user(request)
    try:
        account_data.delete_account(store_of(request), user, password)
    except InvalidInput as exc:
        return render(request, "settings_account.html", {"error": str(exc)}, status=400)
    response = RedirectResponse("/", status_code=303)
    end_session(response, services_of(request).settings)
    return response
