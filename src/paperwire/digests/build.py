"""Choosing the papers of a digest (pure).

``build_candidates`` indexes the papers of a period once (words, categories, organizations,
authors); ``build_digest`` then picks each subscriber's sections with set operations, so
composing 100,000 digests stays fast. Rules: sections in a fixed order (trending first), at
most ``size`` papers per section, no paper twice, nothing already sent to the subscriber,
nothing matching a mute term, no withdrawn paper.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paperwire.models import Paper
from paperwire.models_digests import (
    MAX_SIZE,
    Digest,
    DigestSection,
    Preferences,
)
from paperwire.periods import Period

_WORD = re.compile(r"\w+")


def parse_words(text: str) -> list[str]:
    """Lower-case words of ``text`` (letters, digits, underscore)."""
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class Candidates:
    """The papers of a period, best first, with lookup indexes."""

    papers: tuple[Paper, ...]
    rank: dict[str, int] = field(default_factory=dict)
    words: dict[str, frozenset[str]] = field(default_factory=dict)
    categories: dict[str, frozenset[str]] = field(default_factory=dict)
    follows: dict[str, frozenset[str]] = field(default_factory=dict)

    def ranked(self, ids: Iterable[str]) -> list[Paper]:
        """The papers with these ids, best first."""
        order = sorted({i for i in ids if i in self.rank}, key=self.rank.__getitem__)
        return [self.papers[self.rank[i]] for i in order]

    def matching(self, query: str) -> set[str]:
        """Ids of papers whose title, abstract or keywords contain every word of ``query``."""
        terms = parse_words(query)
        if not terms:
            return set()
        found = set(self.words.get(terms[0], frozenset()))
        for term in terms[1:]:
            found &= self.words.get(term, frozenset())
        return found


def _paper_text(paper: Paper) -> str:
    return " ".join((paper.title, paper.summary, *paper.ai_keywords))


def _follow_keys(paper: Paper) -> Iterable[str]:
    for author in paper.authors:
        yield "author:" + author.name.casefold()
    if paper.organization is not None:
        yield "org:" + paper.organization.name.casefold()
        yield "org:" + paper.organization.fullname.casefold()


def build_candidates(papers: Sequence[Paper]) -> Candidates:
    """Index ``papers`` (given best first); withdrawn papers and repeats are dropped."""
    kept: list[Paper] = []
    words: dict[str, set[str]] = defaultdict(set)
    cats: dict[str, set[str]] = defaultdict(set)
    follows: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for paper in papers:
        if paper.withdrawn or paper.id in seen:
            continue
        seen.add(paper.id)
        kept.append(paper)
        for word in parse_words(_paper_text(paper)):
            words[word].add(paper.id)
        for cat in paper.categories:
            cats[cat.casefold()].add(paper.id)
            cats[cat.split(".", 1)[0].casefold()].add(paper.id)
        for key in _follow_keys(paper):
            follows[key].add(paper.id)
    rank = {paper.id: index for index, paper in enumerate(kept)}
    return Candidates(tuple(kept), rank, _freeze(words), _freeze(cats), _freeze(follows))


def _freeze(index: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(ids) for key, ids in index.items()}


def _section_ids(cands: Candidates, prefs: Preferences, key: str,
                 interests: Sequence[str], for_you: Sequence[str]) -> list[Paper]:
    if key == "trending":
        return list(cands.papers)
    if key == "keywords":
        return cands.ranked(i for q in prefs.keywords for i in cands.matching(q))
    if key == "categories":
        return cands.ranked(i for c in prefs.categories
                            for i in cands.categories.get(c.casefold(), ()))
    if key == "follows":
        keys = [*("org:" + o.casefold() for o in prefs.organizations),
                *("author:" + a.casefold() for a in prefs.authors)]
        return cands.ranked(i for k in keys for i in cands.follows.get(k, ()))
    if key == "interests":
        return [cands.papers[cands.rank[i]] for i in interests if i in cands.rank]
    if key == "for_you":
        return [cands.papers[cands.rank[i]] for i in for_you if i in cands.rank]
    return []


def build_digest(cands: Candidates, prefs: Preferences, period: Period,
                 already_sent: frozenset[str] | set[str] = frozenset(),
                 interests: Sequence[str] = (), for_you: Sequence[str] = ()) -> Digest:
    """The subscriber's digest for ``period``; sections with no paper are left out.
    ``already_sent`` holds every id that must not appear (sent before, upvoted, saved,
    muted); ``for_you`` is the "For you" section's order."""
    size = max(1, min(prefs.size, MAX_SIZE))
    muted: set[str] = set()
    for term in prefs.mute_terms:
        muted |= cands.matching(term)
    used = set(already_sent) | muted
    sections = []
    for key in prefs.sections:
        chosen: list[Paper] = []
        for paper in _section_ids(cands, prefs, key, interests, for_you):
            if len(chosen) >= size:
                break
            if paper.id not in used:
                used.add(paper.id)
                chosen.append(paper)
        if chosen:
            sections.append(DigestSection(key, tuple(chosen)))
    return Digest(period, tuple(sections))


def rank_similar(cands: Candidates, liked: Sequence[Paper], limit: int) -> list[str]:
    """Ids of the period's papers sharing the most (rare) words with ``liked``, best first.

    Each word shared with a liked paper adds 1/(number of period papers containing it), so
    common words count for little. Liked papers themselves are left out.
    """
    liked_ids = {p.id for p in liked}
    words = {w for p in liked for w in parse_words(_paper_text(p))}
    scores: dict[str, float] = defaultdict(float)
    for word in words:
        holders = cands.words.get(word, frozenset())
        for paper_id in holders:
            scores[paper_id] += 1.0 / len(holders)
    ranked = sorted((pid for pid in scores if pid not in liked_ids),
                    key=lambda pid: (-scores[pid], cands.rank[pid]))
    return ranked[:limit]
