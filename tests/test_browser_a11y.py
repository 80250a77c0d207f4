"""axe-core on every page of the demo in real Chromium, light and dark: no serious or
critical findings. axe-core 4.10.3 (MPL-2.0, from npm) is vendored as tests/data/axe.min.js
with its license header, and evaluated in the page (so the strict CSP stays on)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path, running_paperwire
from tests.community_helpers import PASSWORD
from tests.helpers import free_port

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "data" / "axe.min.js"
SHOTS = ("/", "/trending", "/search?q=diffusion", "PAPER")


def demo_pages(base: str) -> list[str]:
    home = httpx.get(base + "/").text
    paper = re.search(r'class="card-title"[^>]*><a href="(/papers/[^"]+)"', home)
    org = re.search(r'href="(/organizations/[^"/.]+)"', httpx.get(base + "/organizations").text)
    assert paper and org
    return ["/", "/trending", "/trending?sort=top&t=all", "/papers", "/papers?p=1",
            paper.group(1), "/search?q=diffusion", "/organizations", org.group(1), "/docs",
            "/login", "/signup", "/reset", "/dev/mail", "/papers/month/" + _month(home),
            "/nonexistent-page"]


def _month(home: str) -> str:
    found = re.search(r'href="/papers/month/(\d{4}-\d\d)"', home)
    assert found
    return found.group(1)


HEADING_JUMPS = """[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])
  .filter((level, i, all) => i > 0 && level > all[i - 1] + 1).length"""
DECODED_WIDTHS = """all => Promise.all(all.map(i => { i.loading = 'eager';
  return i.decode().then(() => i.naturalWidth, () => 0); }))"""
LANDMARKS = "document.querySelectorAll('[role=search], search').length"


def serious(page: Any) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    extra = [] if page.evaluate(HEADING_JUMPS) == 0 else ["headings skip a level"]
    extra += [] if page.evaluate(LANDMARKS) <= 1 else ["more than one search landmark"]
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — " +
            "; ".join(n["target"][0] if isinstance(n["target"][0], str) else json.dumps(n["target"])
                      for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")] + extra


def test_every_demo_page_has_no_serious_axe_findings(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    findings: dict[str, list[str]] = {}
    with running_paperwire(["demo", "--port", str(port)], env, port, tmp_path / "log") as base, \
            sync_playwright() as pw:
        pages = demo_pages(base)
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        color_scheme=scheme)
                page.set_default_timeout(120_000)
                for path in pages:
                    page.goto(base + path)
                    if width == 1280 or path in SHOTS or path == pages[5]:
                        found = serious(page)
                        if found:
                            findings[f"{scheme} {width} {path}"] = found
                    name = "paper" if path == pages[5] else path.strip("/").split("?")[0] or "home"
                    if path in SHOTS or path == pages[5] or path.startswith("/papers/month"):
                        page.screenshot(path=str(ARTIFACTS / f"a11y-{name.replace('/', '-')}"
                                                 f"-{width}-{scheme}.png"), full_page=True)
                page.close()
        browser.close()
    assert not findings, json.dumps(findings, indent=1, ensure_ascii=False)


def test_skip_link_is_the_first_stop_and_reaches_the_papers(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data")}
    with running_paperwire(["demo", "--port", str(port)], env, port, tmp_path / "log") as base, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        presses = 0
        while presses < 12 and not page.evaluate(
                "!!document.activeElement.closest('.card-title')"):
            page.keyboard.press("Tab")
            presses += 1
        assert presses < 12, "the first paper is more than 12 Tab presses after the skip link"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert outline != "rgb(245, 158, 11)"  # the old amber ring (2.1:1 on white)
        browser.close()


def enrich_demo(env: dict[str, str]) -> None:
    """What an operator with thumbnails on would have: pictures on some cards, a paper with
    authors, categories, code stars and a project page on today's list."""
    from paperwire.config import load_settings
    from paperwire.storage.sqlite import SqliteStore
    from tests.personal_helpers import put_paper
    from tests.test_web_thumbnails import add_thumbnail

    settings = load_settings(env)
    store = SqliteStore(settings.database_path)
    try:
        put_paper(store, settings, "2601.00001", "Depth over width for reasoning with $L$ layers",
                  categories=("cs.LG", "cs.CL"), authors=tuple(f"Author {n}" for n in range(6)),
                  summary="We find that depth matters more than width, $\\alpha = 0.5$. " * 5,
                  upvotes=50)
        for paper in store.list_papers(offset=0, limit=6):
            add_thumbnail(store, settings, paper.id)
    finally:
        store.close()


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", "ada")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")


def sign_in_and_act(page: Any, base: str) -> dict[str, str]:
    """Sign up, upvote, comment with math, make a collection; the pages that then exist."""
    page.goto(base + "/signup")
    page.fill("#username", "ada")
    page.fill("#email", "ada@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(base + "/papers/2601.00001")
    page.click("form.vote button")
    page.fill("#body-new", "Nice bound: $\\frac{a}{b} \\le 1$")
    page.click("form.comment-form button")
    page.click("details.save-box summary")
    page.fill("#new-coll-2601\\.00001", "Reading")
    page.click("text=Create and save")
    page.goto(base + "/collections")
    collection = page.eval_on_selector("ul.collection-list a", "a => a.pathname")
    return {"paper": "/papers/2601.00001", "collection": collection}


def test_signed_in_pages_and_rich_cards_have_no_serious_axe_findings(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data")}
    findings: dict[str, list[str]] = {}
    made: dict[str, str] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_paperwire(["demo", "--port", str(port)], env, port, tmp_path / "log") as base, \
            sync_playwright() as pw:
        enrich_demo(env)
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          color_scheme=scheme)
            page = context.new_page()
            page.set_default_timeout(120_000)
            if scheme == "light":
                made = sign_in_and_act(page, base)
            else:
                log_in(page, base)
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                for path in ("/", made["paper"], "/for-you", "/following", "/collections",
                             made["collection"], "/submit", "/users/ada", "/settings/password",
                             "/search?category=cs.LG", "/dev/mail"):
                    page.goto(base + path)
                    found = serious(page)
                    if found:
                        findings[f"{scheme} {width} {path}"] = found
                    if path in ("/", made["paper"]):
                        name = "home" if path == "/" else "paper"
                        page.screenshot(path=str(ARTIFACTS / f"a11y-signed-in-{name}-{width}-"
                                                 f"{scheme}.png"), full_page=path != "/")
                page.goto(base + "/")
                sizes = page.eval_on_selector_all(".thumb img", DECODED_WIDTHS)
                assert len(sizes) >= 5 and set(sizes) == {480}, sizes
            context.close()
        browser.close()
    assert not findings, json.dumps(findings, indent=1, ensure_ascii=False)
