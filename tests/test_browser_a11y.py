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
