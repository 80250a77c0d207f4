""""For you": recent papers ranked for one user, each with the reasons it is there.

Signals: upvotes, papers saved to collections and papers of follows are positives; papers
marked "not interested" plus a random sample of the candidates are negatives. A logistic
regression over the stored paper embeddings and tf-idf keyword features
(``relevance_features.py``, trained and cached by ``for_you_model.py``) scores the
candidates, which are the papers of the last ``PAPERWIRE_FOR_YOU_DAYS`` days (0: the whole
catalog) that the user has not upvoted, saved or dismissed. Without upvotes or saves (or
without embeddings) the list falls back to the trending papers of what the user follows
(categories, authors, organizations), then to trending overall.

Up to ``MAX_CANDIDATES`` recent papers are scored directly (their embeddings cached in
process). Beyond that (a large catalog, or ``0`` days) the first stage is the vector index:
the papers nearest the direction of the model's embedding half, restricted to the period
inside the index (``NearestFn``), and only those are scored by the whole model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.models import Paper
from paperwire.models_community import User
from paperwire.models_personal import Follow, Mute
from paperwire.ranking import trending_score
from paperwire.relevance import Matrix
from paperwire.search.records import SearchFilters
from paperwire.services.follows import SearchFn, muted_by, papers_of_follow
from paperwire.services.for_you_model import (
    MODELS,
    Ranked,
    TrainedModel,
    fetch_vectors,
    keep_model,
    kept_model,
    rank_candidates,
    signals_version,
    train_user_model,
)
from paperwire.services.search import SearchService
from paperwire.storage import Store

MAX_CANDIDATES = 20_000
MAX_SIGNALS = 500
PER_FOLLOW = 50
INDEX_SHORTLIST = 500
NearestFn = Callable[[np.ndarray, int, date | None], list[str]]
"""Paper ids nearest a unit vector, best first, published on or after a day (None: any)."""


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


def gather_signals(store: Store, user: User, search: SearchFn | None = None,
                   rows: bool = True) -> Signals:
    """The user's signals; ``rows=False`` reads ids only (no titles, saved searches left
    out: the same positives otherwise), which is all ranking a digest's papers needs."""
    signals = Signals(follows=store.list_follows(user.id), dismissed=store.dismissed_ids(user.id))
    saved = store.saved_ids(user.id)[:MAX_SIGNALS]
    explicit = ([(_titled(store.get_papers(saved)), "you saved"),
                 (_titled(store.list_upvoted(user.id, MAX_SIGNALS)), "you upvoted")] if rows
                else [(_untitled(saved), "you saved"),
                      (_untitled(store.upvoted_ids(user.id, MAX_SIGNALS)), "you upvoted")])
    for found, why in explicit:
        for paper_id, title in found:
            signals.positives.setdefault(paper_id, why)
            signals.titles[paper_id] = title
            signals.seen.add(paper_id)
    signals.explicit = len(signals.positives)
    for item in signals.follows:
        for paper_id, title in _followed(store, item, search, rows):
            signals.positives.setdefault(paper_id, f"from {item.label}, which you follow")
            signals.titles[paper_id] = title
            if item.kind == "search":
                signals.searches.setdefault(paper_id, []).append(item.label)
    signals.seen.update(signals.dismissed)
    return signals


def _followed(store: Store, item: Follow, search: SearchFn | None,
              rows: bool) -> list[tuple[str, str]]:
    """(id, title) of a follow's newest papers; ids only without ``rows`` (a saved search,
    which needs the search index, gives none then)."""
    if rows:
        return _titled(papers_of_follow(store, item, search, PER_FOLLOW))
    return _untitled(store.paper_ids_followed(item.kind, item.value, PER_FOLLOW))


def _titled(papers: Sequence[Paper]) -> list[tuple[str, str]]:
    return [(p.id, p.title) for p in papers]


def _untitled(ids: Sequence[str]) -> list[tuple[str, str]]:
    return [(i, "") for i in ids]


