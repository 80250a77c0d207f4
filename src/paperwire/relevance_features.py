"""Keyword features of papers and the per-user model over them and the paper embeddings
(numpy).

A paper's keyword features are the hashed words of its title and abstract plus its arXiv
categories (``cat:cs.cl``) and authors (``au:ada lovelace``), each weighted by its inverse
document frequency in a reference sample of papers, the row scaled to unit length: tf-idf as
arxiv-sanity-lite uses it, held sparse (``SparseRows``). The model is a logistic regression
over ``[embedding | keyword features]``: the embedding half generalizes to papers with other
words, the keyword half catches the categories, authors and rare terms a user keeps coming back
to. Full-batch gradient descent on both halves, run on the rows' Gram matrix (the dual).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from paperwire.models import Paper
from paperwire.relevance import Matrix, Vector

KEYWORD_DIM = 1 << 18
KEYWORD_WEIGHT = 1.0
_WORD = re.compile(r"[a-z][a-z0-9\-]{2,}")
_STOP_TEXT = (
    "the and for with from that this are our we on in of to a an is be by as at or it its can "
    "which these their using use used based show shows new also than into via over such both "
    "while has have not but more most when where how what between each other two one")
STOPWORDS = frozenset(_STOP_TEXT.split())
IntArray = np.ndarray[Any, np.dtype[np.int64]]
_BLAS: list[Any] = []


def one_blas_thread() -> AbstractContextManager[Any]:
    """One BLAS thread while training: its products are small, and a BLAS thread pool woken
    for each of them spins (on 2 busy cores, 3x the CPU time of the whole training)."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    limit: AbstractContextManager[Any] = _BLAS[0].limit(limits=1, user_api="blas")
    return limit


def paper_tokens(paper: Paper) -> list[str]:
    """The distinct keyword tokens of a paper: words, ``cat:…`` and ``au:…``."""
    words = _WORD.findall(f"{paper.title} {paper.summary}".casefold())
    tokens = [w for w in words if w not in STOPWORDS]
    tokens += [f"cat:{c.casefold()}" for c in paper.categories]
    tokens += [f"au:{a.name.casefold()}" for a in paper.authors[:20]]
    return list(dict.fromkeys(tokens))


def hash_token(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % KEYWORD_DIM


@dataclass(frozen=True)
class SparseRows:
    """Rows of hashed features: row ``r`` holds ``indices[offsets[r]:offsets[r+1]]``."""

    indices: IntArray
    values: Matrix
    offsets: IntArray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def rows_of_entries(self) -> IntArray:
        return np.repeat(np.arange(len(self)), np.diff(self.offsets))

    def dot(self, weights: Vector) -> Vector:
        """Each row's dot product with ``weights``."""
        sums = np.bincount(self.rows_of_entries(), self.values * weights[self.indices],
                           minlength=len(self))
        return np.asarray(sums, dtype=np.float64)

    def transpose_dot(self, per_row: Vector) -> Vector:
        """``Xᵀ per_row``: the gradient of the sparse weights."""
        weights = self.values * per_row[self.rows_of_entries()]
        return np.asarray(np.bincount(self.indices, weights, minlength=KEYWORD_DIM),
                          dtype=np.float64)

    def take(self, rows: Sequence[int]) -> SparseRows:
        parts = [self.indices[self.offsets[r]:self.offsets[r + 1]] for r in rows]
        vals = [self.values[self.offsets[r]:self.offsets[r + 1]] for r in rows]
        offsets = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
        return SparseRows(np.concatenate(parts or [np.zeros(0, np.int64)]).astype(np.int64),
                          np.concatenate(vals or [np.zeros(0, np.float32)]).astype(np.float32),
                          offsets)


@dataclass(frozen=True)
class IdfTable:
    """Document frequencies of hashed tokens over a reference set of ``count`` papers."""

    df: IntArray
    count: int

    def idf(self, indices: IntArray) -> Vector:
        return np.asarray(np.log((self.count + 1) / (self.df[indices] + 1)) + 1.0,
                          dtype=np.float64)


def hash_tokens(tokens: Iterable[str]) -> IntArray:
    """The sorted distinct feature ids of a paper's tokens (worth caching per paper)."""
    return np.unique(np.fromiter((hash_token(t) for t in tokens), np.int64))


def _hashed(token_lists: Sequence[Iterable[str] | IntArray]) -> list[IntArray]:
    return [t if isinstance(t, np.ndarray) else hash_tokens(t) for t in token_lists]


def build_idf(token_lists: Sequence[Iterable[str] | IntArray]) -> IdfTable:
    """Document frequencies over papers given as tokens or as ``hash_tokens`` arrays."""
    hashed = _hashed(token_lists)
    flat = np.concatenate(hashed or [np.zeros(0, np.int64)]).astype(np.int64)
    return IdfTable(np.bincount(flat, minlength=KEYWORD_DIM).astype(np.int64), len(hashed))


def build_sparse(token_lists: Sequence[Iterable[str] | IntArray], idf: IdfTable) -> SparseRows:
    """tf-idf rows (binary tf, unit length) of papers given as tokens or hashed arrays."""
    hashed = _hashed(token_lists)
    offsets = np.concatenate([[0], np.cumsum([len(h) for h in hashed])]).astype(np.int64)
    indices = np.concatenate(hashed or [np.zeros(0, np.int64)]).astype(np.int64)
    weights = idf.idf(indices)
    rows = np.repeat(np.arange(len(hashed)), np.diff(offsets))
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=len(hashed)))
    values = weights / np.maximum(norms[rows], 1e-12) if len(rows) else weights
    return SparseRows(indices, values.astype(np.float32), offsets)


