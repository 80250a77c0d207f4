"""End to end in headless Chromium against a real `paperwire serve` process: follow a
category, save a paper to a new collection, mute a keyword, import a BibTeX file, and see
For you change."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperwire.bootstrap import open_store
from paperwire.config import load_settings
from tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path, running_paperwire
from tests.community_helpers import PASSWORD
from tests.helpers import free_port
from tests.personal_helpers import put_paper

pytestmark = pytest.mark.browser
BIB = "@misc{a, title={Speaker diarization of meetings}}\n@misc{broken, year=2020}\n"


def prepare(env: dict[str, str]) -> None:
    settings = load_settings(env)
    store = open_store(settings)
    try:
        put_paper(store, settings, "2601.00001", "Image segmentation with transformers",
                  categories=("cs.CV",))
        put_paper(store, settings, "2601.00002", "Diffusion models for text",
                  categories=("cs.CL",), age_days=0.1)
        put_paper(store, settings, "2601.00003", "Speaker diarization of meetings",
                  categories=("eess.AS",), age_days=0.2)
        put_paper(store, settings, "2601.00004", "Semantic segmentation of street scenes",
                  categories=("cs.CV",), age_days=0.3)
    finally:
        store.close()


def test_follow_save_mute_import_and_for_you_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_path()
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
           "PAPERWIRE_SECRET_KEY": "browser-test-secret-0123456789",
           "PAPERWIRE_BASE_URL": f"http://127.0.0.1:{port}"}
    prepare(env)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "library.bib").write_text(BIB, encoding="utf-8")
    with running_paperwire(["serve", "--port", str(port)], env, port, tmp_path / "log") as base, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/signup")
        page.fill("#username", "ada")
        page.fill("#email", "ada@example.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")

        page.goto(f"{base}/for-you")
        expect(page.locator(".reasons").first).to_have_text("Why: trending now")
        page.goto(f"{base}/papers/2601.00001")
        page.click("button:has-text('Follow cs.CV')")
        page.click("details.save-box summary")
        page.fill("details.save-box input[name=name]", "Vision")
        page.click("button:has-text('Create and save')")
        expect(page.locator("h1.paper-title")).to_contain_text("Image segmentation")
        page.goto(f"{base}/following")
        expect(page.locator("section.followed > h2")).to_have_text("category cs.CV")

        page.fill("#m-value", "diffusion")
        page.click("form[action='/mutes'] button:has-text('Mute')")
        page.goto(f"{base}/")
        expect(page.locator(".muted-note")).to_contain_text("hidden: 1")
        expect(page.locator("article.card")).to_have_count(3)
        page.click(".muted-note a")
        expect(page.locator("article.card")).to_have_count(4)

        page.goto(f"{base}/collections")
        page.click("ul.collection-list a")
        page.set_input_files("#import-file", str(tmp_path / "library.bib"))
        page.click("form[action$='/import'] button")
        report = page.locator(".import-report")
        expect(report).to_contain_text("2 entries: 1 matched (1 new here)")
        expect(report).to_contain_text("line 2: entry has no title, DOI or arXiv id")
        page.screenshot(path=str(ARTIFACTS / "personal-collection.png"), full_page=True)

        page.goto(f"{base}/for-you")
        first = page.locator("ol.cards li").first
        expect(first).to_contain_text("Semantic segmentation of street scenes")
        expect(first.locator(".reasons")).to_contain_text("cs.CV")
        page.screenshot(path=str(ARTIFACTS / "personal-for-you.png"), full_page=True)
        browser.close()
