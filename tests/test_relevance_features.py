"""Keyword features and the hybrid logistic regression (embeddings + tf-idf)."""

from __future__ import annotations

import numpy as np
import pytest

from paperwire.models import Author, Paper
from paperwire.relevance_features import (
    Features,
    build_idf,
    build_sparse,
    paper_tokens,
    train_hybrid,
)


def _paper(title: str, cat: str, author: str) -> Paper:
    return Paper(id=title, title=title, summary="We study it.", authors=(Author(author),),
                 categories=(cat,))


def test_tokens_carry_words_categories_and_authors() -> None:
    tokens = paper_tokens(_paper("Speech recognition for the deaf", "eess.AS", "Ada Lovelace"))
    assert {"speech", "recognition", "deaf", "cat:eess.as", "au:ada lovelace"} <= set(tokens)
    assert "the" not in tokens and "for" not in tokens
    rows = build_sparse([tokens, ["x"]], build_idf([tokens, ["x"]]))
    first = rows.values[rows.offsets[0]:rows.offsets[1]]
    assert np.isclose(float(np.sum(first.astype(np.float64) ** 2)), 1.0, atol=1e-5)


def test_keyword_half_learns_an_author_the_embeddings_do_not_show() -> None:
    rng = np.random.default_rng(3)
    papers = [_paper(f"Paper {i}", "cs.LG", "Grace Hopper" if i < 30 else f"Other {i}")
              for i in range(300)]
    tokens = [paper_tokens(p) for p in papers]
    idf = build_idf(tokens)
    dense = rng.normal(size=(300, 16)).astype(np.float32)  # no signal at all
    features = Features(dense, build_sparse(tokens, idf))
    model = train_hybrid(features.take(range(10)), features.take(range(40, 300)))
    scores = model.score(features)
    assert scores[10:30].min() > np.percentile(scores[40:], 95)
    with pytest.raises(ValueError, match="at least one positive"):
        train_hybrid(features.take([]), features.take([1]))
