"""Composing and sending the digests of a period, and previewing one.

``send_digests`` is safe to re-run: the outbox holds one row per (subscriber, period), created
in one transaction, and rows already sent are never sent again. Only one sender runs at a time
(the store's digest sender lock; it goes when a sender dies).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from typing import Protocol

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.dates import parse_day
from paperwire.digests.build import Candidates, build_candidates, build_digest
from paperwire.digests.render import build_digest_message, build_message_id, render_digest
from paperwire.errors import InvalidInput
from paperwire.mail import Mailer
from paperwire.models import DailyEntry, Paper
from paperwire.models_digests import (
    Digest,
    DigestSection,
    OutboxDraft,
    OutboxEntry,
    Preferences,
    Subscriber,
    build_period,
    outbox_key,
    parse_period_key,
)
from paperwire.periods import Period
from paperwire.ranking import rank_trending
from paperwire.search.vectors import serve_single_threaded
from paperwire.services.catalog import latest_day
from paperwire.services.digest_outbox import OutboxSender, SendPolicy, SendReport
from paperwire.services.digest_personal import AccountDigests
from paperwire.services.digests import parse_frequency, subscriber_for
from paperwire.storage import Store

POOL_PAGE = 1000
POOL_MAX = 5000


class InterestSource(Protocol):
    """Papers similar to what an account upvoted (the search capability provides one)."""

    def similar_to_upvoted(self, username: str, cands: Candidates, limit: int) -> list[str]: ...


@dataclass
class DigestRun:
    period: Period | None
    subscribers: int = 0
    composed: int = 0
    queued: int = 0
    sending: SendReport = field(default_factory=SendReport)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.sending.ok


def resolve_digest_period(store: Store, settings: Settings, frequency: str,
                   day: str | None) -> Period | None:
    """The period to send: the given day, else the latest daily list (daily) or the last
    complete week (weekly). None for a daily digest on a Saturday or Sunday."""
    parse_frequency(frequency)
    if day:
        chosen = parse_day(day, "date")
    elif frequency == "weekly":
        today = now_utc().astimezone(settings.zone).date()
        chosen = today - timedelta(days=today.isoweekday())
    else:
        chosen = latest_day(store, settings)
    if frequency == "daily" and chosen.weekday() >= 5:
        return None
    return build_period(frequency, chosen)


def load_candidates(store: Store, settings: Settings, period: Period) -> Candidates:
    """The papers of the period's daily lists, in trending order as of the period's end."""
    entries: list[DailyEntry] = []
    while len(entries) < POOL_MAX:
        page = store.list_daily(period.start, period.end, sort="upvotes", offset=len(entries),
                                limit=POOL_PAGE)
        entries.extend(page)
        if len(page) < POOL_PAGE:
            break
    end = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=settings.zone)
    ranked = rank_trending(entries, min(end, now_utc()), settings.trending_gravity)
    return build_candidates([e.paper for e in ranked])


def compose_digest(cands: Candidates, subscriber: Subscriber, period: Period,
                   already_sent: set[str], interests: InterestSource | None,
                   accounts: AccountDigests | None = None) -> Digest:
    """One subscriber's digest; an account's follows, mutes, saves, upvotes and model join
    in when the subscription is linked to one (``digest_personal``). ``hidden_muted``
    counts the papers the digest would have carried but for the account's mutes."""
    prefs = subscriber.preferences
    part = accounts.part_for(subscriber, cands) if accounts is not None else None
    excluded = set(already_sent)
    if part is not None:
        prefs = part.prefs
        excluded |= part.excluded
    similar: list[str] = []
    if interests is not None and subscriber.username and "interests" in prefs.sections:
        similar = interests.similar_to_upvoted(subscriber.username, cands, prefs.size * 3)
    for_you = part.for_you if part is not None else ()
    digest = build_digest(cands, prefs, period, excluded, similar, for_you)
    if part is None or not part.muted:
        return digest
    unmuted = build_digest(cands, prefs, period, set(already_sent) | (part.excluded - part.muted),
                           similar, for_you)
    hidden = sum(1 for paper in unmuted.papers if paper.id in part.muted)
    return replace(digest, hidden_muted=hidden)