@dataclass(frozen=True)
class Features:
    """Papers as the model reads them: unit embeddings and tf-idf keyword rows."""

    dense: Matrix
    sparse: SparseRows

    def take(self, rows: Sequence[int]) -> Features:
        return Features(self.dense[list(rows)], self.sparse.take(rows))


@dataclass(frozen=True)
class HybridModel:
    dense_weights: Vector
    sparse_weights: Vector
    bias: float

    def logits(self, features: Features) -> Vector:
        dense = features.dense.astype(np.float64) @ self.dense_weights
        return np.asarray(dense + KEYWORD_WEIGHT * features.sparse.dot(self.sparse_weights)
                          + self.bias, dtype=np.float64)

    def score(self, features: Features) -> Vector:
        """The probability of interest of each paper."""
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(self.logits(features), -30, 30))),
                          dtype=np.float64)

    def top_terms(self, tokens: Iterable[str], count: int = 2) -> list[str]:
        """The words of a paper that raise its score most (its categories and authors
        have reasons of their own)."""
        words = [t for t in tokens if ":" not in t]
        if not words:
            return []
        weights = self.sparse_weights[np.fromiter((hash_token(t) for t in words), np.int64)]
        best = np.argsort(-weights, kind="stable")[:count]
        return [words[i] for i in best if weights[i] > 0]


def shortlist(model: HybridModel, dense: Matrix, size: int) -> IntArray:
    """Rows of the ``size`` best candidates by the model's embedding half alone (the first
    stage: one matrix-vector product over every candidate)."""
    coarse = dense @ model.dense_weights.astype(np.float32)
    if len(coarse) > size:
        top = np.argpartition(-coarse, size - 1)[:size]
        return np.asarray(top[np.argsort(-coarse[top], kind="stable")], dtype=np.int64)
    return np.asarray(np.argsort(-coarse, kind="stable"), dtype=np.int64)


def train_hybrid(positives: Features, negatives: Features, *, l2: float = 1e-3,
                 steps: int = 100, rate: float = 1.0, momentum: float = 0.9) -> HybridModel:
    """Logistic regression, both classes weighted equally, L2 on all weights but the bias;
    full-batch gradient descent with Nesterov momentum, run in the dual (``dual_descent``)."""
    if len(positives.dense) == 0 or len(negatives.dense) == 0:
        raise ValueError("training needs at least one positive and one negative example")
    dense = np.vstack([positives.dense, negatives.dense]).astype(np.float32)
    sparse = _stack(positives.sparse, negatives.sparse)
    with one_blas_thread():
        gram = gram_of(dense, sparse, dense, sparse)
        coef, bias = dual_descent(gram, len(positives.dense), len(negatives.dense), l2=l2,
                                  steps=steps, rate=rate, momentum=momentum)
        return model_of(coef, bias, [(dense, sparse)])


