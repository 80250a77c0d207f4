"""Author lists in short: one rule for the web pages and the digest emails."""

import pytest

from paperwire.digests.render import render_authors
from paperwire.models import Author, Paper
from paperwire.text import clean_text, shorten_authors
from paperwire.web.mathtext import render_authors_short


@pytest.mark.parametrize(("names", "count", "expected"), [
    (["A", "B", "C", "D"], 4, "A, B, C and 1 more"),
    (["A", "B", "C", "D"], 9, "A, B, C and 6 more"),
    (["A", "B", "C"], 3, "A, B, C"),
    (["A"], 1, "A"),
    ([], 5, "5 authors"),
    ([], 1, "1 author"),
    ([], 0, ""),
])
def test_shorten_authors(names: list[str], count: int, expected: str) -> None:
    assert shorten_authors(names, count) == expected


def test_web_and_digest_shorten_authors_alike() -> None:
    authors = (Author("Ada"), Author("Hidden", hidden=True), Author("Bo"), Author("Cy"),
               Author("Di"))
    paper = Paper(id="2510.00001", title="T", authors=authors)
    assert render_authors(paper) == render_authors_short(authors, 5) == "Ada, Bo, Cy and 2 more"
    hidden = Paper(id="2510.00002", title="T", authors=(Author("X", hidden=True),),
                   author_count=1)
    assert render_authors(hidden) == render_authors_short(hidden.authors, 1) == "1 author"


def test_clean_text_collapses_space_and_strips_nul() -> None:
    assert clean_text("  a\n\tb\x00c  ") == "a bc"
