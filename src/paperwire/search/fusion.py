"""Hybrid ranking: weighted reciprocal rank fusion of the keyword and dense rankings.

score(paper) = sum over rankings r of  weight_r / (k + rank_r(paper)),  rank from 1.
The constants the service uses (k = 40, semantic weight 0.5) were tuned on the evaluation
set of ``bench/search_quality.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Ranking = Sequence[tuple[str, float]]


@dataclass(frozen=True)
class FusionWeights:
    k: float = 60.0
    keyword: float = 1.0
    semantic: float = 1.0


DEFAULT_WEIGHTS = FusionWeights()


def fuse_rankings(keyword: Ranking, semantic: Ranking,
                  weights: FusionWeights = DEFAULT_WEIGHTS) -> list[tuple[str, float]]:
    """Both rankings fused, best first (ties keep keyword order first)."""
    scores: dict[str, float] = {}
    for ranking, weight in ((keyword, weights.keyword), (semantic, weights.semantic)):
        for rank, (paper_id, _score) in enumerate(ranking, start=1):
            scores[paper_id] = scores.get(paper_id, 0.0) + weight / (weights.k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