def gram_of(dense_a: Matrix, sparse_a: SparseRows, dense_b: Matrix,
            sparse_b: SparseRows) -> Matrix:
    """Inner products of the rows of A with the rows of B as the model reads them:
    ``[dense | KEYWORD_WEIGHT * sparse]``, float64."""
    dense = (dense_a.astype(np.float32) @ dense_b.astype(np.float32).T).astype(np.float64)
    return np.asarray(dense + KEYWORD_WEIGHT ** 2 * sparse_cross(sparse_a, sparse_b),
                      dtype=np.float64)


def sparse_cross(a: SparseRows, b: SparseRows) -> Matrix:
    """``A Bᵀ`` of two sets of sparse rows, by joining their entries on the feature id."""
    order = np.argsort(b.indices, kind="stable")
    b_cols, b_rows = b.indices[order], b.rows_of_entries()[order]
    b_vals = b.values[order].astype(np.float64)
    first = np.searchsorted(b_cols, a.indices, "left")
    count = np.searchsorted(b_cols, a.indices, "right") - first
    left = np.repeat(np.arange(len(a.indices)), count)
    starts = np.cumsum(count) - count
    right = np.repeat(first, count) + np.arange(len(left)) - np.repeat(starts, count)
    cells = a.rows_of_entries()[left] * len(b) + b_rows[right]
    sums = np.bincount(cells, a.values[left].astype(np.float64) * b_vals[right],
                       minlength=len(a) * len(b))
    return np.asarray(sums.reshape(len(a), len(b)), dtype=np.float64)


def dual_descent(gram: Matrix, n_pos: int, n_neg: int, *, l2: float = 1e-3, steps: int = 100,
                 rate: float = 1.0, momentum: float = 0.9) -> tuple[Vector, float]:
    """The Nesterov iterations of ``train_hybrid`` on the row coefficients ``a`` (weights
    ``Xᵀa``): from zero, every gradient ``Xᵀ(error) + l2·w`` stays in the span of the rows, so
    the same iterates cost one product with the n×n Gram matrix per step instead of passes
    over the features. Rows: the ``n_pos`` positives first, then the negatives."""
    y = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    weight = np.where(y == 1, 0.5 / n_pos, 0.5 / n_neg)
    coef, velocity = np.zeros(len(y)), np.zeros(len(y))
    bias = bias_velocity = 0.0
    for _ in range(steps):
        ahead, ahead_bias = coef + momentum * velocity, bias + momentum * bias_velocity
        logits = np.clip(gram @ ahead + ahead_bias, -30, 30)
        error = (1.0 / (1.0 + np.exp(-logits)) - y) * weight
        velocity = momentum * velocity - rate * (error + l2 * ahead)
        bias_velocity = momentum * bias_velocity - rate * float(error.sum())
        coef += velocity
        bias += bias_velocity
    return coef, bias


def model_of(coef: Vector, bias: float, blocks: Sequence[tuple[Matrix, SparseRows]]) -> HybridModel:
    """The primal weights ``Xᵀa`` of row coefficients over blocks of rows (in order)."""
    dense_w = np.zeros(blocks[0][0].shape[1])
    sparse_w = np.zeros(KEYWORD_DIM)
    start = 0
    for dense, sparse in blocks:
        part = coef[start:start + len(dense)]
        dense_w += dense.astype(np.float64).T @ part
        sparse_w += np.bincount(sparse.indices, KEYWORD_WEIGHT * sparse.values
                                * part[sparse.rows_of_entries()], minlength=KEYWORD_DIM)
        start += len(dense)
    return HybridModel(dense_w, sparse_w, float(bias))


def _stack(first: SparseRows, second: SparseRows) -> SparseRows:
    offsets = np.concatenate([first.offsets, second.offsets[1:] + first.offsets[-1]])
    return SparseRows(np.concatenate([first.indices, second.indices]),
                      np.concatenate([first.values, second.values]), offsets.astype(np.int64))
