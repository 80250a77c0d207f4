"""For you over real SQLite and real stored embeddings (the packaged MiniLM model)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from paperwire.config import Settings
from paperwire.models import Paper
from paperwire.search.embedder import OnnxEmbedder
from paperwire.search.records import SearchFilters
from paperwire.services import collections, follows
from paperwire.services import for_you as for_you_service
from paperwire.services.for_you import for_you
from paperwire.services.for_you_model import MODELS
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.personal_helpers import VISION, make_user, put_paper

NOW = datetime(2026, 1, 1, tzinfo=UTC)
def test_saved_papers_pull_similar_ones_up_with_reasons(catalog: SqliteStore,
                                                        settings: Settings) -> None:
    user = make_user(catalog)
    reading = collections.create(catalog, user, "Segmentation")
    for paper_id in ("2601.10000", "2601.10002"):
        collections.save(catalog, user, reading.id, paper_id)
    found = for_you(catalog, settings, user, limit=12)
    assert not found.cold_start
    ids = [i.paper.id for i in found.items]
    assert "2601.10000" not in ids and "2601.10002" not in ids  # already saved
    assert "2301.00001" not in ids  # older than PAPERWIRE_FOR_YOU_DAYS
    assert all(i.startswith("2601.1") for i in ids[:4]), ids
    assert any(r.startswith("similar to “") and r.endswith("” you saved")
               for r in found.items[0].reasons)
    everything = for_you(catalog, replace(settings, for_you_days=0), user, limit=20)
    assert "2301.00001" in [i.paper.id for i in everything.items]


def test_not_interested_and_follows_change_the_list(catalog: SqliteStore,
                                                    settings: Settings) -> None:
    user = make_user(catalog)
    catalog.set_vote(user.id, "2601.00000", True, NOW)
    before = [i.paper.id for i in for_you(catalog, settings, user).items]
    assert all(i.startswith("2601.0") for i in before[:4]), before
    catalog.set_dismissal(user.id, before[0], True, NOW)
    follows.follow(catalog, user, "category", "cs.CV")
    after = for_you(catalog, settings, user)
    assert before[0] not in [i.paper.id for i in after.items]
    cv = [i for i in after.items if i.paper.categories == ("cs.CV",)]
    assert cv and all("you follow cs.CV" in i.reasons for i in cv)
    follows.mute(catalog, user, "category", "cs.CV")
    muted = for_you(catalog, settings, user)
    assert muted.hidden >= 1 and not [i for i in muted.items if "cs.CV" in i.paper.categories]


def test_cold_start_is_trending_in_followed_categories(catalog: SqliteStore,
                                                       settings: Settings) -> None:
    """Without upvotes or saves: trending overall, then trending in followed categories."""
    user = make_user(catalog)
    overall = for_you(catalog, settings, user)
    assert overall.cold_start and overall.items[0].reasons == ("trending now",)
    follows.follow(catalog, user, "category", "cs.CV")
    found = for_you(catalog, settings, user)
    assert found.cold_start
    assert {i.paper.categories for i in found.items} == {("cs.CV",)}
    assert found.items[0].reasons == ("trending in cs.CV, which you follow",)
    put_paper(catalog, settings, "2601.20000", "A popular vision paper", categories=("cs.CV",),
              age_days=0.3, upvotes=500)
    assert for_you(catalog, settings, user).items[0].paper.id == "2601.20000"


def test_saved_searches_give_their_reason(catalog: SqliteStore, settings: Settings,
                                          embedder: OnnxEmbedder) -> None:
    service = SearchService(settings, catalog, embedder)

    def search(q: str, mode: str, filters: SearchFilters) -> list[Paper]:
        return [hit.paper for hit in service.search(q, mode, 50, 0, filters).hits]

    user = make_user(catalog)
    follows.follow(catalog, user, "search", "q=diarization&mode=keyword")
    cold = for_you(catalog, settings, user, search=search)
    assert [(i.paper.id, i.reasons) for i in cold.items] == [
        ("2601.00004", ("matches your saved search “diarization”",))]
    catalog.set_vote(user.id, "2601.00000", True, NOW)
    warm = for_you(catalog, settings, user, search=search)
    [item] = [i for i in warm.items if i.paper.id == "2601.00004"]
    assert "matches your saved search “diarization”" in item.reasons
    assert for_you(catalog, settings, user).items  # without a search function: skipped


def test_the_model_is_retrained_only_when_the_signals_change(catalog: SqliteStore,
                                                             settings: Settings) -> None:
    user = make_user(catalog)
    catalog.set_vote(user.id, "2601.00000", True, NOW)
    start = MODELS.trained
    first = [i.paper.id for i in for_you(catalog, settings, user).items]
    assert MODELS.trained == start + 1
    assert [i.paper.id for i in for_you(catalog, settings, user).items] == first
    assert MODELS.trained == start + 1  # same signals: the cached model
    catalog.set_vote(user.id, "2601.10000", True, NOW)
    for_you(catalog, settings, user)
    assert MODELS.trained == start + 2


def test_a_catalog_past_the_candidate_cap_is_ranked_through_the_vector_index(
        catalog: SqliteStore, settings: Settings, embedder: OnnxEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond ``MAX_CANDIDATES`` recent papers the vector index finds the papers near the
    model's direction in the whole period, older ones included; the period still holds."""
    monkeypatch.setattr(for_you_service, "MAX_CANDIDATES", 4)
    nearest = for_you_service.nearest_in(SearchService(settings, catalog, embedder))
    user = make_user(catalog)
    reading = collections.create(catalog, user, "Segmentation")
    for paper_id in ("2601.10000", "2601.10001"):
        collections.save(catalog, user, reading.id, paper_id)
    whole = replace(settings, for_you_days=0)
    capped = [i.paper.id for i in for_you(catalog, whole, user, limit=20).items]
    assert len(capped) <= 4 and "2301.00001" not in capped  # only the newest 4 papers
    wide = [i.paper.id for i in for_you(catalog, whole, user, limit=20, nearest=nearest).items]
    assert "2301.00001" in wide and len(wide) > 4
    assert all(i.startswith(("2601.1", "2301")) for i in wide[:5]), wide
    recent = [i.paper.id for i in for_you(catalog, settings, user, limit=20,
                                          nearest=nearest).items]
    assert "2301.00001" not in recent and len(recent) > 4
    assert not {"2601.10000", "2601.10001"} & set(wide + recent)  # saved: never offered


def test_a_catalog_that_stopped_long_ago_still_fills_the_list(store: SqliteStore,
                                                              settings: Settings,
                                                              embedder: OnnxEmbedder) -> None:
    """The period ends at the newest paper when nothing arrived in the last days (a demo
    corpus, an archive): the list shows that period, not nothing, and older papers stay out."""
    for n, title in enumerate(VISION):
        put_paper(store, settings, f"2401.1{n:04d}", title, categories=("cs.CV",),
                  summary=title + ". We study images.", age_days=300 + n / 10)
    put_paper(store, settings, "2301.00001", "Older segmentation paper", categories=("cs.CV",),
              age_days=700)
    SearchService(settings, store, embedder).index()
    user = make_user(store)
    store.set_vote(user.id, "2401.10000", True, NOW)
    found = [i.paper.id for i in for_you(store, settings, user).items]
    assert len(found) == len(VISION) - 1 and "2301.00001" not in found
    cold = for_you(store, settings, make_user(store, "bo"))
    assert cold.cold_start and len(cold.items) == len(VISION)
