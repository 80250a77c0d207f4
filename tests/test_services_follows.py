"""Follows and mutes: values, the Following feed over real SQLite, the pure mute filter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperwire.config import Settings
from paperwire.errors import InvalidInput, NotFound
from paperwire.models import Author, Paper
from paperwire.models_personal import Mute
from paperwire.services import follows
from paperwire.storage.sqlite import SqliteStore
from tests.personal_helpers import put_paper

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _user(store: SqliteStore, name: str = "ada"):  # type: ignore[no-untyped-def]
    user = store.create_user(name, f"{name}@example.org", "x", NOW)
    assert user is not None
    return user


def test_build_value_checks_kind_and_category() -> None:
    assert follows.build_value("category", " cs.CL ") == ("cs.CL", "cs.cl")
    assert follows.build_value("author", "Ada   Lovelace") == ("Ada Lovelace", "ada lovelace")
    with pytest.raises(InvalidInput, match="kind 'tag' is not one of"):
        follows.build_value("tag", "x")
    with pytest.raises(InvalidInput, match="not an arXiv category"):
        follows.build_value("category", "CL; drop table")
    with pytest.raises(InvalidInput, match="1 to 200"):
        follows.build_value("author", "   ")


def test_saved_search_is_normalized_and_parsed() -> None:
    value = follows.build_search_value("?q=speculative+decoding&category=cs.CL&junk=1&p=3")
    assert value == "category=cs.CL&q=speculative+decoding"
    assert follows.build_search_value("speculative decoding") == "q=speculative+decoding"
    q, mode, filters = follows.parse_search_value(value)
    assert (q, mode, filters.categories) == ("speculative decoding", "hybrid", ("cs.CL",))
    with pytest.raises(InvalidInput, match="needs search text"):
        follows.build_search_value("category=cs.CL")


def test_following_feed_lists_newest_papers_of_each_follow(store: SqliteStore,
                                                          settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "Old CL paper", categories=("cs.CL",), age_days=5)
    put_paper(store, settings, "2601.00002", "New CL paper", categories=("cs.CL", "cs.LG"),
              age_days=1)
    put_paper(store, settings, "2601.00003", "Vision", categories=("cs.CV",),
              authors=("Grace Hopper", "Alan Turing"), org="acme")
    put_paper(store, settings, "2601.00004", "Category prefix only", categories=("cs.CLX",))
    user = _user(store)
    follows.follow(store, user, "category", "cs.CL")
    follows.follow(store, user, "author", "grace hopper")
    follows.follow(store, user, "organization", "acme")
    follows.follow(store, user, "category", "cs.CL")  # repeating changes nothing
    sections = {s.follow.value: [p.id for p in s.papers]
                for s in follows.following_feed(store, user, None)}
    assert sections == {"cs.CL": ["2601.00002", "2601.00001"], "grace hopper": ["2601.00003"],
                        "acme": ["2601.00003"]}
    assert follows.unfollow(store, user, "author", "Grace Hopper")
    assert {f.kind for f in follows.follows_of(store, user)} == {"category", "organization"}
    with pytest.raises(NotFound, match="organization 'nobody'"):
        follows.follow(store, user, "organization", "nobody")


def test_following_feed_hides_muted_and_counts_them(store: SqliteStore,
                                                    settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "Diffusion for text", categories=("cs.CL",))
    put_paper(store, settings, "2601.00002", "Parsing", categories=("cs.CL",))
    user = _user(store)
    follows.follow(store, user, "category", "cs.CL")
    follows.mute(store, user, "keyword", "diffusion")
    [section] = follows.following_feed(store, user, None)
    assert [p.id for p in section.papers] == ["2601.00002"] and section.hidden == 1
    [shown] = follows.following_feed(store, user, None, show_muted=True)
    assert len(shown.papers) == 2 and shown.hidden == 0


def test_muted_by_matches_categories_whole_keywords_and_authors() -> None:
    paper = Paper("1", "Diffusion models", summary="We study LLMs.",
                  authors=(Author("Ada Lovelace"),), categories=("cs.CV",))
    mute = lambda kind, value: Mute(1, kind, value, NOW)  # noqa: E731
    assert follows.muted_by(paper, [mute("category", "CS.cv")]) is not None
    assert follows.muted_by(paper, [mute("keyword", "llms")]) is not None
    assert follows.muted_by(paper, [mute("keyword", "llm")]) is None  # whole words only
    assert follows.muted_by(paper, [mute("author", "ada lovelace")]) is not None
    assert follows.muted_by(paper, [mute("author", "Ada")]) is None
    kept, hidden = follows.hide_muted([paper, paper], [mute("category", "cs.CV")], lambda p: p)
    assert (kept, hidden) == ([], 2)
