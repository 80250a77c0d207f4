"""Subscribe, confirm, preferences, unsubscribe and preview through the web app."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services
from paperwire.cli import main
from paperwire.config import Settings
from paperwire.mail import SmtpMailer
from paperwire.services import digests
from paperwire.services.digest_send import send_digests
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import post
from tests.digest_helpers import MONDAY, add_confirmed, add_daily, make_paper, status_of
from tests.smtp_sink import SmtpSink

CROSS_SITE = {"Origin": "https://mail.example.com", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def web(mail_settings: Settings, store: SqliteStore) -> Iterator[TestClient]:
    app = create_app(build_services(mail_settings, store=store))
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def confirm_path(sink: SmtpSink, index: int = -1) -> str:
    text = sink.received[index].message.get_body(("plain",)).get_content()
    found = re.search(r"http://testserver(/subscribe/confirm/[A-Za-z0-9_-]+)", text)
    assert found is not None, text
    return found.group(1)


def form(web: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """A same-site form POST carrying the browser's CSRF token, as the pages send it."""
    return post(web, path, data or {})


def send_all(store: SqliteStore, settings: Settings, frequency: str = "daily") -> int:
    mailer = SmtpMailer(settings)
    try:
        return send_digests(store, mailer, settings, frequency, MONDAY.isoformat()).sending.sent
    finally:
        mailer.close()


def test_list_pages_carry_the_subscription_form(web: TestClient) -> None:
    for path in ("/", "/papers"):
        page = web.get(path)
        assert page.status_code == 200
        assert 'action="/subscribe"' in page.text and 'name="email"' in page.text


def test_double_opt_in_end_to_end(web: TestClient, store: SqliteStore, mail_settings: Settings,
                                  smtp_server: SmtpSink) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "A paper", 3)])
    page = form(web, "/subscribe", {"email": " Reader@Example.org ", "frequency": "daily"})
    assert page.status_code == 200 and "Check your inbox" in page.text
    [mail] = smtp_server.received
    assert mail.rcpt == ["reader@example.org"]
    path = confirm_path(smtp_server)
    assert f"http://testserver{path}" in mail.message.get_body(("html",)).get_content()
    assert len(path.rsplit("/", 1)[1]) >= 22  # ≥ 128 random bits
    assert send_all(store, mail_settings) == 0  # nothing before confirmation
    shown = web.get(path)
    assert shown.status_code == 200 and f'action="{path}"' in shown.text
    assert web.head(path).status_code == 200
    assert status_of(store, "reader@example.org") == "pending"  # GET/HEAD confirm nothing
    done = form(web, path)
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert status_of(store, "reader@example.org") == "confirmed"
    assert form(web, path).status_code == 404  # single use
    assert send_all(store, mail_settings) == 1
    assert "A paper" in smtp_server.received[-1].message.get_body(("plain",)).get_content()


def test_api_subscription_and_errors(web: TestClient, smtp_server: SmtpSink) -> None:
    ok = web.post("/api/subscriptions", json={"email": "api@example.org", "frequency": "weekly"})
    assert ok.status_code == 202 and ok.json()["status"] == "confirmation_sent"
    assert "weekly" in smtp_server.received[0].message.get_body(("plain",)).get_content()
    again = web.post("/api/subscriptions", json={"email": "api@example.org"})
    assert again.status_code == 202 and len(smtp_server.received) == 1  # no mail bombing
    bad = web.post("/api/subscriptions", json={"email": "not an address\r\nBcc: x@y.org"})
    assert bad.status_code in (400, 422) and bad.json()["parameter"] == "email"
    wrong = web.post("/api/subscriptions", json={"email": "a@example.org", "frequency": "hourly"})
    assert wrong.status_code == 422
    assert len(smtp_server.received) == 1


