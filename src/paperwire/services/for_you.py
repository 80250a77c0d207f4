""""For you": recent papers ranked for one user, each with the reasons it is there.

Signals: upvotes, papers saved to collections and papers of follows are positives; papers
marked "not interested" plus a random sample of the candidates are negatives. A logistic
regression over the stored paper embeddings (``relevance.py``) scores the candidates, which
are the papers of the last ``PAPERWIRE_FOR_YOU_DAYS`` days (0: the whole catalog) that the
user has not upvoted, saved or dismissed. Without upvotes or saves (or without embeddings) the list
falls back to the trending papers of what the user follows (categories, authors,
organizations), then to trending overall.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.models import Paper
from paperwire.models_community import User
from paperwire.models_personal import Follow, Mute
from paperwire.ranking import trending_score
from paperwire.relevance import Matrix, nearest, train_logistic
from paperwire.services.follows import SearchFn, muted_by, papers_of_follow
from paperwire.services.search_indexing import decode_vectors
from paperwire.storage import Store

MAX_CANDIDATES = 20_000
MAX_SIGNALS = 500
NEGATIVE_SAMPLE = 300
PER_FOLLOW = 50
CHUNK = 500


@dataclass(frozen=True)
class ForYouItem:
    paper: Paper
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ForYou:
    items: tuple[ForYouItem, ...]
    cold_start: bool
    hidden: int = 0


@dataclass
class Signals:
    """What a user showed interest in: paper id -> why, and what they want to see no more."""

    positives: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    dismissed: list[str] = field(default_factory=list)
    follows: list[Follow] = field(default_factory=list)
    explicit: int = 0
    searches: dict[str, list[str]] = field(default_factory=dict)


def gather_signals(store: Store, user: User, search: SearchFn | None = None) -> Signals:
    signals = Signals(follows=store.list_follows(user.id), dismissed=store.dismissed_ids(user.id))
    saved = store.get_papers(store.saved_ids(user.id)[:MAX_SIGNALS])
    for papers, why in ((saved, "you saved"),
                        (store.list_upvoted(user.id, MAX_SIGNALS), "you upvoted")):
        for paper in papers:
            signals.positives.setdefault(paper.id, why)
            signals.titles[paper.id] = paper.title
            signals.seen.add(paper.id)
    signals.explicit = len(signals.positives)
    for item in signals.follows:
        for paper in papers_of_follow(store, item, search, PER_FOLLOW):
            signals.positives.setdefault(paper.id, f"from {item.label}, which you follow")
            signals.titles[paper.id] = paper.title
            if item.kind == "search":
                signals.searches.setdefault(paper.id, []).append(item.label)
    signals.seen.update(signals.dismissed)
    return signals


def for_you(store: Store, settings: Settings, user: User, limit: int = 30,
            show_muted: bool = False, now: datetime | None = None,
            search: SearchFn | None = None) -> ForYou:
    """The user's list; ``search`` runs saved searches (without it they are skipped)."""
    now = now or now_utc()
    since = None if settings.for_you_days == 0 else now - timedelta(days=settings.for_you_days)
    signals = gather_signals(store, user, search)
    candidates = [i for i in store.recent_paper_ids(since, MAX_CANDIDATES)
                  if i not in signals.seen]
    mutes = [] if show_muted else store.list_mutes(user.id)
    model = store.main_embedding_model()
    ranked = None
    if model and signals.explicit:
        ranked = _rank_by_model(store, model, signals, candidates, user.id)
    if ranked is None:
        return _cold_start(store, settings, signals, candidates, mutes, limit, now, search)
    items, hidden = _take(store, ranked, signals, mutes, limit)
    return ForYou(tuple(items), cold_start=False, hidden=hidden)


def _vectors(store: Store, model: str, ids: Sequence[str]) -> tuple[list[str], Matrix]:
    found, parts = [], []
    for start in range(0, len(ids), CHUNK):
        rows = store.get_embeddings(ids[start:start + CHUNK], model)
        if rows:
            found += [r.paper_id for r in rows]
            parts.append(decode_vectors(rows))
    if not parts:
        return [], np.zeros((0, 0), np.float32)
    return found, np.vstack(parts)


