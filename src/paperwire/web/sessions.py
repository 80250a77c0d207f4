"""Who is asking: the session cookie (or a personal API token on ``/api/`` reads),
``request.state.user``, and the CSRF token.

Every request gets ``request.state.user`` (a User or None), ``request.state.csrf_token`` and
``request.state.voted`` (membership test: has this user upvoted a paper id). The CSRF token is
an HMAC of a random per-browser cookie (double submit, bound to the secret key); every
state-changing route of the community checks it with ``require_csrf`` on top of the
cross-site check of ``security.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperwire.config import Settings
from paperwire.models_community import User
from paperwire.services import accounts, personal_tokens
from paperwire.storage import Store
from paperwire.web.deps import services_of
from paperwire.web.security import SAFE_METHODS

SESSION_COOKIE = "pw_session"
CSRF_COOKIE = "pw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class VotedLookup:
    """``paper_id in request.state.voted``: the user's upvoted ids are read in one query the
    first time a page asks, whatever the number of cards on it."""

    def __init__(self, store: Store, user: User | None) -> None:
        self._store, self._user = store, user
        self._voted: set[str] | None = None

    def __contains__(self, paper_id: object) -> bool:
        if self._user is None or not isinstance(paper_id, str):
            return False
        if self._voted is None:
            self._voted = self._store.all_voted_papers(self._user.id)
        return paper_id in self._voted


def build_csrf_token(settings: Settings, seed: str) -> str:
    return hmac.new(settings.secret_key.encode(), seed.encode(), hashlib.sha256).hexdigest()


def set_cookie(response: Response, settings: Settings, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/")


def start_session(response: Response, settings: Settings, token: str) -> None:
    """Send a new session id, and a new CSRF seed with it (nothing survives a login)."""
    set_cookie(response, settings, SESSION_COOKIE, token, settings.session_days * 86400)
    set_cookie(response, settings, CSRF_COOKIE, secrets.token_urlsafe(32))


def end_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=settings.secure_cookies)


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def bearer_token(request: Request) -> str | None:
    """The personal API token of ``Authorization: Bearer …``, taken only on reads under
    ``/api/`` (a token never stands in for a browser session on a form)."""
    if request.method not in SAFE_METHODS or not request.url.path.startswith("/api/"):
        return None
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def _user_of(request: Request, store: Store) -> User | None:
    token = session_token(request)
    if token:
        return await run_in_threadpool(accounts.session_user, store, token)
    bearer = bearer_token(request)
    if bearer:
        return await run_in_threadpool(personal_tokens.api_user, store, bearer)
    return None


class SessionMiddleware:
    """Sets ``request.state.user``, ``.csrf_token`` and ``.voted`` for every request, and
    sends a CSRF seed cookie to a browser without one. Plain ASGI: no task or stream per
    request, and the session lookup only runs when a session cookie came."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        services = services_of(request)
        user = await _user_of(request, services.store)
        seed = request.cookies.get(CSRF_COOKIE) or ""
        fresh_seed = not (16 <= len(seed) <= 100)
        if fresh_seed:
            seed = secrets.token_urlsafe(32)
        request.state.user = user
        request.state.csrf_token = build_csrf_token(services.settings, seed)
        request.state.voted = VotedLookup(services.store, user)
        if not fresh_seed:
            await self.app(scope, receive, send)
            return

        async def send_with_seed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not any(h.startswith(CSRF_COOKIE + "=") for h in headers.getlist("set-cookie")):
                    headers.append("set-cookie", build_cookie(services.settings, CSRF_COOKIE,
                                                              seed))
            await send(message)

        await self.app(scope, receive, send_with_seed)


def build_cookie(settings: Settings, name: str, value: str) -> str:
    """The ``Set-Cookie`` value ``set_cookie`` would send (no expiry)."""
    carrier = Response()
    set_cookie(carrier, settings, name, value)
    return carrier.headers["set-cookie"]


async def require_csrf(request: Request) -> None:
    """403 unless a state-changing request carries this browser's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    given: Any = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        given = (await request.form()).get(CSRF_FIELD)
    expected = getattr(request.state, "csrf_token", "")
    if not isinstance(given, str) or not expected or not hmac.compare_digest(given, expected):
        raise HTTPException(403, "The form has expired or came from another site; reload the "
                                 "page and try again.")


def current_user(request: Request) -> User | None:
    user: User | None = getattr(request.state, "user", None)
    return user


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target[:500]


def require_user(request: Request) -> User:
    """The logged-in user; otherwise 401 under /api/, a redirect to the login page elsewhere."""
    user = current_user(request)
    if user is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "Log in first.")
        back = request.url.path if request.method == "GET" else request.headers.get("referer")
        path = safe_next(urlsplit(back or "/").path)
        raise HTTPException(303, "Log in first.", headers={"Location": f"/login?{urlencode({'next': path})}"})
    return user
