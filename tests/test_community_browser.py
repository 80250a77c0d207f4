"""End to end in headless Chromium against a real `paperwire serve` process: sign up, log out,
log in, upvote (the count changes on screen), submit a paper, comment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperwire.bootstrap import open_store
from paperwire.config import load_settings
from tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path, running_paperwire
from tests.community_helpers import PASSWORD, add_paper
from tests.helpers import free_port

pytestmark = pytest.mark.browser


def prepare(env: dict[str, str]) -> None:
    settings = load_settings(env)
    store = open_store(settings)
    try:
        add_paper(store, settings, "2601.00001", "A paper on today's list", upvotes=4,
                  when=datetime.now(UTC))
        add_paper(store, settings, "2601.00002", "A paper worth submitting", daily=False)
    finally:
        store.close()


def test_sign_up_upvote_submit_and_comment_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_path()
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
           "PAPERWIRE_SECRET_KEY": "browser-test-secret-0123456789",
           "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}"}
    prepare(env)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = lambda page, name: page.screenshot(  # noqa: E731
        path=str(ARTIFACTS / f"community-{name}.png"), full_page=True)
    with running_paperwire(["serve", "--port", str(port)], env, port, tmp_path / "log") as base, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(f"{base}/signup")
        page.fill("#username", "ada")
        page.fill("#email", "ada@example.org")
        page.fill("#password", PASSWORD)
        shot(page, "signup")
        page.click("button[type=submit].primary")
        expect(page.locator("h1")).to_have_text("ada")
        page.click("text=Log out")
        expect(page.locator("a[href='/login']")).to_be_visible()

        page.goto(f"{base}/login")
        page.fill("#username", "ada")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        expect(page.locator("a[href='/users/ada']")).to_be_visible()

        page.goto(f"{base}/")
        count = page.locator(".count[data-upvotes='2601.00001']").first
        expect(count).to_have_text("4")
        page.locator("form.vote button").first.click()
        expect(count).to_have_text("5")  # updated in place by community.js
        expect(page.locator("form.vote button").first).to_have_attribute("aria-pressed", "true")
        shot(page, "upvoted")
        page.reload()
        expect(page.locator(".count[data-upvotes='2601.00001']").first).to_have_text("5")

        page.goto(f"{base}/submit")
        page.fill("#paper", "https://arxiv.org/abs/2601.00002")
        page.fill("#comment", "A good read")
        page.click("button[type=submit].primary")
        expect(page.locator("h1.paper-title")).to_have_text("A paper worth submitting")
        expect(page.locator(".facts")).to_contain_text("submitted by ada")

        page.fill("#body-new", "Nice **result**, see [the code](https://example.org)")
        page.locator(".comment-form button").last.click()
        expect(page.locator(".comment-body strong")).to_have_text("result")
        expect(page.locator("#comments-h")).to_have_text("Comments (1)")
        shot(page, "commented")

        page.goto(f"{base}/")
        expect(page.locator("article.card")).to_have_count(2)
        expect(page.locator("article.card", has_text="A paper worth submitting")
               .locator(".comments")).to_contain_text("1")
        shot(page, "daily")
        browser.close()
    assert errors == []
