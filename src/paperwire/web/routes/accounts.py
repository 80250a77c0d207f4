"""Account pages: sign up, log in/out, change password, password reset, profiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperwire.config import Settings
from paperwire.errors import (
    Conflict,
    InvalidInput,
    PaperwireError,
    PermissionDenied,
    RateLimited,
    StorageError,
    StorageFull,
)
from paperwire.services import accounts, community
from paperwire.services.mail_queue import mail_notice
from paperwire.web.clients import client_address, rate_limit
from paperwire.web.deps import MailerDep, SettingsDep, StoreDep
from paperwire.web.sessions import (
    end_session,
    require_csrf,
    require_user,
    safe_next,
    session_token,
    start_session,
)
from paperwire.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
Text = Annotated[str, Form(max_length=300)]
Secret = Annotated[str, Form(max_length=accounts.MAX_PASSWORD)]
NextPath = Annotated[str, Form(max_length=500)]
STATUS = {InvalidInput: 400, Conflict: 409, PermissionDenied: 429, RateLimited: 429,
          StorageFull: 507, StorageError: 503}


def form_error(request: Request, template: str, exc: PaperwireError,
               context: dict[str, Any] | None = None) -> Response:
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    response = render(request, template, {"error": str(exc), **(context or {})}, status=status)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def logged_in(settings: Settings, token: str, target: str) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    start_session(response, settings, token)
    return response


@router.get("/signup")
def signup_form(request: Request) -> Response:
    return render(request, "signup.html", {})


@router.post("/signup", dependencies=[Depends(rate_limit("signup"))])
def signup(request: Request, store: StoreDep, settings: SettingsDep, username: Text, email: Text,
           password: Secret) -> Response:
    try:
        accounts.sign_up(store, username, email, password)
        _, token = accounts.log_in(store, settings, username, password, client_address(request))
    except PaperwireError as exc:
        return form_error(request, "signup.html", exc, {"username": username, "email": email})
    accounts.log_out(store, session_token(request))
    return logged_in(settings, token, f"/users/{username}")


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": safe_next(next[:500])})


@router.post("/login")
def login(request: Request, store: StoreDep, settings: SettingsDep, username: Text,
          password: Secret, next: NextPath = "/") -> Response:
    try:
        _, token = accounts.log_in(store, settings, username, password, client_address(request))
    except PaperwireError as exc:
        return form_error(request, "login.html", exc, {"username": username, "next": next})
    accounts.log_out(store, session_token(request))
    return logged_in(settings, token, next)


@router.post("/logout")
def logout(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    accounts.log_out(store, session_token(request))
    response = RedirectResponse("/", status_code=303)
    end_session(response, settings)
    return response


@router.get("/settings/password")
def password_form(request: Request) -> Response:
    require_user(request)
    return render(request, "password.html", {})


@router.post("/settings/password")
def password_change(request: Request, store: StoreDep, settings: SettingsDep,
                    old_password: Secret, new_password: Secret) -> Response:
    user = require_user(request)
    try:
        token = accounts.change_password(store, settings, user, old_password,
                                         new_password)
    except PaperwireError as exc:
        return form_error(request, "password.html", exc)
    return logged_in(settings, token, f"/users/{user.username}")


@router.get("/reset")
def reset_request_form(request: Request) -> Response:
    return render(request, "reset_request.html", {})


@router.post("/reset", dependencies=[Depends(rate_limit("reset"))])
def reset_request(request: Request, store: StoreDep, settings: SettingsDep, mailer: MailerDep,
                  email: Text, background: BackgroundTasks) -> Response:
    """The same answer at once whether or not the address has an account: the look-up and
    the mail happen after it is sent."""
    background.add_task(accounts.request_password_reset, store, settings, mailer, email)
    return render(request, "message.html", {
        "title": "Check your email",
        "message": "If an account uses this address, a link to choose a new password is on "
                   "its way. It works once and expires soon.",
        "mail_notice": mail_notice(store, mailer)})


@router.get("/reset/{token}")
def reset_form(request: Request, token: str) -> Response:
    return render(request, "reset.html", {"token": token[:200]})


@router.post("/reset/{token}")
def reset(request: Request, store: StoreDep, token: str, new_password: Secret) -> Response:
    try:
        accounts.reset_password(store, token[:200], new_password)
    except PaperwireError as exc:
        return form_error(request, "reset.html", exc, {"token": token[:200]})
    return render(request, "message.html", {
        "title": "Password changed",
        "message": "Your password is changed and every session of your account has ended. "
                   "Log in with the new password."})


@router.get("/users/{username}")
def user_page(request: Request, store: StoreDep, username: str) -> Response:
    found = community.profile(store, username)
    viewer = getattr(request.state, "user", None)
    own = viewer is not None and viewer.id == found.user.id
    queued = store.user_submission_queue(found.user.id, 50) if own else []
    return render(request, "user.html", {"profile": found, "queued": queued})
