"""Routes of the digests capability: subscribe, confirm, preferences, unsubscribe, preview.

Confirmation and unsubscribe links open a page whose button POSTs, so mail scanners that
prefetch links change nothing. Every form POST needs the CSRF token of the browser, except
``POST /unsubscribe/{token}``: RFC 8058 one-click, it works from any origin and without
cookies (the token protects it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from paperwire.config import Settings
from paperwire.emails import EMAIL_PATTERN
from paperwire.mail import Mailer
from paperwire.models_digests import MAX_SIZE, SECTION_TITLES
from paperwire.services import digest_send, digests
from paperwire.services.mail_queue import mail_notice
from paperwire.storage import Store
from paperwire.web.clients import rate_limit
from paperwire.web.deps import InterestsDep, MailerDep, SettingsDep, StoreDep
from paperwire.web.openapi import error_responses
from paperwire.web.security import CSP
from paperwire.web.sessions import require_csrf
from paperwire.web.templating import render

router = APIRouter()
Token = Annotated[str, Query(max_length=100)]
TermsField = Annotated[str, Form(max_length=10_000)]


def _username(request: Request) -> str | None:
    user = getattr(request.state, "user", None)
    name = getattr(user, "username", None)
    return name if isinstance(name, str) else None


def _message(request: Request, heading: str, *lines: str, status: int = 200,
             **extra: Any) -> HTMLResponse:
    return render(request, "digest_message.html",
                  {"heading": heading, "lines": lines, **extra}, status=status)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(regex_engine="python-re")  # the pattern has a look-ahead
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, examples=["reader@example.org"],
                       json_schema_extra={"format": "email"})
    frequency: Literal["daily", "weekly"] = "daily"


class SubscriptionOut(BaseModel):
    status: Literal["confirmation_sent"]
    message: str


ERRORS = error_responses(e400="Invalid email address",
                         e429="Too many subscriptions from this address; see Retry-After")
CHECK_INBOX = ("If the address can receive the digest, a confirmation mail is on its way: "
               "open the link in it to start receiving digests.")


def _subscribe_later(request: Request, background: BackgroundTasks, store: Store,
                     mailer: Mailer, settings: Settings, email: str, frequency: str) -> None:
    """Check the input now; look the address up and mail after the answer is sent, so that
    known and unknown addresses answer alike, in the same time."""
    digests.parse_email(email)
    digests.parse_frequency(frequency)
    background.add_task(digests.subscribe, store, mailer, settings, email, frequency,
                        _username(request))


@router.post("/api/subscriptions", status_code=202, tags=["digests"], responses=ERRORS,
             summary="Subscribe to the email digest",
             dependencies=[Depends(rate_limit("subscribe"))])
def api_subscribe(request: Request, store: StoreDep, mailer: MailerDep, settings: SettingsDep,
                  body: SubscriptionIn, background: BackgroundTasks) -> SubscriptionOut:
    """Ask for a digest by email (double opt-in: nothing is sent before confirmation).
    The answer is the same whether or not the address is already known."""
    _subscribe_later(request, background, store, mailer, settings, body.email, body.frequency)
    return SubscriptionOut(status="confirmation_sent", message=CHECK_INBOX)


@router.post("/subscribe", include_in_schema=False,
             dependencies=[Depends(require_csrf), Depends(rate_limit("subscribe"))])
def form_subscribe(request: Request, store: StoreDep, mailer: MailerDep, settings: SettingsDep,
                   email: Annotated[str, Form(max_length=320)], background: BackgroundTasks,
                   frequency: Annotated[str, Form(max_length=20)] = "daily") -> Response:
    _subscribe_later(request, background, store, mailer, settings, email, frequency)
    return _message(request, "Check your inbox", CHECK_INBOX,
                    mail_notice=mail_notice(store, mailer),
                    link={"href": "/", "text": "Back to the daily papers"})


@router.api_route("/subscribe/confirm/{token}", methods=["GET", "HEAD"], include_in_schema=False)
def confirm_page(request: Request, store: StoreDep, token: str) -> Response:
    subscriber = digests.pending_confirmation(store, token)
    return _message(request, "Confirm your subscription",
                    f"Press the button to receive the {subscriber.preferences.frequency} digest "
                    f"at {subscriber.email}.",
                    form_action=f"/subscribe/confirm/{token}", button="Confirm subscription")


@router.post("/subscribe/confirm/{token}", include_in_schema=False,
             dependencies=[Depends(require_csrf)])
def confirm(request: Request, store: StoreDep, token: str) -> Response:
    subscriber = digests.confirm(store, token)
    return _message(request, "You are subscribed",
                    f"{subscriber.email} will receive the {subscriber.preferences.frequency} "
                    "digest. Every digest has a link to change these preferences or unsubscribe.",
                    link={"href": f"/subscriptions/{subscriber.token}",
                          "text": "Choose sections, keywords and categories"})


def _preferences_page(request: Request, store: Store, token: str,
                      saved: bool = False) -> Response:
    subscriber = digests.subscriber_for(store, token)
    p = subscriber.preferences
    fields = [("keywords", "Saved keyword searches", p.keywords),
              ("categories", "arXiv categories, e.g. cs.CL", p.categories),
              ("organizations", "Organizations you follow", p.organizations),
              ("authors", "Authors you follow", p.authors),
              ("mute_terms", "Mute papers mentioning", p.mute_terms)]
    return render(request, "subscription.html",
                  {"subscriber": subscriber, "saved": saved, "fields": fields,
                   "section_titles": SECTION_TITLES, "max_size": MAX_SIZE})


@router.get("/subscriptions/{token}", include_in_schema=False)
def preferences_page(request: Request, store: StoreDep, token: str,
                     saved: bool = False) -> Response:
    return _preferences_page(request, store, token, saved)


@router.post("/subscriptions/{token}", include_in_schema=False,
             dependencies=[Depends(require_csrf)])
def save_preferences(store: StoreDep, token: str,
                     frequency: Annotated[str, Form(max_length=20)] = "daily",
                     size: Annotated[str, Form(max_length=10)] = "10",
                     sections: Annotated[list[str] | None, Form()] = None,
                     keywords: TermsField = "", categories: TermsField = "",
                     organizations: TermsField = "", authors: TermsField = "",
                     mute_terms: TermsField = "") -> Response:
    form = {"frequency": frequency, "size": size, "keywords": keywords,
            "categories": categories, "organizations": organizations, "authors": authors,
            "mute_terms": mute_terms}
    digests.update_preferences(store, token, form, sections or [])
    return RedirectResponse(f"/subscriptions/{token}?saved=true", status_code=303)


@router.api_route("/unsubscribe/{token}", methods=["GET", "HEAD"], include_in_schema=False)
def unsubscribe_page(request: Request, store: StoreDep, token: str) -> Response:
    subscriber = digests.subscriber_for(store, token)
    return _message(request, "Unsubscribe", f"Stop all digests to {subscriber.email}?",
                    form_action=f"/unsubscribe/{token}", button="Unsubscribe", one_click=True)


@router.post("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe(request: Request, store: StoreDep, token: str) -> Response:
    """RFC 8058 one-click unsubscribe (any origin, no cookies needed)."""
    subscriber = digests.unsubscribe(store, token)
    return _message(request, "You are unsubscribed",
                    f"No more digests will be sent to {subscriber.email}.")


# The digest carries its styles inline, as mail must; the preview lets only those through.
PREVIEW_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@router.get("/digest/preview", include_in_schema=False)
def preview(store: StoreDep, settings: SettingsDep, interests: InterestsDep,
            period: Annotated[Literal["daily", "weekly"], Query()] = "daily",
            date: Annotated[str | None, Query(max_length=10)] = None,
            token: Token | None = None) -> Response:
    """The digest as it would be sent now (default preferences, or the token's)."""
    _, html = digest_send.preview_digest(store, settings, period, token, date, interests)
    return HTMLResponse(html, headers={"Content-Security-Policy": PREVIEW_CSP})
