"""The account part of a digest, sent to a real SMTP server on loopback: the subscriber's
chosen sections with the account's For you, follows and saved searches; its mutes, upvotes and
saves left out; each paper once; and nothing of it in another subscriber's digest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from paperwire.config import Settings
from paperwire.mail import SmtpMailer
from paperwire.models import Author
from paperwire.models_digests import Preferences
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services import collections, follows
from paperwire.services.digest_send import DigestRun, send_digests
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from paperwire.tokens import hash_token
from tests.digest_helpers import MONDAY, add_confirmed, add_daily, make_paper
from tests.smtp_sink import SmtpSink

SECTIONS = ("trending", "keywords", "follows", "for_you")


def _papers(store: SqliteStore) -> None:
    add_daily(store, MONDAY - timedelta(days=7), [
        make_paper("2510.00900", "Semantic segmentation of street scenes", 1,
                   summary="Segmentation masks for images of city streets.")])
    add_daily(store, MONDAY, [
        make_paper("2510.00001", "A popular language model", 90),
        make_paper("2510.00002", "Instance segmentation of aerial images", 0,
                   summary="Segmentation masks for images taken from the air."),
        make_paper("2510.00003", "Protein folding by Grace", 5,
                   authors=(Author("Grace Hopper"),)),
        make_paper("2510.00004", "Diffusion for speech synthesis", 4),
        make_paper("2510.00005", "Quantum annealing at scale", 80),
        make_paper("2510.00006", "A paper already upvoted", 70),
        make_paper("2510.00007", "A paper already saved", 60)])


def _linked_subscriber(store: SqliteStore) -> None:
    now = datetime.now(UTC)
    user = store.create_user("ada", "ada@example.org", "not-a-real-hash", now)
    assert user is not None
    store.set_vote(user.id, "2510.00900", True, now)
    store.set_vote(user.id, "2510.00006", True, now)
    reading = collections.create(store, user, "Reading")
    collections.save(store, user, reading.id, "2510.00007")
    follows.follow(store, user, "author", "Grace Hopper")
    follows.follow(store, user, "search", "q=diffusion speech")
    follows.mute(store, user, "keyword", "quantum")
    sub = store.add_subscriber("ada@example.org", Preferences(size=1, sections=SECTIONS),
                               "t" * 32, "ada", now)
    store.add_confirmation(sub.id, hash_token("confirm"), now, now + timedelta(days=1))
    store.use_confirmation(hash_token("confirm"), now)


def _sections(html: str) -> dict[str, list[str]]:
    """Section title -> paper ids, in the order of the message."""
    found: dict[str, list[str]] = {}
    current = ""
    for match in re.finditer(r"<h2[^>]*>([^<]+)</h2>|/papers/(\d{4}\.\d{5})\"", html):
        if match.group(1):
            current = match.group(1).strip()
        else:
            found.setdefault(current, []).append(match.group(2))
    return found


def test_account_sections_mutes_and_no_repeats(store: SqliteStore, mail_settings: Settings,
                                               smtp_server: SmtpSink,
                                               embedder: OnnxEmbedder) -> None:
    _papers(store)
    SearchService(mail_settings, store, embedder).index()
    _linked_subscriber(store)
    [anonymous] = add_confirmed(store, 1)
    run = _send_daily(store, mail_settings)
    assert run.sending.sent == 2
    by_rcpt = {r.rcpt[0]: r.message.get_body(("html",)).get_content()
               for r in smtp_server.received}
    mine = _sections(by_rcpt["ada@example.org"])
    assert list(mine) == ["Trending", "Matching your saved searches",
                          "From organizations and authors you follow", "For you"], mine
    assert mine["Trending"] == ["2510.00001"]
    assert mine["For you"] == ["2510.00002"]
    assert mine["Matching your saved searches"] == ["2510.00004"]
    assert mine["From organizations and authors you follow"] == ["2510.00003"]
    sent = [pid for ids in mine.values() for pid in ids]
    assert len(sent) == len(set(sent))  # each paper once
    assert not {"2510.00005", "2510.00006", "2510.00007"} & set(sent)  # muted, upvoted, saved
    theirs = _sections(by_rcpt[anonymous])
    assert "For you" not in theirs
    assert "2510.00005" in theirs["Trending"]  # ada's mute is hers alone


def _account_subscriber(store: SqliteStore, name: str, token: str) -> int:
    """A confirmed subscription of the account ``name`` (trending only, two papers)."""
    now = datetime.now(UTC)
    user = store.create_user(name, f"{name}@example.org", "not-a-real-hash", now)
    assert user is not None
    sub = store.add_subscriber(f"{name}@example.org",
                               Preferences(size=2, sections=("trending",)), token * 32, name, now)
    store.add_confirmation(sub.id, hash_token(f"confirm-{name}"), now, now + timedelta(days=1))
    store.use_confirmation(hash_token(f"confirm-{name}"), now)
    return user.id


def test_the_mail_says_how_many_papers_the_mutes_hid(store: SqliteStore,
                                                      mail_settings: Settings,
                                                      smtp_server: SmtpSink) -> None:
    """Ada mutes the top paper (it would have led her trending section) and the second one,
    which she also upvoted: only the first counts. Bob, with no mutes, and an anonymous
    subscriber get no such line."""
    _papers(store)
    ada = _account_subscriber(store, "ada", "a")
    user = store.get_user_by_name("ada")
    assert user is not None and user.id == ada
    follows.mute(store, user, "keyword", "popular")
    follows.mute(store, user, "keyword", "quantum")
    store.set_vote(ada, "2510.00005", True, datetime.now(UTC))
    _account_subscriber(store, "bob", "b")
    [anonymous] = add_confirmed(store, 1)
    run = _send_daily(store, mail_settings)
    assert run.sending.sent == 3
    mails = {r.rcpt[0]: r.message for r in smtp_server.received}
    html = mails["ada@example.org"].get_body(("html",)).get_content()
    text = mails["ada@example.org"].get_body(("plain",)).get_content()
    assert _sections(html)["Trending"] == ["2510.00006", "2510.00007"]
    link = "http://testserver/following#mutes-h"
    assert re.search(r">1 paper hidden by your mutes · <a href=\"" + re.escape(link), html), html
    assert f"1 paper hidden by your mutes: {link}" in text, text
    for other in ("bob@example.org", anonymous):
        body = mails[other].get_body(("html",)).get_content()
        body += mails[other].get_body(("plain",)).get_content()
        assert "hidden by your mutes" not in body


def _send_daily(store: SqliteStore, settings: Settings) -> DigestRun:
    mailer = SmtpMailer(settings)
    try:
        return send_digests(store, mailer, settings, "daily", MONDAY.isoformat())
    finally:
        mailer.close()
