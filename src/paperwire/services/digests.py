"""Digest use cases: subscribe (double opt-in), confirm, preferences, unsubscribe, import,
compose the outbox of a period, send it, preview.

Tokens are ``secrets.token_urlsafe(24)`` (192 random bits). Subscriber tokens (preferences and
unsubscribe links) are stored as they are; confirmation tokens only as SHA-256 hashes, are
single-use and expire after three days. Unsubscribed and bounced addresses stay suppressed:
an import never touches them, a new subscription request only sends a confirmation mail.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from paperwire.config import Settings
from paperwire.digests.models import (
    FREQUENCIES,
    MAX_SIZE,
    SECTIONS,
    Preferences,
    Subscriber,
)
from paperwire.digests.render import base_url, build_confirmation_message
from paperwire.errors import InvalidInput, NotFound
from paperwire.mail import Mailer, MailError
from paperwire.storage import Store

log = logging.getLogger(__name__)
CONFIRM_TTL = timedelta(days=3)
RESEND_CONFIRMATION_AFTER = timedelta(minutes=10)
MAX_TERMS = 50
EMAIL_PATTERN = (
    r"^[^@\s<>()\[\]\\,;:\"]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)
_EMAIL = re.compile(EMAIL_PATTERN)


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_token() -> str:
    """A URL-safe token of 192 random bits."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_email(raw: str) -> str:
    """A normalized (lower-case) address, or InvalidInput naming the field."""
    value = raw.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise InvalidInput(f"email {value[:60]!r} is not a valid email address", field="email")
    return value.lower()


def parse_frequency(raw: str) -> str:
    if raw not in FREQUENCIES:
        raise InvalidInput(f"frequency {raw[:20]!r} must be 'daily' or 'weekly'",
                           field="frequency")
    return raw


def _terms(raw: str, field: str) -> tuple[str, ...]:
    """One term per line (or comma-separated), trimmed, deduplicated, at most MAX_TERMS."""
    parts = [" ".join(p.split()) for p in re.split(r"[\n,]", raw)]
    terms = tuple(dict.fromkeys(p[:200] for p in parts if p))
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"{field}: at most {MAX_TERMS} entries", field=field)
    return terms


def parse_preferences(form: Mapping[str, str], sections: Iterable[str]) -> Preferences:
    """Preferences from the preferences form (text fields hold one entry per line)."""
    try:
        size = int(form.get("size", "10"))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_SIZE:
        raise InvalidInput(f"size must be a whole number from 1 to {MAX_SIZE}", field="size")
    chosen = tuple(s for s in SECTIONS if s in set(sections))
    return Preferences(
        frequency=parse_frequency(form.get("frequency", "daily")), size=size, sections=chosen,
        keywords=_terms(form.get("keywords", ""), "keywords"),
        categories=_terms(form.get("categories", "").replace(" ", "\n"), "categories"),
        organizations=_terms(form.get("organizations", ""), "organizations"),
        authors=_terms(form.get("authors", ""), "authors"),
        mute_terms=_terms(form.get("mute_terms", ""), "mute_terms"),
    )


@dataclass(frozen=True)
class SubscribeResult:
    """What happened; callers show the same message in every case (no address disclosure)."""

    mailed: bool


def subscribe(store: Store, mailer: Mailer, settings: Settings, email: str, frequency: str,
              username: str | None = None, now: datetime | None = None) -> SubscribeResult:
    """Ask for a digest: send a confirmation mail unless none is needed or allowed."""
    now = now or utc_now()
    address = parse_email(email)
    prefs = Preferences(frequency=parse_frequency(frequency), size=settings.digest_size)
    subscriber = store.add_subscriber(address, prefs, new_token(), username, now)
    if subscriber.status in ("confirmed", "bounced"):
        return SubscribeResult(mailed=False)
    last = store.last_confirmation_at(subscriber.id)
    if last is not None and now - last < RESEND_CONFIRMATION_AFTER:
        return SubscribeResult(mailed=False)
    if subscriber.preferences.frequency != prefs.frequency:
        store.set_preferences(subscriber.id, _with_frequency(subscriber.preferences, frequency))
    token = new_token()
    url = f"{base_url(settings)}/subscribe/confirm/{token}"
    try:
        mailer.send(build_confirmation_message(settings, address, frequency, url, now))
    except MailError as exc:  # the same answer either way; the operator sees the log
        log.warning("confirmation mail to subscriber %s not sent: %s", subscriber.id, exc)
        return SubscribeResult(mailed=False)
    store.add_confirmation(subscriber.id, hash_token(token), now, now + CONFIRM_TTL)
    return SubscribeResult(mailed=True)


def _with_frequency(prefs: Preferences, frequency: str) -> Preferences:
    values = {**prefs.__dict__, "frequency": frequency}
    return Preferences(**values)


def _invalid_link() -> NotFound:
    return NotFound("this confirmation link is invalid, used or expired: subscribe again")


def pending_confirmation(store: Store, token: str, now: datetime | None = None) -> Subscriber:
    """The subscriber a confirmation link is for (changes nothing)."""
    found = store.peek_confirmation(hash_token(token), now or utc_now())
    if found is None:
        raise _invalid_link()
    return found


def confirm(store: Store, token: str, now: datetime | None = None) -> Subscriber:
    """Use a confirmation link (once)."""
    found = store.use_confirmation(hash_token(token), now or utc_now())
    if found is None:
        raise _invalid_link()
    return found


def subscriber_for(store: Store, token: str) -> Subscriber:
    found = store.get_subscriber(token=token)
    if found is None:
        raise NotFound("this subscription link is unknown")
    return found


def update_preferences(store: Store, token: str, form: Mapping[str, str],
                       sections: Iterable[str]) -> Subscriber:
    subscriber = subscriber_for(store, token)
    store.set_preferences(subscriber.id, parse_preferences(form, sections))
    return subscriber_for(store, token)


def unsubscribe(store: Store, token: str, now: datetime | None = None) -> Subscriber:
    """Stop every digest to the address behind ``token`` (idempotent)."""
    found = store.unsubscribe(token, now or utc_now())
    if found is None:
        raise NotFound("this unsubscribe link is unknown")
    return found


@dataclass
class ImportResult:
    added: int = 0
    kept: int = 0
    invalid: int = 0


def import_subscribers(store: Store, settings: Settings, lines: Iterable[str],
                       frequency: str = "daily") -> ImportResult:
    """Add addresses that already consented elsewhere, as confirmed. Stored addresses
    (suppressed ones included) are never changed."""
    prefs = Preferences(frequency=parse_frequency(frequency), size=settings.digest_size)
    result = ImportResult()
    batch: list[tuple[str, str]] = []
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            batch.append((parse_email(text.split(",")[0]), new_token()))
        except InvalidInput:
            result.invalid += 1
    added = store.import_subscribers(batch, prefs, utc_now())
    result.added, result.kept = added, len(batch) - added
    return result
