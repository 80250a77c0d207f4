"""The query model: operators, exclusions and filters read out of a query string."""

from __future__ import annotations

from datetime import date

from paperwire.search.query import build_search_query
from paperwire.search.query_terms import build_highlights, build_snippet, parse_query
from paperwire.search.records import SearchFilters


def test_operators_become_constraints_and_the_rest_is_ranked() -> None:
    query = build_search_query('mixture "of experts" author:Shazeer category:cs.LG '
                               'org:google year:2020-2021 -survey has:code')
    assert query.parsed.terms == ("mixtur",)
    assert query.parsed.phrases == (("of", "expert"),)
    assert query.parsed.authors == ("shazeer",)
    assert query.excluded == (("survey",),)
    assert query.filters.category_names == ("cs.lg",)
    assert query.filters.org_names == ("google",)
    assert query.filters.has_code
    assert (query.filters.date_from, query.filters.date_to) == (date(2020, 1, 1),
                                                                date(2021, 12, 31))
    assert query.semantic_text == "mixture of experts"
    assert query.constrained and query.ranked


def test_year_narrows_the_form_dates_and_orgs_add_up() -> None:
    form = SearchFilters(date_from=date(2024, 6, 1), organization="Meta")
    query = build_search_query("llm year:2024 org:google", form)
    assert (query.filters.date_from, query.filters.date_to) == (date(2024, 6, 1),
                                                                date(2024, 12, 31))
    assert query.filters.org_names == ("meta", "google")


def test_constraints_only_have_nothing_to_rank() -> None:
    query = build_search_query("author:Hinton year:2012")
    assert not query.ranked and query.constrained
    assert not build_search_query("a-b don't").excluded


def test_stopwords_are_never_highlighted() -> None:
    parts = build_highlights("Training during the night", parse_query("during training"))
    assert [p["text"] for p in parts if p["type"] == "highlight"] == ["Training"]


def test_snippet_is_short_and_around_the_match() -> None:
    text = " ".join(["filler words here"] * 60) + " the matryoshka idea " + " ".join(
        ["more text"] * 60)
    parts = build_snippet(text, parse_query("matryoshka"))
    joined = "".join(p["text"] for p in parts)
    assert len(joined) < 400 and joined.startswith("… ") and joined.endswith(" …")
    assert {"type": "highlight", "text": "matryoshka"} in parts
