"""Digest and confirmation mails: Jinja2 templates (HTML autoescaped) and MIME messages.

Everything here is pure apart from reading the templates: messages are built from
dataclasses, settings and the time given. Header values are checked for CR/LF.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from paperwire.config import Settings
from paperwire.mail import check_header_value, check_message_headers
from paperwire.models import Paper
from paperwire.models_digests import Digest, Subscriber
from paperwire.text import shorten_authors

SNIPPET_CHARS = 300
# Long header values (unsubscribe URLs) stay on one line instead of being folded.
MAIL_POLICY = policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class DigestLinks:
    """Absolute links a digest carries (all on the configured base URL)."""

    base_url: str
    token: str

    @property
    def unsubscribe(self) -> str:
        return f"{self.base_url}/unsubscribe/{self.token}"

    @property
    def preferences(self) -> str:
        return f"{self.base_url}/subscriptions/{self.token}"

    @property
    def mutes(self) -> str:
        """The page where an account manages its mutes (the Following page's Muted part)."""
        return f"{self.base_url}/following#mutes-h"

    def paper(self, paper_id: str) -> str:
        return f"{self.base_url}/papers/{quote(paper_id, safe='/')}"


def base_url(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def mail_domain(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "localhost"


def build_message_id(settings: Settings) -> str:
    """A new, globally unique Message-ID on the site's domain."""
    return f"<{secrets.token_hex(16)}@{mail_domain(settings)}>"


def render_oneline(text: str) -> str:
    return " ".join(text.split())


def render_snippet(text: str) -> str:
    """The start of ``text``, at most SNIPPET_CHARS, cut between words."""
    flat = render_oneline(text)
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat.rfind(" ", 0, SNIPPET_CHARS)
    return flat[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS - 1].rstrip(" ,;:") + "…"


def render_paper_line(paper: Paper) -> str:
    """"A, B, C et al. · Lab · 3 upvotes": the parts a paper has, never a leading "·"."""
    upvotes = f"{paper.upvotes} upvote{'' if paper.upvotes == 1 else 's'}"
    org = render_oneline(paper.organization.fullname) if paper.organization else ""
    return " · ".join(part for part in (render_authors(paper), org, upvotes) if part)


def render_authors(paper: Paper, first: int = 3) -> str:
    names = [render_oneline(a.name) for a in paper.authors if not a.hidden]
    return shorten_authors(names, paper.shown_author_count, first)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("paperwire.digests", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["oneline"] = render_oneline
    env.filters["snippet"] = render_snippet
    env.globals["authors"] = render_authors
    env.globals["paper_line"] = render_paper_line
    return env


def render_digest_subject(settings: Settings, digest: Digest) -> str:
    count = len(digest.papers)
    return render_oneline(f"{settings.site_name} {digest.period.frequency} digest · "
                          f"{digest.label} · {count} paper{'' if count == 1 else 's'}")


def render_digest(settings: Settings, subscriber: Subscriber, digest: Digest) -> tuple[str, str]:
    """(plain text, HTML) of a digest."""
    context = {
        "site_name": settings.site_name,
        "digest": digest,
        "email": subscriber.email,
        "links": DigestLinks(base_url(settings), subscriber.token),
        "subject": render_digest_subject(settings, digest),
    }
    env = environment()
    return (env.get_template("digest.txt").render(context),
            env.get_template("digest.html").render(context))


def _put(message: EmailMessage, name: str, value: str) -> None:
    message[name] = check_header_value(name, value)


def _new_message(settings: Settings, to: str, subject: str, text: str, html: str,
                 now: datetime) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    _put(message, "From", settings.mail_from)
    _put(message, "To", to)
    _put(message, "Subject", subject)
    _put(message, "Date", format_datetime(now))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def build_digest_message(settings: Settings, subscriber: Subscriber, digest: Digest,
                         message_id: str, now: datetime) -> EmailMessage:
    """The digest mail with RFC 8058 one-click unsubscribe headers."""
    text, html = render_digest(settings, subscriber, digest)
    subject = render_digest_subject(settings, digest)
    message = _new_message(settings, subscriber.email, subject, text, html, now)
    links = DigestLinks(base_url(settings), subscriber.token)
    freq = digest.period.frequency
    _put(message, "Message-ID", message_id)
    _put(message, "List-Id", f"{freq} digest <{freq}.digest.{mail_domain(settings)}>")
    _put(message, "List-Unsubscribe", f"<{links.unsubscribe}>")
    _put(message, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    check_message_headers(message)
    return message


def build_confirmation_message(settings: Settings, email: str, frequency: str,
                               confirm_url: str, now: datetime) -> EmailMessage:
    """The double opt-in mail: a link to a page whose button confirms."""
    context = {"site_name": settings.site_name, "email": email, "frequency": frequency,
               "confirm_url": confirm_url}
    env = environment()
    subject = render_oneline(f"Confirm your {settings.site_name} digest subscription")
    message = _new_message(settings, email, subject,
                           env.get_template("confirm.txt").render(context),
                           env.get_template("confirm.html").render(context), now)
    _put(message, "Message-ID", build_message_id(settings))
    check_message_headers(message)
    return message
