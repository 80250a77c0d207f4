"""Lists less a user's mutes (``services.muted_lists``): full pages of the kept papers, the
hidden count of each page, and a search that reads its ranking deeper than usual when the
mutes take out most of the best results."""

from __future__ import annotations

from datetime import UTC, datetime

from paperwire.config import Settings
from paperwire.models import Author, Paper
from paperwire.models_personal import Mute
from paperwire.search.embedder import OnnxEmbedder
from paperwire.search.records import SearchFilters
from paperwire.services import muted_lists
from paperwire.services.search import DEPTH, SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.personal_helpers import put_paper

NOW = datetime(2026, 1, 5, tzinfo=UTC)
GRACE = (Mute(1, "author", "Grace Hopper", NOW),)


def _paper(n: int, author: str) -> Paper:
    return Paper(id=f"2601.{n:05d}", title=f"Paper {n}", authors=(Author(author),))


def test_kept_pages_are_full_and_count_the_muted_papers_on_their_stretch() -> None:
    # kept: 0 3 4 6 ; muted: 1 2 5 7 8 (7 and 8 after the last kept paper)
    muted = {1, 2, 5, 7, 8}
    papers = [_paper(n, "Grace Hopper" if n in muted else "Ada") for n in range(9)]
    pages = []
    for page in range(3):
        kept = muted_lists.build_kept_page(iter(papers), muted_lists.MuteTally(GRACE),
                                           lambda p: p, page * 2, 2)
        pages.append(([p.id[-1] for p in kept.items], kept.hidden, kept.more))
    assert pages == [(["0", "3"], 2, True), (["4", "6"], 3, False), ([], 0, False)]  # past the end


def test_no_mutes_read_nothing_more() -> None:
    papers = [_paper(n, "Grace Hopper") for n in range(3)]
    kept = muted_lists.build_kept_page(papers, muted_lists.MuteTally(()), lambda p: p, 0, 2)
    assert ([p.id for p in kept.items], kept.hidden, kept.more) == (
        ["2601.00000", "2601.00001"], 0, True)


def test_search_reads_deeper_when_mutes_hide_the_best_results(
        store: SqliteStore, settings: Settings, embedder: OnnxEmbedder) -> None:
    """More muted papers than the usual ranking depth rank above the three kept ones."""
    for n in range(DEPTH + 5):
        put_paper(store, settings, f"2601.{n:05d}", f"Lattice lattice lattice {n}",
                  authors=("Grace Hopper",), summary="Lattice lattice lattice.", daily=False)
    for n in range(DEPTH + 5, DEPTH + 8):
        put_paper(store, settings, f"2601.{n:05d}", f"Paper {n}", summary="On a lattice.",
                  daily=False)
    search = SearchService(settings, store, embedder)
    search.index()
    found = muted_lists.search_page(search, store, GRACE, "lattice", "keyword",
                                    SearchFilters(), 0, 3)
    assert sorted(h.paper.id for h in found.hits) == [
        f"2601.{n:05d}" for n in range(DEPTH + 5, DEPTH + 8)]
    assert (found.hidden, found.more) == (DEPTH + 5, False)
    shown = muted_lists.search_page(search, store, (), "lattice", "keyword", SearchFilters(),
                                    0, 3)
    assert all(h.paper.id < f"2601.{DEPTH + 5:05d}" for h in shown.hits)


def test_counted_pages_count_every_kept_paper() -> None:
    muted = {1, 2, 5, 7, 8}
    papers = [_paper(n, "Grace Hopper" if n in muted else "Ada") for n in range(9)]
    pages = [muted_lists.build_counted_page(iter(papers), GRACE, lambda p: p, page, 2)
             for page in range(3)]
    assert [([p.id[-1] for p in page.items], page.total, page.pages, hidden)
            for page, hidden in pages] == [(["0", "3"], 4, 2, 2), (["4", "6"], 4, 2, 3),
                                           ([], 4, 2, 0)]


def test_similar_papers_read_deeper_past_the_muted_nearest() -> None:
    """The six nearest are muted: it reads 2, then 8, then 32 of the nearest, and
    the hidden count stops at the last paper shown."""
    nearest = [_paper(n, "Grace Hopper" if n < 6 or n == 7 else "Ada") for n in range(20)]
    asked: list[int] = []

    def find(depth: int) -> list[Paper]:
        asked.append(depth)
        return nearest[:depth]

    kept = muted_lists.similar_page(find, GRACE, 2)
    assert [p.id[-2:] for p in kept.items] == ["06", "08"] and kept.hidden == 7
    assert asked == [2, 8, 32]
    unmuted = muted_lists.similar_page(find, (), 2)
    assert [p.id[-2:] for p in unmuted.items] == ["00", "01"] and unmuted.hidden == 0
    short = muted_lists.similar_page(lambda depth: nearest[:7], GRACE, 2, deepest=8)
    assert [p.id[-2:] for p in short.items] == ["06"] and short.hidden == 6
