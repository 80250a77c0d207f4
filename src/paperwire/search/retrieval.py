"""Ranking one ``SearchQuery`` in a mode over a keyword index and a vector index.

Constraints are applied inside both indexes: tantivy gets them as required clauses, and the
vector search is restricted to the papers that satisfy them (``Candidates``: their keys when
few, else a test the keyword index answers for each batch of candidates). The fused ranking
therefore only ever holds papers that satisfy every constraint, whatever the depth.

Relevance floor: semantic hits scoring below ``SEMANTIC_FLOOR`` (cosine similarity of
MiniLM embeddings, calibrated on the demo corpus with ``bench/search_quality.py``: the
papers sought by the quality set score 0.25 and up, the best paper for an off-topic query at
most 0.20) are dropped before fusion. In hybrid mode a keyword hit that contains at most half
of the query's words (say only "results" of "football world cup results") is kept only when
it is also a semantic hit above the floor, so a result made only of weak matches never
appears. Keyword mode keeps plain BM25 matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paperwire.search.fusion import FusionWeights, fuse_rankings
from paperwire.search.keyword import KeywordIndex
from paperwire.search.query import SearchQuery
from paperwire.search.query_terms import WORD, analyze
from paperwire.search.vectors import EXACT_SCAN, Candidates, VectorIndex

SEMANTIC_FLOOR = 0.22
Ranking = list[tuple[str, float]]
Embed = Callable[[str], npt.NDArray[np.float32]]
Submit = Callable[[Callable[[], Ranking]], "Future[Ranking]"]


@dataclass(frozen=True)
class Retrieved:
    """Paper ids best first (as deep as asked) and about how many papers match."""

    ranked: Ranking
    total: int


@dataclass(frozen=True)
class Indexes:
    """What a query runs against (either may be missing before the first indexing)."""

    keyword: KeywordIndex | None
    vectors: VectorIndex | None
    embed: Embed
    weights: FusionWeights
    floor: float = SEMANTIC_FLOOR


def retrieve(query: SearchQuery, mode: str, depth: int, indexes: Indexes,
             submit: Submit | None = None) -> Retrieved:
    """The ranking of ``query`` in ``mode``; a query of constraints only lists the matching
    papers newest first. ``submit`` runs the semantic side on another thread (hybrid)."""
    keyword = indexes.keyword
    if not query.ranked or (mode == "semantic" and not query.semantic_text):
        if keyword is None or not query.constrained:
            return Retrieved([], 0)
        return Retrieved(keyword.browse(query, depth), keyword.count(query))
    if mode == "keyword":
        return _keyword(query, depth, keyword)
    if mode == "semantic":
        found = semantic_ranking(query, depth, indexes)
        return Retrieved(found, len(found))
    if submit is None:
        semantic = semantic_ranking(query, depth, indexes)
        lexical = _keyword(query, depth, keyword)
    else:  # the embedding and vector search release the GIL: both sides run at once
        future = submit(lambda: semantic_ranking(query, depth, indexes))
        lexical = _keyword(query, depth, keyword)
        semantic = future.result()
    lexical = _supported(query, lexical, semantic, keyword)
    fused = fuse_rankings(lexical.ranked, semantic, indexes.weights)
    matched = {pid for pid, _ in lexical.ranked}
    return Retrieved(fused, lexical.total + sum(pid not in matched for pid, _ in semantic))


def _supported(query: SearchQuery, lexical: Retrieved, semantic: Ranking,
               keyword: KeywordIndex | None) -> Retrieved:
    """The keyword hits that match most query words or are semantic hits too."""
    if keyword is None or not lexical.ranked:
        return lexical
    close = {pid for pid, _ in semantic}
    loose = [pid for pid, _ in lexical.ranked if pid not in close]
    keep = close | keyword.well_matched(query, loose)
    ranked = [(pid, score) for pid, score in lexical.ranked if pid in keep]
    dropped = len(lexical.ranked) - len(ranked)
    total = len(ranked) if len(lexical.ranked) < lexical.total and not ranked \
        else lexical.total - dropped
    return Retrieved(ranked, max(total, len(ranked)))


def _keyword(query: SearchQuery, depth: int, keyword: KeywordIndex | None) -> Retrieved:
    if keyword is None:
        return Retrieved([], 0)
    return Retrieved(keyword.search(query, depth), keyword.count(query))


def semantic_ranking(query: SearchQuery, depth: int, indexes: Indexes) -> Ranking:
    """Nearest papers to the query text among those satisfying the constraints, above
    the floor."""
    vectors = indexes.vectors
    if vectors is None or not query.semantic_text or not len(vectors):
        return []
    candidates = build_candidates(query, indexes.keyword, len(vectors))
    if candidates is not None and candidates.keys is not None and not len(candidates.keys):
        return []
    vector = indexes.embed(query.semantic_text)
    found = vectors.search(vector, depth, candidates=candidates)
    return [(pid, score) for pid, score in found if score >= indexes.floor]


def build_candidates(query: SearchQuery, keyword: KeywordIndex | None,
                     papers: int) -> Candidates | None:
    """The vector search's restriction for ``query`` (None: every paper may be returned)."""
    if not query.constrained or keyword is None:
        return None
    total, keys = keyword.matching_keys(query, EXACT_SCAN)
    if keys is not None:
        return Candidates(keys=keys)
    return Candidates(accept=lambda batch: keyword.accepted_keys(query, batch),
                      share=min(1.0, total / max(papers, 1)))


def build_suggestions(query: SearchQuery, keyword: KeywordIndex | None) -> tuple[str, ...]:
    """A did-you-mean query: each word the index does not know replaced by the closest
    frequent word it does know (nothing when no word could be replaced)."""
    if keyword is None or not query.parsed.terms:
        return ()
    fixes = dict(keyword.suggestions(query.parsed.terms))
    if not fixes:
        return ()

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        stems = analyze(word)
        if not stems or stems[0] not in fixes:
            return word
        return build_surface(word.lower(), fixes[stems[0]])
    return (WORD.sub(swap, query.raw),)


def build_surface(word: str, stem: str) -> str:
    """A word one edit away from ``word`` whose stem is ``stem`` (``stem`` itself when
    there is none): "retreival" gives "retrieval", not the stem "retriev"."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    edits += [a + b[1:] for a, b in splits if b]
    edits += [a + c + b[1:] for a, b in splits if b for c in letters]
    edits += [a + c + b for a, b in splits for c in letters]
    return next((e for e in edits if analyze(e) == [stem]), stem)