def _rank_by_model(store: Store, model: str, signals: Signals, candidates: list[str],
                   user_id: int) -> list[tuple[str, float, str]] | None:
    """(paper id, score, nearest positive id) best first; None when there is nothing to learn."""
    pos_ids, positives = _vectors(store, model, list(signals.positives))
    cand_ids, cands = _vectors(store, model, candidates)
    if not pos_ids or not cand_ids:
        return None
    pool = [i for i in cand_ids if i not in signals.positives]
    sample = random.Random(user_id).sample(pool, min(NEGATIVE_SAMPLE, len(pool)))
    _, negatives = _vectors(store, model, list(dict.fromkeys(signals.dismissed + sample)))
    if len(negatives) == 0:
        scores = (cands @ positives.T).max(axis=1).astype(np.float64)
    else:
        scores = train_logistic(positives, negatives).score(cands)
    near = nearest(cands, positives)
    order = np.argsort(-scores, kind="stable")
    return [(cand_ids[i], float(scores[i]), pos_ids[near[i]]) for i in order]


def _take(store: Store, ranked: list[tuple[str, float, str]], signals: Signals,
          mutes: Sequence[Mute], limit: int) -> tuple[list[ForYouItem], int]:
    items: list[ForYouItem] = []
    hidden = 0
    for batch in _batches(ranked, 100):
        papers = {p.id: p for p in store.get_papers([r[0] for r in batch])}
        for paper_id, score, near_id in batch:
            paper = papers.get(paper_id)
            if paper is None:
                continue
            if muted_by(paper, mutes) is not None:
                hidden += 1
                continue
            items.append(ForYouItem(paper, score, _reasons(paper, signals, near_id)))
            if len(items) == limit:
                return items, hidden
    return items, hidden


def _batches(items: list[tuple[str, float, str]],
             size: int) -> Iterator[list[tuple[str, float, str]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _reasons(paper: Paper, signals: Signals, near_id: str | None) -> tuple[str, ...]:
    reasons = follow_reasons(paper, signals.follows)
    reasons += [f"matches your {label}" for label in signals.searches.get(paper.id, [])]
    if near_id is not None and near_id != paper.id:
        title = signals.titles.get(near_id, near_id)
        reasons.append(f"similar to “{title}” {signals.positives[near_id]}")
    return tuple(reasons)


def follow_reasons(paper: Paper, follows: Sequence[Follow]) -> list[str]:
    """"you follow cs.CL", "you follow Ada Lovelace"… for the follows this paper matches."""
    authors = {a.name.casefold() for a in paper.authors}
    cats = {c.casefold() for c in paper.categories}
    org = paper.organization.name.casefold() if paper.organization else None
    reasons = []
    for item in follows:
        key = item.value.casefold()
        if ((item.kind == "category" and key in cats) or (item.kind == "author" and key in authors)
                or (item.kind == "organization" and key == org)):
            reasons.append(f"you follow {item.value}")
    return reasons


def _cold_start(store: Store, settings: Settings, signals: Signals, candidates: list[str],
                mutes: Sequence[Mute], limit: int, now: datetime,
                search: SearchFn | None) -> ForYou:
    """Trending papers of what the user follows; trending overall without follows."""
    allowed = set(candidates)
    pool: dict[str, tuple[Paper, str]] = {}
    for item in signals.follows:
        why = {"category": f"trending in {item.value}, which you follow",
               "search": f"matches your {item.label}"}.get(item.kind, f"you follow {item.value}")
        for paper in papers_of_follow(store, item, search, 200):
            if paper.id in allowed:
                pool.setdefault(paper.id, (paper, why))
    if not signals.follows:
        for paper in store.get_papers(candidates[:1000]):
            pool[paper.id] = (paper, "trending now")
    scored = sorted(pool.values(), key=lambda pr: (-trending_score(
        pr[0].upvotes, pr[0].published_at, now, settings.trending_gravity), pr[0].id))
    kept = [(p, why) for p, why in scored if muted_by(p, mutes) is None]
    items = [ForYouItem(p, trending_score(p.upvotes, p.published_at, now,
                                          settings.trending_gravity), (why,))
             for p, why in kept[:limit]]
    return ForYou(tuple(items), cold_start=True, hidden=len(scored) - len(kept))