def test_confirmation_links_expire_after_three_days(web: TestClient, store: SqliteStore,
                                                    mail_settings: Settings,
                                                    smtp_server: SmtpSink) -> None:
    past = datetime.now(UTC) - timedelta(days=3, minutes=1)
    digests.subscribe(store, SmtpMailer(mail_settings), mail_settings, "late@example.org",
                      "daily", now=past)
    path = confirm_path(smtp_server)
    assert web.get(path).status_code == 404
    assert form(web, path).status_code == 404
    assert status_of(store, "late@example.org") == "pending"


def test_one_click_unsubscribe_cross_site_without_cookies(
        web: TestClient, store: SqliteStore, mail_settings: Settings, smtp_server: SmtpSink,
        tmp_path: object) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "A paper", 3)])
    [email, other] = add_confirmed(store, 2)
    sub = store.get_subscriber(email=email)
    assert sub is not None
    path = f"/unsubscribe/{sub.token}"
    page = web.get(path)
    assert page.status_code == 200 and f'action="{path}"' in page.text
    assert web.head(path).status_code == 200
    assert status_of(store, email) == "confirmed"  # GET and HEAD change nothing
    web.cookies.clear()
    gone = web.post(path, content=b"List-Unsubscribe=One-Click", headers={
        **CROSS_SITE, "Content-Type": "application/x-www-form-urlencoded"})
    assert gone.status_code == 200 and status_of(store, email) == "unsubscribed"
    assert web.post("/subscribe", data={"email": "x@example.org"},
                    headers=CROSS_SITE).status_code == 403  # other forms stay protected
    assert send_all(store, mail_settings) == 1
    assert [r.rcpt for r in smtp_server.received] == [[other]]  # 0 digests after unsubscribe
    digests.import_subscribers(store, mail_settings, [email, other])
    assert status_of(store, email) == "unsubscribed"  # a re-import does not resubscribe


def test_digest_forms_without_the_csrf_token_are_refused(
        web: TestClient, store: SqliteStore, smtp_server: SmtpSink) -> None:
    [email] = add_confirmed(store, 1)
    sub = store.get_subscriber(email=email)
    assert sub is not None
    web.get("/")  # the browser has its CSRF cookie, but the forged form has no token
    forged = [("/subscribe", {"email": "victim@example.org"}),
              (f"/subscriptions/{sub.token}", {"frequency": "weekly", "size": "3"}),
              ("/subscribe/confirm/" + "t" * 32, {})]
    for path, data in forged:  # neither Origin nor Sec-Fetch-Site: only the token protects
        assert web.post(path, data=data).status_code == 403, path
    assert smtp_server.received == [] and store.get_subscriber(email="victim@example.org") is None
    assert store.get_subscriber(email=email).preferences.size != 3  # type: ignore[union-attr]
    gone = web.post(f"/unsubscribe/{sub.token}", data={})  # one-click stays the exception
    assert gone.status_code == 200 and status_of(store, email) == "unsubscribed"


def test_resubscribing_needs_a_new_confirmation(web: TestClient, store: SqliteStore,
                                                mail_settings: Settings,
                                                smtp_server: SmtpSink) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "A paper", 3)])
    [email] = add_confirmed(store, 1)
    sub = store.get_subscriber(email=email)
    assert sub is not None
    web.post(f"/unsubscribe/{sub.token}")
    form(web, "/subscribe", {"email": email})
    assert status_of(store, email) == "unsubscribed" and send_all(store, mail_settings) == 0
    form(web, confirm_path(smtp_server))
    assert status_of(store, email) == "confirmed" and send_all(store, mail_settings) == 1


def test_preferences_page_reached_by_token(web: TestClient, store: SqliteStore) -> None:
    [email] = add_confirmed(store, 1)
    sub = store.get_subscriber(email=email)
    assert sub is not None
    path = f"/subscriptions/{sub.token}"
    assert email in web.get(path).text
    saved = form(web, path, {
        "frequency": "weekly", "size": "5", "sections": ["trending", "keywords"],
        "keywords": "diffusion\nsparse attention", "categories": "cs.CL cs.LG",
        "mute_terms": "survey"})
    assert saved.status_code == 303
    prefs = store.get_subscriber(email=email).preferences  # type: ignore[union-attr]
    assert (prefs.frequency, prefs.size, prefs.sections) == ("weekly", 5, ("trending", "keywords"))
    assert prefs.keywords == ("diffusion", "sparse attention")
    assert prefs.categories == ("cs.CL", "cs.LG") and prefs.mute_terms == ("survey",)
    assert form(web, path, {"size": "500"}).status_code == 400
    assert web.get("/subscriptions/unknown-token").status_code == 404


