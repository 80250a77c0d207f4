"""Mail the site sends waits in the queue while the mail server is down, and the demo keeps it
in an outbox a developer reads on /dev/mail."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services, open_store
from paperwire.clock import now_utc
from paperwire.config import Settings, load_settings, with_demo_defaults
from paperwire.mail import SmtpMailer
from paperwire.services.mail_queue import deliver_due, retry_delay
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import post
from tests.smtp_sink import SmtpSink


def test_unreachable_server_keeps_the_message_and_a_later_round_delivers_it(
        settings: Settings, store: SqliteStore, smtp_server: SmtpSink) -> None:
    down = replace(settings, smtp_port=1)
    with TestClient(create_app(build_services(down, store=store)), base_url="http://testserver") as c:
        first = post(c, "/subscribe", {"email": "reader@example.org"})
        # the mail goes after the answer: the next page that sends mail tells of the wait
        page = post(c, "/subscribe", {"email": "other@example.org"})
    assert first.status_code == 200 and page.status_code == 200
    assert "cannot be reached" in page.text and re.search(r"next try at \d\d:\d\d UTC", page.text)
    mail = next(m for m in store.list_mail(10) if "reader@example.org" in m.message)
    assert mail.status == "queued" and mail.attempts == 1 and "Connection refused" in (
        mail.last_error or "")

    up = replace(settings, smtp_port=smtp_server.port)
    outcome = deliver_due(store, SmtpMailer(up), now_utc() + timedelta(hours=1))
    assert outcome[mail.id] == "sent" and set(outcome.values()) == {"sent"}
    received = next(r for r in smtp_server.received if "reader@example.org" in str(r.message["To"]))
    text = received.message.get_body(("plain",)).get_content()
    assert "http://testserver/subscribe/confirm/" in text
    assert {m.status for m in store.list_mail(10)} == {"sent"}


def test_retry_waits_grow_and_stop_growing() -> None:
    waits = [retry_delay(n).total_seconds() for n in (1, 2, 3, 30)]
    assert waits[:3] == [30, 60, 120] and waits[3] == 1800


def test_demo_outbox_is_readable_on_dev_mail(env: dict[str, str], store: SqliteStore) -> None:
    demo = with_demo_defaults(load_settings(env), env)
    assert demo.mailer == "outbox"
    with TestClient(create_app(build_services(demo, store=store)), base_url="http://testserver") as c:
        page = post(c, "/subscribe", {"email": "reader@example.org"})
        assert 'href="/dev/mail"' in page.text and "outbox" in page.text
        outbox = c.get("/dev/mail")
        assert outbox.status_code == 200 and "reader@example.org" in outbox.text
        link = re.search(r'href="(/dev/mail/\d+)"', outbox.text)
        assert link is not None
        message = c.get(link.group(1))
    assert re.search(r'<a href="http://testserver/subscribe/confirm/[\w-]+"', message.text)
    assert store.list_mail(10)[0].status == "kept"


def test_dev_mail_is_absent_outside_the_demo_and_debug(client: TestClient) -> None:
    assert client.get("/dev/mail").status_code == 404


def test_demo_keeps_a_mailer_that_is_set(env: dict[str, str]) -> None:
    chosen = {**env, "PAPERWIRE_MAILER": "console"}
    assert with_demo_defaults(load_settings(chosen), chosen).mailer == "console"


def test_demo_for_you_ranks_the_whole_corpus_unless_set(env: dict[str, str]) -> None:
    assert with_demo_defaults(load_settings(env), env).for_you_days == 0
    chosen = {**env, "PAPERWIRE_FOR_YOU_DAYS": "7"}
    assert with_demo_defaults(load_settings(chosen), chosen).for_you_days == 7


def test_two_processes_on_one_queue_deliver_each_message_once(
        settings: Settings, store: SqliteStore, smtp_server: SmtpSink) -> None:
    now = now_utc()
    message = "To: reader@example.org\nFrom: site@example.org\nSubject: hi\n\nhello\n"
    mail_id = store.enqueue_mail("reader@example.org", "hi", message, "queued", now)
    other = open_store(settings)  # a second worker process's store
    mailer = SmtpMailer(replace(settings, smtp_port=smtp_server.port))
    try:
        taken = other.claim_due_mail(now, 10, now + timedelta(minutes=5))
        assert [mail.id for mail in taken] == [mail_id]
        assert store.claim_due_mail(now, 10, now + timedelta(minutes=5)) == []
        assert deliver_due(store, mailer, now + timedelta(minutes=1)) == {}  # claimed elsewhere
        assert smtp_server.received == []
        # the claiming process died: after the claim runs out, another one delivers it
        assert deliver_due(store, mailer, now + timedelta(minutes=6)) == {mail_id: "sent"}
        assert deliver_due(other, mailer, now + timedelta(minutes=30)) == {}
    finally:
        other.close()
    assert len(smtp_server.received) == 1
