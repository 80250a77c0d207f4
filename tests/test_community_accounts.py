"""Accounts: sign up, passwords, login throttling, sessions, logout, password reset."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services
from paperwire.cli import main
from paperwire.config import Settings
from paperwire.services import accounts, limits
from paperwire.storage.sqlite import SqliteStore
from paperwire.tokens import hash_token
from paperwire.web.app import create_app
from tests.community_helpers import (
    PASSWORD,
    csrf,
    log_in,
    new_client,
    post,
    sign_up,
)
from tests.smtp_sink import SmtpSink


def who(client: TestClient) -> str | None:
    match = re.search(r'<li><a href="/users/([^"]+)">', client.get("/").text)
    return match.group(1) if match else None


def test_sign_up_logs_in_and_stores_an_argon2id_hash(cc: TestClient, store: SqliteStore) -> None:
    sign_up(cc, "alice")
    assert who(cc) == "alice"
    user = store.get_user_by_name("ALICE")
    assert user is not None and user.email == "alice@example.org" and not user.is_admin
    stored = store.get_password_hash(user.id)
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("password, problem", [
    ("short7!", "at least 8"), ("password", "too common"), ("12345678", "too common"),
    ("Qwertyuiop", "too common"), ("aaaaaaaaaaaa", "repetitive"), ("alice", "at least 8"),
])
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    with pytest.raises(accounts.InvalidInput, match=problem):
        accounts.check_password(password, "alice")


def test_long_passwords_are_allowed_and_the_common_list_is_shipped() -> None:
    assert accounts.check_password("x" * 3 + "y" * 200 + "z" * 200)
    assert len(accounts.common_passwords()) >= 300


def test_bad_sign_ups_explain_the_field(cc: TestClient) -> None:
    bad = post(cc, "/signup", {"username": "<b>x</b>", "email": "a@example.org",
                               "password": PASSWORD})
    assert bad.status_code == 400 and "username must be" in bad.text
    bad = post(cc, "/signup", {"username": "bob", "email": "nope", "password": PASSWORD})
    assert bad.status_code == 400 and "is not a valid email address" in bad.text
    sign_up(cc, "bob")
    dup = post(new_client(cc), "/signup", {"username": "BOB", "email": "x@example.org",
                                           "password": PASSWORD})
    assert dup.status_code == 409


def test_wrong_password_and_unknown_user_get_the_same_answer(cc: TestClient) -> None:
    sign_up(cc, "carol")
    other = new_client(cc)
    wrong = log_in(other, "carol", "not-the-password")
    unknown = log_in(other, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    strip = lambda html: re.sub(r'value="[^"]*"', "", html).replace("carol", "").replace(  # noqa: E731
        "nobody-here", "")
    assert strip(wrong.text) == strip(unknown.text)
    assert accounts.LOGIN_FAILED in wrong.text


def browser(app_client: TestClient, address: str) -> TestClient:
    """A browser on another network address."""
    return TestClient(app_client.app, base_url="http://testserver", client=(address, 50000))


def test_many_wrong_passwords_slow_the_attacker_not_the_owner(
        settings: Settings, store: SqliteStore) -> None:
    limited = replace(settings, login_failures_per_hour=20)
    app = TestClient(create_app(build_services(limited, store=store)), base_url="http://testserver")
    owner = browser(app, "192.0.2.10")
    sign_up(owner, "dave")
    attackers = [browser(app, f"198.51.100.{n}") for n in range(1, 31)]
    refused = 0
    for attacker in attackers:  # 30 addresses, 4 guesses each: 120 failures for dave
        for _ in range(4):
            answer = log_in(attacker, "dave", "wrong-password-1")
            refused += answer.status_code == 429
    assert refused > 0  # past the account-wide budget, unknown clients have to wait
    late = log_in(attackers[0], "dave")
    assert late.status_code == 429 and int(late.headers["retry-after"]) >= 1
    # the owner, from the address they logged in from before, still gets in at once
    assert log_in(browser(owner, "192.0.2.10"), "dave").status_code == 303


def test_failures_from_one_address_grow_its_wait_exponentially(
        settings: Settings, store: SqliteStore) -> None:
    app = TestClient(create_app(build_services(settings, store=store)), base_url="http://testserver")
    sign_up(browser(app, "192.0.2.10"), "erin")
    guesser = browser(app, "203.0.113.7")
    answers = [log_in(guesser, "erin", "wrong-password-1").status_code for _ in range(8)]
    assert answers[:limits.FREE_FAILURES] == [400] * limits.FREE_FAILURES
    assert answers[-1] == 429  # now it must wait; the right password does not help
    assert log_in(guesser, "erin").status_code == 429
    assert log_in(browser(app, "192.0.2.99"), "erin").status_code == 303  # elsewhere: fine
    assert [limits.login_delay(n) for n in range(5, 9)] == [2.0, 4.0, 8.0, 16.0]
    assert limits.login_delay(60) == limits.MAX_DELAY_S


def test_one_address_rotating_usernames_is_limited(settings: Settings,
                                                  store: SqliteStore) -> None:
    limited = replace(settings, address_login_failures_per_hour=10)
    app = TestClient(create_app(build_services(limited, store=store)), base_url="http://testserver")
    sign_up(browser(app, "192.0.2.10"), "frida")
    guesser = browser(app, "203.0.113.8")
    codes = [log_in(guesser, f"user-{n}", "wrong-password-1").status_code for n in range(12)]
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]
    assert log_in(guesser, "frida").status_code == 429
    assert log_in(browser(app, "192.0.2.10"), "frida").status_code == 303


def test_an_hour_later_the_failures_no_longer_count(settings: Settings,
                                                   store: SqliteStore) -> None:
    app = TestClient(create_app(build_services(settings, store=store)), base_url="http://testserver")
    sign_up(browser(app, "192.0.2.10"), "gwen")
    guesser = browser(app, "203.0.113.9")
    for _ in range(8):
        log_in(guesser, "gwen", "wrong-password-1")
    assert log_in(guesser, "gwen").status_code == 429
    hour_ago = datetime.now(UTC) - timedelta(hours=1, seconds=1)
    with store.transaction() as conn:
        conn.execute("UPDATE rate_events SET at = ?",
                     (hour_ago.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),))
    assert log_in(guesser, "gwen").status_code == 303


def test_login_gives_a_new_session_id_and_refuses_a_planted_one(cc: TestClient) -> None:
    sign_up(cc, "erin")
    first = cc.cookies.get("pw_session")
    post(cc, "/logout", {})
    cc.cookies.clear()
    cc.cookies.set("pw_session", "attacker-chosen-session-id")
    response = log_in(cc, "erin")
    assert response.status_code == 303
    sent = [c for c in response.headers.get_list("set-cookie") if c.startswith("pw_session=")]
    second = sent[0].split(";")[0].split("=", 1)[1]
    assert second not in (None, first, "attacker-chosen-session-id")
    attacker = new_client(cc)
    attacker.cookies.set("pw_session", "attacker-chosen-session-id")
    assert who(attacker) is None


def test_logout_ends_the_session_on_the_server(cc: TestClient) -> None:
    sign_up(cc, "frank")
    stolen = cc.cookies.get("pw_session")
    assert post(cc, "/logout", {}).status_code == 303
    assert who(cc) is None
    replay = new_client(cc)
    replay.cookies.set("pw_session", stolen or "")
    assert who(replay) is None


def test_cookies_are_httponly_lax_and_secure_on_https(settings: Settings,
                                                      store: SqliteStore) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        app = create_app(build_services(replace(settings, base_url=base), store=store))
        client = TestClient(app, base_url=base)
        token = csrf(client)
        response = client.post("/signup", data={
            "username": f"u{int(secure)}x", "email": f"u{int(secure)}@example.org",
            "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("pw_session="))
        assert "HttpOnly" in session and "SameSite=lax" in session
        assert ("Secure" in session) is secure


def test_password_change_ends_other_sessions(cc: TestClient) -> None:
    sign_up(cc, "gina")
    laptop = new_client(cc)
    log_in(laptop, "gina")
    assert who(laptop) == "gina"
    bad = post(cc, "/settings/password", {"old_password": "wrong", "new_password": "x" * 12})
    assert bad.status_code == 400
    done = post(cc, "/settings/password", {"old_password": PASSWORD,
                                           "new_password": "another-fine-pass"})
    assert done.status_code == 303 and who(cc) == "gina" and who(laptop) is None
    assert log_in(new_client(cc), "gina", "another-fine-pass").status_code == 303


def _reset_link(sink: SmtpSink) -> str:
    body = sink.received[-1].message.get_body(("plain",))
    assert body is not None
    match = re.search(r"http://testserver(/reset/\S+)", body.get_content())
    assert match
    return match.group(1)


def test_password_reset_link_is_single_use(cc: TestClient, store: SqliteStore,
                                           smtp_server: SmtpSink) -> None:
    sign_up(cc, "hana")
    other = new_client(cc)
    unknown = post(other, "/reset", {"email": "nobody@example.org"})
    known = post(other, "/reset", {"email": "HANA@example.org"})
    assert unknown.status_code == known.status_code == 200
    assert re.sub(r'value="[^"]*"', "", unknown.text) == re.sub(r'value="[^"]*"', "", known.text)
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].rcpt == ["hana@example.org"]
    link = _reset_link(smtp_server)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 32
    assert post(other, link, {"new_password": "password"}).status_code == 400  # too common
    assert post(other, link, {"new_password": "brand-new-secret"}).status_code == 200
    assert who(cc) is None  # every session ended
    again = post(other, link, {"new_password": "yet-another-secret"})
    assert again.status_code == 400 and accounts.RESET_BAD in again.text
    assert log_in(new_client(cc), "hana", "brand-new-secret").status_code == 303
    stored = store.query("SELECT token_hash FROM password_resets")
    assert stored and all(row[0] != token for row in stored)
    for _ in range(accounts.RESETS_PER_HOUR + 2):
        post(other, "/reset", {"email": "hana@example.org"})
    assert len(smtp_server.received) == accounts.RESETS_PER_HOUR  # no mail bombing


def test_password_reset_link_expires(cc: TestClient, store: SqliteStore) -> None:
    sign_up(cc, "ivan")
    user = store.get_user_by_name("ivan")
    assert user is not None
    past = datetime.now(UTC) - timedelta(hours=2)
    store.add_password_reset(hash_token("t" * 43), user.id, past,
                             past + timedelta(minutes=60))
    expired = post(new_client(cc), "/reset/" + "t" * 43, {"new_password": "brand-new-secret"})
    assert expired.status_code == 400 and accounts.RESET_BAD in expired.text


def test_profile_page_and_make_admin_cli(cc: TestClient, cli: CliRunner,
                                         store: SqliteStore) -> None:
    sign_up(cc, "judy")
    assert cc.get("/users/judy").status_code == 200
    assert cc.get("/users/nobody").status_code == 404
    result = cli.invoke(main, ["users", "make-admin", "judy"])
    assert result.exit_code == 0, result.output
    user = store.get_user_by_name("judy")
    assert user is not None and user.is_admin
    stats = cli.invoke(main, ["stats"])
    assert stats.exit_code == 0 and '"users": 1' in stats.output
    missing = cli.invoke(main, ["users", "make-admin", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output
    assert cli.invoke(main, ["users", "remove-admin", "judy"]).exit_code == 0
    user = store.get_user_by_name("judy")
    assert user is not None and not user.is_admin