def for_you(store: Store, settings: Settings, user: User, limit: int = 30,
            show_muted: bool = False, now: datetime | None = None,
            search: SearchFn | None = None, nearest: NearestFn | None = None) -> ForYou:
    """The user's list; ``search`` runs saved searches (without it they are skipped);
    ``nearest`` ranks a catalog larger than ``MAX_CANDIDATES`` through the vector index
    (without it the newest ``MAX_CANDIDATES`` papers are the candidates)."""
    now = now or now_utc()
    since = window_start(store, settings, now)
    signals = gather_signals(store, user, search)
    recent = MODELS.recent_ids(store, since, MAX_CANDIDATES)
    candidates = [i for i in recent if i not in signals.seen]
    mutes = [] if show_muted else store.list_mutes(user.id)
    model = store.main_embedding_model()
    ranked = None
    if model and signals.explicit:
        if nearest is not None and len(recent) >= MAX_CANDIDATES:
            ranked = _rank_by_index(store, model, signals, recent, user.id, now,
                                    (nearest, since))
        else:
            ranked = _rank_by_model(store, model, signals,
                                    _cached_vectors(store, model, recent, signals.seen),
                                    user.id, now, recent, requested=True)
    if ranked is None:
        return _cold_start(store, settings, signals, candidates, mutes, limit, now, search)
    items, hidden = _take(store, ranked, signals, mutes, limit)
    return ForYou(tuple(items), cold_start=False, hidden=hidden)


def _model_for(store: Store, model: str, signals: Signals, pos_ids: list[str],
               pool: list[str], user_id: int, now: datetime,
               requested: bool = False) -> TrainedModel | None:
    """The user's model for this version of their signals: kept (in the process or the
    store), or trained now against the day's negatives drawn from ``pool`` and kept."""
    version = signals_version(pos_ids, signals.dismissed, model)
    trained = kept_model(store, user_id, version, now)
    if trained is None:
        trained = train_user_model(store, model, pos_ids, signals.dismissed, pool, version, now)
        if trained is not None:
            keep_model(store, user_id, trained, requested)
    return trained


def _cached_vectors(store: Store, model: str, recent: list[str],
                    seen: set[str]) -> tuple[list[str], Matrix]:
    """The embeddings of the recent papers (cached while the list is the same) less ``seen``."""
    all_ids, matrix = MODELS.vectors(store, model, recent)
    keep = [i for i, paper_id in enumerate(all_ids) if paper_id not in seen]
    return [all_ids[i] for i in keep], matrix[keep] if len(keep) else matrix[:0]


def _rank_by_model(store: Store, model: str, signals: Signals,
                   candidates: tuple[list[str], Matrix], user_id: int, now: datetime,
                   pool: list[str] | None = None, requested: bool = False,
                   reasons: bool = True) -> list[Ranked] | None:
    """Candidates (ids and vectors) best first by the user's model; None when there is
    nothing to learn."""
    cand_ids, cands = candidates
    if not cand_ids:
        return None
    found = _trained_for(store, model, signals, pool or cand_ids, user_id, now, requested)
    if found is None:
        return None
    pos_ids, positives, trained = found
    return rank_candidates(store, trained, cand_ids, cands, pos_ids, positives, reasons)


def _trained_for(store: Store, model: str, signals: Signals, pool: list[str], user_id: int,
                 now: datetime, requested: bool) -> tuple[list[str], Matrix, TrainedModel] | None:
    """The positives with a vector (ids, vectors) and the user's model; None without them."""
    pos_ids, positives = fetch_vectors(store, model, list(signals.positives))
    if not pos_ids:
        return None
    trained = _model_for(store, model, signals, pos_ids, pool, user_id, now, requested)
    return None if trained is None else (pos_ids, positives, trained)


def window_start(store: Store, settings: Settings, now: datetime) -> datetime | None:
    """Where the period of ``PAPERWIRE_FOR_YOU_DAYS`` starts (None: the whole catalog): that
    many days before now, or before the newest paper when the catalog stopped earlier (a
    demo corpus, an archive no longer fed), so the list is never empty for want of news."""
    if settings.for_you_days == 0:
        return None
    newest = store.newest_published_at()
    end = now if newest is None else min(now, newest)
    return end - timedelta(days=settings.for_you_days)


