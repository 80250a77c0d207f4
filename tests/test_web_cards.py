"""Paper cards as rich as the Hugging Face ones: an abstract excerpt, the first authors and how
many more, the submitter, category chips that are links, the paper's links with code stars,
upvotes and comments; built from the page's own batch of rows (no query per card)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.models import Author, DailySubmission, IncomingPaper, Paper
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.mathtext import render_excerpt
from tests.community_helpers import add_paper, post, sign_up, today

ABSTRACT = ("We train a model with $\\alpha = 0.5$ on $N$ tokens and find that depth matters "
            "more than width for reasoning. " * 6)


def rich_paper(store: SqliteStore, settings: Settings) -> None:
    authors = tuple(Author(f"Author {n}") for n in range(7))
    paper = Paper(id="2510.00007", title="Depth over width", summary=ABSTRACT, authors=authors,
                  categories=("cs.LG", "cs.CL"), github_repo="https://github.com/org/depth",
                  github_stars=1234, project_page="https://depth.example.org/",
                  published_at=datetime(2025, 10, 1, tzinfo=UTC))
    entry = DailySubmission("2510.00007", today(settings), datetime.now(UTC), "ada")
    store.upsert_papers([IncomingPaper(paper, daily=entry)])


def test_card_carries_excerpt_authors_submitter_chips_and_links(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    rich_paper(store, settings)
    page = client.get("/").text
    card = page[page.index('<article class="card'):page.index("</article>")]
    assert "Author 0, Author 1, Author 2 and 4 more" in card
    assert 'submitted by <a href="/users/ada">ada</a>' in card
    excerpt = re.search(r'<p class="excerpt">(.*?)</p>', card, re.S)
    assert excerpt and "<math" in excerpt.group(1) and excerpt.group(1).endswith("…")
    assert "$" not in excerpt.group(1) and len(re.sub(r"<[^>]+>", "", excerpt.group(1))) < 420
    assert re.findall(r'<a class="tag" href="([^"]+)">', card) == \
        ["/search?category=cs.LG", "/search?category=cs.CL"]
    for link in ('href="https://arxiv.org/abs/2510.00007"', 'href="https://arxiv.org/pdf/2510.00007"',
                 '>Code ★ 1234</a>', 'href="https://depth.example.org/"', ">0 comments</a>",
                 'data-upvotes="2510.00007">0<'):
        assert link in card
    assert "<img" not in card  # no thumbnail made: no image, broken or not


def test_excerpt_never_cuts_a_formula() -> None:
    text = "Short words " * 20 + "$\\frac{a}{b} + \\sum_i x_i$ end"
    shown = str(render_excerpt(text, limit=250))
    assert "$" not in shown and "\\frac" not in shown and shown.endswith("…")
    assert str(render_excerpt("A short abstract.")) == "A short abstract."


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("path", ["/", "/papers", "/trending"])
def test_a_page_of_cards_costs_the_same_queries_for_3_or_12_papers(
        client: TestClient, store: SqliteStore, settings: Settings, path: str,
        signed_in: bool) -> None:
    if signed_in:  # the upvote state of every card comes from one query, not one per card
        sign_up(client, "reader")

    def queries_for(count: int, start: int) -> int:
        for n in range(start, start + count):
            add_paper(store, settings, f"2510.{n:05d}", authors=(Author("A"), Author("B")))
            if signed_in and n % 2:
                post(client, f"/papers/2510.{n:05d}/upvote", {"on": "1"})
        calls: list[str] = []
        with counting(store, calls):
            assert client.get(path).status_code == 200
        return len(calls)

    few = queries_for(3, 0)
    many = queries_for(9, 100)
    assert few > 0 and many == few
    if signed_in:
        assert 'class="votes voted"' in client.get(path).text


class counting:
    """Count the store's queries while the block runs."""

    def __init__(self, store: SqliteStore, calls: list[str]) -> None:
        self.store, self.calls = store, calls

    def __enter__(self) -> None:
        for name in ("query", "query_one", "scalar"):
            setattr(self.store, name, self._wrap(getattr(SqliteStore, name)))

    def _wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted(sql: str, params: Any = ()) -> Any:
            self.calls.append(sql)
            return method(self.store, sql, params)
        return counted

    def __exit__(self, *exc: object) -> None:
        for name in ("query", "query_one", "scalar"):
            delattr(self.store, name)
