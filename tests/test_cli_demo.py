"""`paperwire demo --port P` as a real process: links in feeds and mail use that port, and the
demo's mail is readable on /dev/mail."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.browser import running_paperwire
from tests.helpers import free_port

pytestmark = pytest.mark.slow


def wait_for_outbox(browser: httpx.Client) -> re.Match[str] | None:
    """The first message on /dev/mail: the site mails after its answer, so it may lag a little."""
    deadline = time.monotonic() + 10
    while True:
        message = re.search(r'href="(/dev/mail/\d+)"', browser.get("/dev/mail").text)
        if message is not None or time.monotonic() > deadline:
            return message
        time.sleep(0.1)


def test_demo_links_follow_the_port_it_was_started_on(tmp_path: Path) -> None:
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data")}
    with running_paperwire(["demo", "--port", str(port)], env, port, tmp_path / "log") as base:
        feed = httpx.get(f"{base}/daily.rss").text
        links = re.findall(r"<link>([^<]+)</link>", feed)
        assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links)
        assert "127.0.0.1:8000" not in feed
        with httpx.Client(base_url=base) as browser:
            form = browser.get("/").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            answer = browser.post("/subscribe", data={"email": "newcomer@example.org",
                                                      "csrf_token": token.group(1)})
            assert answer.status_code == 200 and 'href="/dev/mail"' in answer.text
            message = wait_for_outbox(browser)
            assert message is not None
            text = browser.get(message.group(1)).text
        assert f"http://127.0.0.1:{port}/subscribe/confirm/" in text
    log = (tmp_path / "log").read_text()
    assert f"paperwire demo: http://127.0.0.1:{port}/" in log
