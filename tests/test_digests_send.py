"""Composing and sending digests to a real SMTP server on loopback."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from paperwire.config import Settings
from paperwire.mail import SmtpMailer
from paperwire.models import Organization
from paperwire.models_digests import Preferences, build_period, outbox_key
from paperwire.services.digest_interests import UpvoteInterests
from paperwire.services.digest_outbox import OutboxSender, SendPolicy
from paperwire.services.digest_send import (
    DigestRun,
    build_composer,
    compose_drafts,
    send_digests,
)
from paperwire.services.digests import subscribe
from paperwire.storage.sqlite import SqliteStore
from paperwire.tokens import hash_token
from tests.digest_helpers import MONDAY, add_confirmed, add_daily, make_paper, status_of
from tests.smtp_sink import SmtpSink


def send(store: SqliteStore, settings: Settings, day: str = "2025-10-13",
         frequency: str = "daily") -> DigestRun:
    mailer = SmtpMailer(settings)
    try:
        return send_digests(store, mailer, settings, frequency, day, False,
                            UpvoteInterests(store))
    finally:
        mailer.close()


def monday_papers(store: SqliteStore) -> None:
    add_daily(store, MONDAY, [
        make_paper("2510.00001", "Attention <b>is</b> & all you need", 50,
                   categories=("cs.CL",), summary="We use $x<y$ & <script>alert(1)</script>."),
        make_paper("2510.00002", "Diffusion models for proteins", 30, categories=("q-bio.BM",)),
        make_paper("2510.00003", "A survey of graph networks", 20, categories=("cs.LG",)),
        make_paper("2510.00004", "Sparse diffusion transformers", 1, categories=("cs.CV",),
                   organization=Organization("acme", "Acme Research")),
    ])


def test_digest_headers_parts_links_and_escaping(store: SqliteStore, mail_settings: Settings,
                                                 smtp_server: SmtpSink) -> None:
    monday_papers(store)
    [email] = add_confirmed(store, 1)
    subscriber = store.get_subscriber(email=email)
    assert subscriber is not None
    run = send(store, mail_settings)
    assert (run.queued, run.sending.sent) == (1, 1)
    [got] = smtp_server.received
    msg = got.message
    unsubscribe = f"http://testserver/unsubscribe/{subscriber.token}"
    assert msg["To"] == email and msg["From"] == mail_settings.mail_from
    assert msg["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Id"] == "daily digest <daily.digest.testserver>"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@testserver>")
    assert "4 papers" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Attention <b>is</b> & all you need" in text
    assert "http://testserver/papers/2510.00001" in text and unsubscribe in text
    assert "Attention &lt;b&gt;is&lt;/b&gt; &amp; all you need" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'href="{unsubscribe}"' in html and 'href="http://testserver/papers/2510.00004"' in html
    order = [html.index(f"2510.0000{n}") for n in (1, 2, 3, 4)]
    assert order == sorted(order)  # trending: most upvoted first
    assert store.stats()["digests_sent"] == 1


def test_personal_sections_mute_terms_and_no_repeats(store: SqliteStore, mail_settings: Settings,
                                                     smtp_server: SmtpSink) -> None:
    monday_papers(store)
    [email] = add_confirmed(store, 1)
    sub = store.get_subscriber(email=email)
    assert sub is not None
    store.set_preferences(sub.id, Preferences(
        size=1, keywords=("diffusion transformers",), categories=("q-bio",),
        organizations=("Acme Research",), mute_terms=("survey",)))
    send(store, mail_settings)
    html = smtp_server.received[0].message.get_body(("html",)).get_content()
    assert "Matching your saved searches" in html and "In your arXiv categories" in html
    assert "survey" not in html.lower()
    for paper_id in ("2510.00001", "2510.00002", "2510.00004"):
        assert html.count(f'href="http://testserver/papers/{paper_id}"') == 1
    # the same subscriber switches to weekly: the week's digest leaves out Monday's papers
    add_daily(store, MONDAY + timedelta(days=1), [make_paper("2510.00009", "Tuesday paper")])
    store.set_preferences(sub.id, Preferences(frequency="weekly"))
    send(store, mail_settings, frequency="weekly")
    weekly = smtp_server.received[1].message.get_body(("plain",)).get_content()
    assert "Tuesday paper" in weekly and "Attention" not in weekly and "Diffusion" not in weekly


def test_account_digest_adds_papers_like_the_upvoted_ones(
        store: SqliteStore, mail_settings: Settings, smtp_server: SmtpSink) -> None:
    now = datetime.now(UTC)
    add_daily(store, MONDAY - timedelta(days=7),
              [make_paper("2510.00900", "Quantum error correction with surface codes", 1)])
    add_daily(store, MONDAY, [
        make_paper("2510.00001", "Popular vision model", 90),
        make_paper("2510.00002", "Language model scaling", 50),
        make_paper("2510.00003", "Decoding surface codes for quantum error correction", 0)])
    user = store.create_user("ada", "ada@example.org", "not-a-real-hash", now)
    assert user is not None
    store.set_vote(user.id, "2510.00900", True, now)
    sub = store.add_subscriber("ada@example.org", Preferences(size=1), "t" * 32, "ada", now)
    store.add_confirmation(sub.id, hash_token("confirm"), now, now + timedelta(days=1))
    store.use_confirmation(hash_token("confirm"), now)
    [anonymous] = add_confirmed(store, 1)
    send(store, mail_settings)
    by_rcpt = {r.rcpt[0]: r.message.get_body(("plain",)).get_content()
               for r in smtp_server.received}
    mine = by_rcpt["ada@example.org"]
    assert "Similar to papers you upvoted" in mine and "Decoding surface codes" in mine
    assert "Language model" not in mine and "Popular vision model" in mine
    assert "Similar to papers you upvoted" not in by_rcpt[anonymous]


def test_re_run_sends_nothing_twice_and_weekend_sends_nothing(
        store: SqliteStore, mail_settings: Settings, smtp_server: SmtpSink) -> None:
    monday_papers(store)
    add_confirmed(store, 5)
    assert send(store, mail_settings).sending.sent == 5
    again = send(store, mail_settings)
    assert (again.queued, again.sending.sent) == (0, 0)
    weekend = send(store, mail_settings, day="2025-10-18")
    assert weekend.period is None and "Saturday" in weekend.note
    assert len(smtp_server.received) == 5


def test_temporary_failures_are_retried_until_all_delivered_once(
        store: SqliteStore, mail_settings: Settings, smtp_server: SmtpSink) -> None:
    monday_papers(store)
    emails = add_confirmed(store, 20)
    smtp_server.handler.reply_data = lambda call: (
        "421 Service not available" if call <= 3 else "451 Try again" if call <= 6 else None)
    run = send(store, mail_settings)
    assert run.sending.retried == 6 and run.sending.sent == 20 and run.ok
    delivered = Counter(r.rcpt[0] for r in smtp_server.received)
    assert delivered == Counter(emails)
    assert store.stats()["digests_pending"] == 0


def test_permanent_refusal_bounces_the_address_for_good(
        store: SqliteStore, mail_settings: Settings, smtp_server: SmtpSink) -> None:
    monday_papers(store)
    emails = add_confirmed(store, 5)
    gone = emails[2]
    smtp_server.handler.reply_rcpt = lambda a: "550 No such user" if a == gone else None
    run = send(store, mail_settings)
    assert (run.sending.sent, run.sending.bounced) == (4, 1) and run.ok
    assert status_of(store, gone) == "bounced"
    tries = smtp_server.handler.rcpt_seen.count(gone)
    add_daily(store, MONDAY + timedelta(days=1), [make_paper("2510.00010", "Next day")])
    send(store, mail_settings, day="2025-10-14")
    assert smtp_server.handler.rcpt_seen.count(gone) == tries == 1
    assert gone not in [r.rcpt[0] for r in smtp_server.received]
    assert len(smtp_server.received) == 8
    again = subscribe(store, SmtpMailer(mail_settings), mail_settings, gone, "daily")
    assert not again.mailed and smtp_server.handler.rcpt_seen.count(gone) == 1
    assert status_of(store, gone) == "bounced"


def test_retries_give_up_after_max_attempts_and_fail_the_run(
        store: SqliteStore, mail_env: dict[str, str], smtp_server: SmtpSink) -> None:
    from paperwire.config import load_settings

    settings = load_settings({**mail_env, "PAPERWIRE_DIGEST_MAX_ATTEMPTS": "3"})
    monday_papers(store)
    add_confirmed(store, 1)
    smtp_server.handler.reply_data = lambda call: "451 Not now"
    run = send(store, settings)
    assert not run.ok and run.sending.failed == 1 and smtp_server.handler.data_calls == 3
    assert "gave up after 3 tries" in run.sending.errors[0]


def test_a_server_that_keeps_failing_stops_the_run_early(
        store: SqliteStore, mail_env: dict[str, str], smtp_server: SmtpSink) -> None:
    from paperwire.config import load_settings

    settings = load_settings({**mail_env, "PAPERWIRE_DIGEST_MAX_ATTEMPTS": "4"})
    monday_papers(store)
    add_confirmed(store, 50)
    smtp_server.handler.reply_data = lambda call: "421 Going down"
    run = send(store, settings)
    assert not run.ok and "stopped after 4 temporary failures" in run.sending.stopped
    assert smtp_server.handler.data_calls == 4 and store.stats()["digests_pending"] == 50


def test_rate_limit_is_never_exceeded_at_the_server(
        store: SqliteStore, mail_env: dict[str, str], smtp_server: SmtpSink) -> None:
    from paperwire.config import load_settings

    rate = 150
    settings = load_settings({**mail_env, "PAPERWIRE_MAIL_RATE": str(rate)})
    add_daily(store, MONDAY, [make_paper("2510.00001", "Only paper", 1)])
    add_confirmed(store, 2000)
    period = build_period("daily", MONDAY)
    store.create_outbox(outbox_key(period), compose_drafts(store, settings, period)[1], datetime.now(UTC))
    policy = SendPolicy(settings.mail_rate, 0.01, 3)
    mailer = SmtpMailer(settings)
    for limit in (1000, None):  # a second sender picks up the pace of the first one
        OutboxSender(store, mailer, build_composer(store, settings), policy).run(limit)
    mailer.close()
    times = sorted(r.at for r in smtp_server.received)
    assert len(times) == 2000
    busiest = max(sum(1 for t in times[i : i + rate + 1] if t - times[i] < 1.0)
                  for i in range(len(times)))
    assert busiest <= rate
