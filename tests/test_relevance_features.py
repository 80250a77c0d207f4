"""Keyword features and the hybrid logistic regression (embeddings + tf-idf)."""

from __future__ import annotations

import numpy as np
import pytest

from paperwire.models import Author, Paper
from paperwire.relevance_features import (
    Features,
    build_idf,
    build_sparse,
    hash_tokens,
    paper_tokens,
    sparse_cross,
    train_hybrid,
)
from paperwire.relevance_training import build_pool, decode_model, encode_model, train_on_pool


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


def _primal_descent(dense: np.ndarray, sparse_dense: np.ndarray, n_pos: int,
                    steps: int = 100) -> tuple[np.ndarray, float]:
    """The textbook primal loop: Nesterov gradient descent on [dense | sparse] weights."""
    x = np.hstack([dense, sparse_dense]).astype(np.float64)
    y = np.r_[np.ones(n_pos), np.zeros(len(x) - n_pos)]
    weight = np.where(y == 1, 0.5 / n_pos, 0.5 / (len(x) - n_pos))
    theta, velocity, bias, bias_v = np.zeros(x.shape[1]), np.zeros(x.shape[1]), 0.0, 0.0
    for _ in range(steps):
        ahead, ahead_b = theta + 0.9 * velocity, bias + 0.9 * bias_v
        error = (1 / (1 + np.exp(-np.clip(x @ ahead + ahead_b, -30, 30))) - y) * weight
        velocity = 0.9 * velocity - (x.T @ error + 1e-3 * ahead)
        bias_v = 0.9 * bias_v - float(error.sum())
        theta, bias = theta + velocity, bias + bias_v
    return theta, bias


def test_the_dual_iterations_are_the_primal_ones() -> None:
    rng = np.random.default_rng(7)
    tokens = [[f"w{rng.integers(40)}" for _ in range(6)] for _ in range(60)]
    hashed = [hash_tokens(t) for t in tokens]
    idf = build_idf(hashed)
    sparse = build_sparse(hashed, idf)
    columns = np.unique(sparse.indices)
    sparse_dense = np.zeros((60, len(columns)))
    sparse_dense[sparse.rows_of_entries(), np.searchsorted(columns, sparse.indices)] = sparse.values
    dense = rng.normal(size=(60, 8)).astype(np.float32)
    features = Features(dense, sparse)
    model = train_hybrid(features.take(range(10)), features.take(range(10, 60)))
    theta, bias = _primal_descent(dense, sparse_dense, 10)
    assert np.allclose(model.dense_weights, theta[:8], atol=1e-5)
    assert np.allclose(model.sparse_weights[columns], theta[8:], atol=1e-5)
    assert abs(model.bias - bias) < 1e-5
    assert np.allclose(sparse_cross(sparse, sparse), sparse_dense @ sparse_dense.T, atol=1e-6)


def _topic_papers(rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Papers on four topics: embeddings near a topic centre, words drawn from its vocabulary."""
    topic = rng.integers(4, size=n)
    centres = rng.normal(size=(4, 32))
    dense = centres[topic] + 1.5 * rng.normal(size=(n, 32))
    dense = (dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(np.float32)
    hashed = [hash_tokens([f"t{t}w{rng.integers(30)}" for _ in range(8)]
                          + [f"any{rng.integers(300)}" for _ in range(8)]) for t in topic]
    return dense, hashed, topic


def test_a_model_trained_on_a_shared_pool_separates_a_clear_interest() -> None:
    rng = np.random.default_rng(11)
    dense, hashed, topic = _topic_papers(rng, 1200)
    sample = list(rng.choice(np.arange(600, 1200), 300, replace=False))
    pool = build_pool(dense[sample], [hashed[i] for i in sample])
    history = [i for i in range(600) if topic[i] == 2][:15]
    model = train_on_pool(pool, dense[history], [hashed[i] for i in history])
    rest = np.arange(600, 1200)
    scores = model.score(Features(dense[rest], build_sparse([hashed[i] for i in rest],
                                                            pool.idf)))
    liked, other = scores[topic[rest] == 2], scores[topic[rest] != 2]
    assert np.median(liked) > np.percentile(other, 95)
    again, idf = decode_model(encode_model(model, pool.idf))
    assert np.array_equal(idf.df, pool.idf.df) and idf.count == pool.idf.count
    rows = Features(dense[rest], build_sparse([hashed[i] for i in rest], idf))
    assert np.allclose(again.score(rows), scores, atol=1e-5)
    other = train_on_pool(pool, dense[history[:8]], [hashed[i] for i in history[:8]])
    assert decode_model(encode_model(other, pool.idf))[1] is idf  # one table a day's pool
    elsewhere = build_pool(dense[sample[:200]], [hashed[i] for i in sample[:200]])
    assert decode_model(encode_model(other, elsewhere.idf))[1].count == 200
    with pytest.raises(ValueError, match="not an encoded"):
        decode_model(b"XXXX" + encode_model(model, pool.idf)[4:])
    with pytest.raises(ValueError):
        decode_model(encode_model(model, pool.idf)[:-5])
