"""End to end: `paperwire demo` as a real process, pages opened in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path, running_paperwire
from tests.helpers import free_port

pytestmark = pytest.mark.browser
# Rows of the header: its visible links and search box, a new row where one starts below
# the bottom of everything before it.
HEADER_ROWS = """[...document.querySelectorAll('.site-header a, .site-header input')]
  .map(e => e.getBoundingClientRect())
  .filter(r => r.width > 0 && r.right <= innerWidth && r.left >= 0)
  .sort((a, b) => a.top - b.top)
  .reduce((acc, r) => r.top >= acc.bottom ? {rows: acc.rows + 1, bottom: r.bottom}
                                          : {rows: acc.rows, bottom: Math.max(acc.bottom, r.bottom)},
          {rows: 0, bottom: -1}).rows"""
GRID_COLUMNS = """new Set([...document.querySelectorAll('ol.cards > li')].slice(0, 6)
  .map(li => Math.round(li.getBoundingClientRect().left))).size"""


def test_demo_daily_list_and_paper_page(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    port = free_port()
    env = {"PAPERWIRE_DATA_DIR": str(tmp_path / "data")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_paperwire(["demo", "--port", str(port)], env, port, tmp_path / "log") as base, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        errors: list[str] = []
        for width in (390, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_default_timeout(120_000)  # the first page needing the search index waits
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/")
            assert page.get_by_role("heading", level=1).inner_text() == "Daily Papers"
            cards = page.locator("article.card")
            assert cards.count() >= 12  # the demo's papers lie on a handful of recent days
            first = cards.first
            title = first.locator(".card-title").inner_text()
            assert first.locator(".votes .count").inner_text().isdigit()
            assert first.locator(".excerpt").inner_text().strip()
            assert page.evaluate(HEADER_ROWS) <= 2, "the header takes more than two rows"
            columns = page.evaluate(GRID_COLUMNS)
            assert columns == (1 if width < 600 else 2), columns  # a list on phones, a grid wide
            page.screenshot(path=str(ARTIFACTS / f"demo-home-{width}.png"), full_page=True)

            first.locator(".card-title a").click()
            page.wait_for_load_state()
            assert page.locator("h1.paper-title").inner_text() == title
            assert page.locator("p.abstract").inner_text().strip()
            page.screenshot(path=str(ARTIFACTS / f"demo-paper-{width}.png"), full_page=True)

            page.goto(f"{base}/papers/week/2025-W42")
            assert "No papers on this list" in page.locator("main").inner_text()

            page.goto(f"{base}/papers?p=2")
            assert page.locator("article.card").count() == 20  # 80 papers, 30 a page
            page.close()
        browser.close()
    assert errors == []