def compose_drafts(store: Store, settings: Settings, period: Period,
                   interests: InterestSource | None = None) -> tuple[int, list[OutboxDraft]]:
    """(subscribers due, drafts for those without a digest of this period yet). One BLAS
    thread: each subscriber's products are small, and a BLAS pool spins between them."""
    serve_single_threaded()
    subscribers = store.list_subscribers(period.frequency)
    done = store.outbox_subscriber_ids(outbox_key(period))
    todo = [s for s in subscribers if s.id not in done]
    cands = load_candidates(store, settings, period)
    if not todo or not cands.papers:
        return len(subscribers), []
    sent = store.sent_paper_ids([p.id for p in cands.papers], outbox_key(period))
    accounts = AccountDigests(store, settings, now_utc())
    drafts = []
    for subscriber in todo:
        digest = compose_digest(cands, subscriber, period, sent.get(subscriber.id, set()),
                                interests, accounts)
        if digest.papers:
            drafts.append(OutboxDraft(subscriber.id, build_message_id(settings), digest.items,
                                      digest.hidden_muted))
    return len(subscribers), drafts


def build_composer(store: Store, settings: Settings) -> Callable[[OutboxEntry],
                                                                 EmailMessage | None]:
    """Turns a queued row back into its message (same papers, same Message-ID)."""

    def compose(entry: OutboxEntry) -> EmailMessage | None:
        papers = {p.id: p for p in store.get_papers([pid for pid, _ in entry.items])}
        digest = replace(_digest_of(parse_period_key(entry.period), entry.items, papers),
                         hidden_muted=entry.hidden_muted)
        if not digest.papers:
            return None
        return build_digest_message(settings, entry.subscriber, digest, entry.message_id,
                                    now_utc())

    return compose


def _digest_of(period: Period, items: Sequence[tuple[str, str]],
               papers: dict[str, Paper]) -> Digest:
    sections: dict[str, list[Paper]] = {}
    for paper_id, section in items:
        if paper_id in papers:
            sections.setdefault(section, []).append(papers[paper_id])
    return Digest(period, tuple(DigestSection(k, tuple(v)) for k, v in sections.items()))


def send_digests(store: Store, mailer: Mailer, settings: Settings, frequency: str = "daily",
                 day: str | None = None, dry_run: bool = False,
                 interests: InterestSource | None = None) -> DigestRun:
    """Queue the period's digests (one transaction) and send everything due."""
    period = resolve_digest_period(store, settings, frequency, day)
    run = DigestRun(period)
    if period is None:
        run.note = "no daily digest on Saturdays and Sundays"
    with store.digest_sender_lock():
        if period is not None:
            run.subscribers, drafts = compose_drafts(store, settings, period, interests)
            run.composed = len(drafts)
            if not dry_run:
                run.queued = store.create_outbox(outbox_key(period), drafts, now_utc())
        if not dry_run:
            policy = SendPolicy(settings.mail_rate, settings.digest_retry_base,
                                settings.digest_max_attempts)
            run.sending = OutboxSender(store, mailer, build_composer(store, settings),
                                       policy).run()
    return run


def preview_digest(store: Store, settings: Settings, frequency: str = "daily",
                   token: str | None = None, day: str | None = None,
                   interests: InterestSource | None = None) -> tuple[Digest, str]:
    """The digest as it would be sent now, and its HTML (default preferences without token)."""
    period = resolve_digest_period(store, settings, parse_frequency(frequency), day)
    if period is None:
        raise InvalidInput("daily digests are sent on weekdays only: pick a weekday",
                           field="date")
    cands = load_candidates(store, settings, period)
    sent: dict[int, set[str]] = {}
    if token:
        subscriber = subscriber_for(store, token)
        sent = store.sent_paper_ids([p.id for p in cands.papers], outbox_key(period))
    else:
        subscriber = Subscriber(0, "you@example.org", "confirmed", "preview",
                                Preferences(frequency=frequency, size=settings.digest_size))
    digest = compose_digest(cands, subscriber, period, sent.get(subscriber.id, set()),
                            interests, AccountDigests(store, settings, now_utc()))
    return digest, render_digest(settings, subscriber, digest)[1]