def nearest_in(service: SearchService) -> NearestFn:
    """``NearestFn`` over a search service's vector index (the period applied inside it)."""
    def run(vector: np.ndarray, k: int, since: date | None) -> list[str]:
        filters = SearchFilters(date_from=since) if since else None
        return [pid for pid, _ in service.semantic_ranking(vector, k, filters)]
    return run


def _rank_by_index(store: Store, model: str, signals: Signals, pool: list[str], user_id: int,
                   now: datetime, first: tuple[NearestFn, datetime | None]
                   ) -> list[Ranked] | None:
    """The whole period ranked: the model is trained as usual (negatives from the newest
    papers), the vector index lists the papers nearest its embedding half's direction
    within the period, and those are scored by the whole model."""
    found = _trained_for(store, model, signals, pool, user_id, now, True) if pool else None
    if found is None:
        return None
    pos_ids, positives, trained = found
    nearest, since = first
    weights = trained.model.dense_weights.astype(np.float32)
    direction = weights / max(float(np.linalg.norm(weights)), 1e-12)
    near = nearest(direction, INDEX_SHORTLIST + len(signals.seen),
                   since.date() if since else None)
    cand_ids, cands = fetch_vectors(store, model, [i for i in near if i not in signals.seen])
    if not cand_ids:
        return None
    return rank_candidates(store, trained, cand_ids, cands, pos_ids, positives)


def rank_among(store: Store, settings: Settings, user: User, paper_ids: Sequence[str],
               now: datetime | None = None, exclude: Collection[str] = ()) -> list[str]:
    """``paper_ids`` (a digest's papers, the same list for every subscriber: their
    embeddings are read once) best first by the user's model, leaving out ``exclude`` and
    what they upvoted, saved or dismissed; [] without upvotes or saves (nothing to learn)."""
    now = now or now_utc()
    model = store.main_embedding_model()
    signals = gather_signals(store, user, rows=False)
    if not model or not signals.explicit:
        return []
    since = window_start(store, settings, now)
    pool = MODELS.recent_ids(store, since, MAX_CANDIDATES)
    skip = signals.seen | set(exclude)
    ranked = _rank_by_model(store, model, signals, _cached_vectors(store, model,
                                                                   list(paper_ids), skip),
                            user.id, now, pool or list(paper_ids), reasons=False)
    return [r.paper_id for r in ranked or []]


def _take(store: Store, ranked: list[Ranked], signals: Signals, mutes: Sequence[Mute],
          limit: int) -> tuple[list[ForYouItem], int]:
    """The first ``limit`` ranked papers that no mute hides, read from the store in batches."""
    items: list[ForYouItem] = []
    hidden = 0
    for start in range(0, len(ranked), limit + 20):
        batch = ranked[start:start + limit + 20]
        papers = {p.id: p for p in store.get_papers([r.paper_id for r in batch])}
        for found in batch:
            paper = papers.get(found.paper_id)
            if paper is None:
                continue
            if muted_by(paper, mutes) is not None:
                hidden += 1
                continue
            items.append(ForYouItem(paper, found.score, _reasons(paper, found, signals)))
            if len(items) == limit:
                return items, hidden
    return items, hidden


def _reasons(paper: Paper, found: Ranked, signals: Signals) -> tuple[str, ...]:
    reasons = follow_reasons(paper, signals.follows)
    reasons += [f"matches your {label}" for label in signals.searches.get(paper.id, [])]
    if found.near_id != paper.id:
        title = signals.titles.get(found.near_id, found.near_id)
        reasons.append(f"similar to “{title}” {signals.positives[found.near_id]}")
    terms = found.terms(paper)
    if terms:
        reasons.append("mentions " + ", ".join(f"“{t}”" for t in terms)
                       + ", like papers you liked")
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
