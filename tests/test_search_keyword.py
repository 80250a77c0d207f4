"""The keyword index on its own: the word being typed is completed from the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperwire.search.keyword import KeywordDoc, KeywordIndex
from paperwire.search.query_terms import parse_query

DOCS = [
    KeywordDoc("p1", "Vector quantization for retrieval", "We compress embeddings.", "A. One"),
    KeywordDoc("p2", "Graphene sheets", "Conductivity of carbon layers.", "B. Two"),
    KeywordDoc("p3", "Graph neural networks", "Message passing on graphs.", "C. Three"),
]


def found(index: KeywordIndex, text: str) -> list[str]:
    return [pid for pid, _score in index.search(parse_query(text), 10)]


def test_an_unfinished_last_word_is_completed(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    index.write(DOCS)
    assert found(index, "retri") == ["p1"]
    assert found(index, "networ") == ["p3"]
    assert found(index, "retri ") == []  # a finished word is not completed


def test_a_known_word_is_not_widened_to_its_completions(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    index.write(DOCS)
    assert found(index, "graph") == ["p3"]


def test_filters_inside_the_index_match_brute_force(tmp_path: Path) -> None:
    import random
    from datetime import date, timedelta

    from paperwire.search.keyword import KeywordDoc
    from paperwire.search.query import build_search_query
    from paperwire.search.records import SearchFilters

    rng = random.Random(3)
    cats, orgs = ["cs.cl", "cs.lg", "cs.cv", "math.st"], ["google", "meta", "issai"]
    docs = [KeywordDoc(f"p{i}", f"paper {i} about {rng.choice(['graphs', 'speech'])}",
                       "an abstract", "Ada Lovelace",
                       date(2020, 1, 1) + timedelta(days=rng.randrange(1500)),
                       tuple(rng.sample(cats, rng.randint(1, 2))),
                       (rng.choice(orgs),) if rng.random() < 0.5 else (),
                       rng.random() < 0.3) for i in range(2000)]
    index = KeywordIndex(tmp_path / "kw")
    index.write(docs)
    for filters in (SearchFilters(date_from=date(2021, 3, 1), date_to=date(2021, 3, 9)),
                    SearchFilters(categories=("math.ST",), has_code=True),
                    SearchFilters(organization="ISSAI", categories=("cs.cv", "cs.cl"))):
        query = build_search_query("speech", filters)
        want = {d.paper_id for d in docs if "speech" in d.title and brute(d, filters)}
        assert {pid for pid, _ in index.search(query, 5000)} == want
        listed = index.browse(build_search_query("", filters), 5000)
        assert {pid for pid, _ in listed} == {d.paper_id for d in docs if brute(d, filters)}
        assert [s for _, s in listed] == sorted((s for _, s in listed), reverse=True)


def brute(doc: object, filters: object) -> bool:
    from paperwire.search.keyword import KeywordDoc
    from paperwire.search.records import SearchFilters

    assert isinstance(doc, KeywordDoc) and isinstance(filters, SearchFilters)
    if filters.date_from and (doc.day is None or doc.day < filters.date_from):
        return False
    if filters.date_to and (doc.day is None or doc.day > filters.date_to):
        return False
    if filters.category_names and not set(filters.category_names) & set(doc.categories):
        return False
    if filters.org_names and not set(filters.org_names) & set(doc.organizations):
        return False
    return not (filters.has_code and not doc.has_code)


def test_large_counts_are_estimated_small_ones_exact(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from paperwire.search import keyword
    from paperwire.search.keyword import KeywordDoc, estimate_union
    from paperwire.search.query import build_search_query

    assert estimate_union([500, 500], 1000) == 750
    assert estimate_union([900, 10], 1000) == 901
    docs = [KeywordDoc(f"p{i}", f"paper {i}", " ".join(
        w for w, every in (("speech", 2), ("robots", 10)) if i % every == 0) or "graphs", "Ada")
        for i in range(3000)]  # robots only with speech: not independent
    index = KeywordIndex(tmp_path / "kw")
    index.write(docs)
    query = build_search_query("speech robots ")
    assert index.count(query) == 1500  # few postings: counted
    monkeypatch.setattr(keyword, "COUNT_POSTINGS", 100)
    assert index.count(query) == 1650  # 3000 * (1 - 0.5 * 0.9): about 10% over
    phrase = build_search_query('"speech robots"')  # constraints are always counted
    assert index.count(phrase) == 300


def test_matching_keys_are_kept_per_constraint_until_the_index_changes(tmp_path: Path) -> None:
    import numpy as np

    from paperwire.search.query import build_search_query
    from paperwire.search.records import SearchFilters, paper_key

    index = KeywordIndex(tmp_path / "kw")
    index.write([KeywordDoc(f"p{i}", f"paper {i}", "an abstract", "Ada Lovelace",
                            categories=("cs.cl" if i % 3 else "cs.cv",)) for i in range(300)])
    cv = build_search_query("", SearchFilters(categories=("cs.CV",)))
    want = np.sort([paper_key(f"p{i}") for i in range(0, 300, 3)]).astype(np.uint64)
    total, keys = index.matching_keys(cv, 1000)
    assert total == 100 and keys is not None and (keys == want).all()
    assert index.matching_keys(cv, 99) == (100, None)  # past the cap: no keys
    sets = index.keysets._sets
    assert len(sets) == 1
    probe = np.array([paper_key("p3"), paper_key("p4"), paper_key("nope")], dtype=np.uint64)
    assert index.accepted_keys(cv, probe).tolist() == [True, False, False]
    assert len(sets) == 1  # answered from the kept set
    index.write([KeywordDoc("p4", "paper 4", "moved", "Ada Lovelace", categories=("cs.cv",))])
    assert index.accepted_keys(cv, probe).tolist() == [True, True, False]
    assert index.matching_keys(cv, 1000)[0] == 101
