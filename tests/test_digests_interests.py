"""The digest section for an account: papers like the ones it upvoted (search index, words)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperwire.config import Settings
from paperwire.models_digests import Preferences, build_period
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.digest_interests import UpvoteInterests, search_similar
from paperwire.services.digest_send import compose_digest, load_candidates
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.digest_helpers import MONDAY, add_daily, make_paper

NOW = datetime.now(UTC)


def account_with_upvote(store: SqliteStore) -> None:
    add_daily(store, MONDAY - timedelta(days=7), [make_paper(
        "2510.00900", "Quantum error correction with surface codes",
        summary="Logical qubits protected by surface codes on superconducting hardware.")])
    add_daily(store, MONDAY, [
        make_paper("2510.00001", "Popular vision model", 90, summary="Images."),
        make_paper("2510.00002", "Efficient attention with long documents", 40,
                   summary="Transformers read long documents with sparse attention."),
        make_paper("2510.00003", "Neural decoders for stabilizer measurements", 0,
                   summary="Fault-tolerant computing needs fast decoding of syndrome data.")])
    user = store.create_user("ada", "ada@example.org", "not-a-real-hash", NOW)
    assert user is not None
    store.set_vote(user.id, "2510.00900", True, NOW)


def interests_of(store: SqliteStore, settings: Settings, interests: UpvoteInterests) -> list[str]:
    period = build_period("daily", MONDAY)
    sub = store.add_subscriber("ada@example.org", Preferences(size=1), "t" * 32, "ada", NOW)
    digest = compose_digest(load_candidates(store, settings, period), sub, period, set(),
                            interests)
    return [p.id for s in digest.sections if s.key == "interests" for p in s.papers]


def test_search_index_picks_the_nearest_paper_of_the_period(
        store: SqliteStore, settings: Settings, embedder: OnnxEmbedder) -> None:
    account_with_upvote(store)
    search = SearchService(settings, store, embedder)
    without_index = UpvoteInterests(store, search_similar(search))
    assert interests_of(store, settings, without_index) == ["2510.00002"]  # shared words only
    search.index()
    assert interests_of(store, settings, UpvoteInterests(store, search_similar(search))) == [
        "2510.00003"]


def test_no_account_or_no_upvotes_means_no_section(store: SqliteStore,
                                                   settings: Settings) -> None:
    account_with_upvote(store)
    interests = UpvoteInterests(store)
    cands = load_candidates(store, settings, build_period("daily", MONDAY))
    assert interests.similar_to_upvoted("nobody", cands, 5) == []
    lurker = store.create_user("lurker", "lurker@example.org", "not-a-real-hash", NOW)
    assert lurker is not None
    assert interests.similar_to_upvoted("lurker", cands, 5) == []
