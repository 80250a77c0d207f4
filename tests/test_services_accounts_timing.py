"""Answers that must not tell whether an account or an address is known, by their timing:
unknown usernames cost the same argon2 verification, and reset and subscription requests
answer before any look-up or mail (checked against an SMTP server that never answers)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from paperwire.bootstrap import open_store
from paperwire.config import Settings, load_settings
from paperwire.services import accounts
from paperwire.storage.sqlite import SqliteStore
from tests.helpers import REPO, free_port

PASSWORD = "quiet-lantern-42"


def test_unknown_usernames_cost_one_real_argon2_verification(
        settings: Settings, store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.sign_up(store, "known", "known@example.org", PASSWORD)
    calls: list[str] = []
    real_verify = PasswordHasher.verify

    def counting_verify(self: PasswordHasher, hash: str, password: Any) -> bool:
        calls.append(hash[:9])
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    for name in ("known", "nobody-here", "<not a name>"):
        with pytest.raises(accounts.InvalidInput, match="Wrong username or password"):
            accounts.log_in(store, settings, name, "wrong-password-1")
    assert calls == ["$argon2id"] * 3  # the same work whether or not the account exists


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A TCP server that accepts SMTP connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield int(listener.getsockname()[1])
    stop.set()
    listener.close()
    for conn in held:
        conn.close()


def test_reset_and_subscribe_answer_before_any_mail_work(
        env: dict[str, str], tmp_path: Path, silent_smtp: int) -> None:
    port = free_port()
    server_env = {**env, "PAPERWIRE_SMTP_PORT": str(silent_smtp),
                  "PAPERWIRE_SEARCH_REFRESH": "0", "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}"}
    store = open_store(load_settings(server_env))
    accounts.sign_up(store, "known", "known@example.org", PASSWORD)
    store.close()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "paperwire", "serve", "--port", str(port)],
                            env={**os.environ, **server_env, "PYTHONPATH": str(REPO / "src")},
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as browser:
            wait_up(browser, proc)
            token = browser.get("/reset").text.split('name="csrf_token" value="')[1][:64]
            # the mail server would hold a request that waited for it far past the timeout
            known = browser.post("/reset", data={"email": "known@example.org",
                                                 "csrf_token": token})
            unknown = browser.post("/reset", data={"email": "nobody@example.org",
                                                   "csrf_token": token})
            assert known.status_code == unknown.status_code == 200
            assert known.text == unknown.text
            new = browser.post("/api/subscriptions", json={"email": "new@example.org"})
            assert new.status_code == 202
    finally:
        proc.kill()  # its background mail tasks still wait on the silent server
        proc.wait(timeout=30)
        log.close()


def wait_up(browser: httpx.Client, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError("the server exited")
        try:
            browser.get("/static/favicon.svg", timeout=1)
            return
        except httpx.HTTPError:
            threading.Event().wait(0.2)
    raise AssertionError("the server did not start")
