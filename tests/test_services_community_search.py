"""The search feed without a search service: a plain LIKE match on titles and abstracts."""

from __future__ import annotations

from datetime import UTC, datetime

from paperwire.models import IncomingPaper, Paper
from paperwire.services.community import search_papers
from paperwire.storage.sqlite import SqliteStore


def add(store: SqliteStore, pid: str, title: str, summary: str, day: int) -> None:
    store.upsert_papers([IncomingPaper(Paper(pid, title, summary,
                                             published_at=datetime(2024, 1, day, tzinfo=UTC)))])


def test_the_like_fallback_matches_case_insensitively_newest_first(store: SqliteStore) -> None:
    add(store, "2401.00001", "Sparse Attention", "Long documents.", 1)
    add(store, "2401.00002", "Graph networks", "We make ATTENTION sparse on graphs.", 3)
    add(store, "2401.00003", "Protein folding", "Diffusion models, 100% of the time.", 2)
    found = search_papers(store, None, "  attention\x00 ", 10)
    assert [p.id for p in found] == ["2401.00002", "2401.00001"]
    assert [p.id for p in search_papers(store, None, "attention", 1)] == ["2401.00002"]


def test_like_wildcards_in_the_query_are_plain_characters(store: SqliteStore) -> None:
    add(store, "2401.00001", "Sparse attention", "Long documents.", 1)
    add(store, "2401.00003", "Protein folding", "Diffusion models, 100% of the time.", 2)
    assert [p.id for p in search_papers(store, None, "100%", 10)] == ["2401.00003"]
    assert [p.id for p in search_papers(store, None, "%", 10)] == ["2401.00003"]
    assert search_papers(store, None, "_", 10) == []
    assert search_papers(store, None, " \x00 ", 10) == []