def test_preview_shows_the_current_digest_escaped(web: TestClient, store: SqliteStore) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "Tags <img src=x onerror=alert(1)>", 3)])
    page = web.get("/digest/preview", params={"period": "daily", "date": "2025-10-13"})
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img" not in page.text
    assert web.get("/digest/preview", params={"date": "2025-10-18"}).status_code == 400


def test_cli_dry_run_stats_and_failure_exit(mail_env: dict[str, str], store: SqliteStore,
                                            smtp_server: SmtpSink) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "A paper", 3)])
    add_confirmed(store, 3)
    runner = CliRunner(env=mail_env)
    dry = runner.invoke(main, ["digest", "send", "--date", "2025-10-13", "--dry-run"])
    assert dry.exit_code == 0 and "3 composed" in dry.output and smtp_server.received == []
    smtp_server.handler.reply_data = lambda call: "451 Not now"
    failing = CliRunner(env={**mail_env, "PAPERWIRE_DIGEST_MAX_ATTEMPTS": "1"})
    result = failing.invoke(main, ["digest", "send", "--date", "2025-10-13"])
    assert result.exit_code == 1 and "stopped after 1 temporary failures" in result.output
    stats = json.loads(runner.invoke(main, ["stats"]).output)
    assert stats["subscribers_confirmed"] == 3
    assert (stats["digests_sent"], stats["digests_pending"]) == (0, 2)
    smtp_server.handler.reply_data = lambda call: None
    resumed = runner.invoke(main, ["digest", "send", "--date", "2025-10-13"])
    assert resumed.exit_code == 0 and "2 sent" in resumed.output


def test_daily_command_runs_the_digest_step(mail_env: dict[str, str], store: SqliteStore,
                                            smtp_server: SmtpSink) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "A paper", 3)])
    add_confirmed(store, 2)
    runner = CliRunner(env={**mail_env, "PAPERWIRE_DAILY_STEPS": "digest"})
    result = runner.invoke(main, ["daily"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output and len(smtp_server.received) == 2


def test_unreachable_mail_server_gives_the_same_answer(settings: Settings,
                                                       store: SqliteStore) -> None:
    down = replace(settings, smtp_port=1)
    app = create_app(build_services(down, store=store))
    with TestClient(app, base_url="http://testserver") as c:
        answer = c.post("/api/subscriptions", json={"email": "someone@example.org"})
    assert answer.status_code == 202
    sub = store.get_subscriber(email="someone@example.org")
    assert sub is not None and store.last_confirmation_at(sub.id) is not None
    [queued] = store.list_mail(10)  # kept for a retry instead of dropped
    assert queued.status == "queued" and queued.recipient == "someone@example.org"


def test_preview_is_styled_and_reads_well(web: TestClient, store: SqliteStore) -> None:
    long = "Transformers " + "attention " * 60 + "conclusion."
    add_daily(store, date(2025, 10, 6), [make_paper("2510.00002", "No names", 2, authors=(),
                                                    summary=long)])
    page = web.get("/digest/preview", params={"period": "daily", "date": "2025-10-06"})
    assert "Monday, 6 October 2025" in page.text and " 06 October" not in page.text
    assert "<style>" in page.text and "'unsafe-inline'" in page.headers["content-security-policy"]
    assert "script-src 'self';" in page.headers["content-security-policy"]
    meta = re.search(r'<p class="meta">([^<]*)</p>', page.text)
    assert meta and meta.group(1) == "2 upvotes"  # no leading "·" when names are unknown
    snippet = re.search(r"<p>(Transformers [^<]*)</p>", page.text)
    assert snippet and snippet.group(1).endswith("attention…")
