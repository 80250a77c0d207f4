"""Training many per-user models against one shared sample of negatives, and a trained model
as compact bytes (numpy).

Each user's model (``relevance_features.HybridModel``) learns their positives against a
random sample of the recent papers. A ``NegativePool`` is that sample drawn once (per day, per
catalog) and prepared once: its keyword rows under its own idf table (the reference of every
model trained on it) and the Gram matrix of its rows. A user's training then only adds the
products of their own rows (positives, papers they dismissed) with the pool and runs
``dual_descent`` on the whole matrix; pool rows that are among the user's positives are left
out.

``encode_model`` keeps what scoring needs: the dense weights (float32), the bias, and for
every keyword feature the model knows (a nonzero weight or document frequency) its id, weight
(float32) and document frequency in the idf reference, compressed.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paperwire.relevance import Matrix
from paperwire.relevance_features import (
    KEYWORD_DIM,
    HybridModel,
    IdfTable,
    IntArray,
    SparseRows,
    build_idf,
    build_sparse,
    dual_descent,
    gram_of,
    model_of,
    one_blas_thread,
)

MAGIC = b"PWM1"
IDF_TABLES = 8  # decoded idf references kept (one a day's pool)
_IDF_CACHE: dict[bytes, IdfTable] = {}
_IDF_LOCK = threading.Lock()
_HEADER = struct.Struct("<4sHIIf")


@dataclass(frozen=True)
class NegativePool:
    """Negatives shared by the models trained from them: embeddings, keyword rows (under
    the pool's idf table) and the Gram matrix of the rows."""

    dense: Matrix
    sparse: SparseRows
    idf: IdfTable
    gram: Matrix

    def __len__(self) -> int:
        return len(self.dense)


def build_pool(dense: Matrix, hashed: Sequence[IntArray]) -> NegativePool:
    """The pool of these papers (embeddings and ``hash_tokens`` arrays, same order)."""
    idf = build_idf(hashed)
    sparse = build_sparse(hashed, idf)
    dense = np.ascontiguousarray(dense, dtype=np.float32)
    with one_blas_thread():
        return NegativePool(dense, sparse, idf, gram_of(dense, sparse, dense, sparse))


def train_on_pool(pool: NegativePool, positives: Matrix, positive_hashed: Sequence[IntArray],
                  keep: Sequence[int] | None = None, negatives: Matrix | None = None,
                  negative_hashed: Sequence[IntArray] = (), *, l2: float = 1e-3,
                  steps: int = 100) -> HybridModel:
    """A user's model: their positives (embeddings and hashed tokens) against the pool rows
    ``keep`` (default all) plus their own ``negatives`` (papers they dismissed)."""
    if len(positives) == 0:
        raise ValueError("training needs at least one positive example")
    rows = np.arange(len(pool)) if keep is None else np.asarray(keep, np.int64)
    own_dense = positives if negatives is None or not len(negatives) else np.vstack(
        [positives, negatives])
    own_dense = np.ascontiguousarray(own_dense, dtype=np.float32)
    own_sparse = build_sparse([*positive_hashed, *negative_hashed], pool.idf)
    if len(own_dense) == len(positives) and not len(rows):
        raise ValueError("training needs at least one negative example")
    with one_blas_thread():
        own_own = gram_of(own_dense, own_sparse, own_dense, own_sparse)
        own_pool = gram_of(own_dense, own_sparse, pool.dense, pool.sparse)[:, rows]
        gram = np.block([[own_own, own_pool], [own_pool.T, pool.gram[np.ix_(rows, rows)]]])
        coef, bias = dual_descent(gram, len(positives),
                                  len(own_dense) - len(positives) + len(rows), l2=l2, steps=steps)
        pool_coef = np.zeros(len(pool))
        pool_coef[rows] = coef[len(own_dense):]
        return model_of(np.concatenate([coef[:len(own_dense)], pool_coef]), bias,
                        [(own_dense, own_sparse), (pool.dense, pool.sparse)])


def encode_model(model: HybridModel, idf: IdfTable) -> bytes:
    """The model and its idf reference as compressed bytes (``decode_model`` reads them)."""
    ids = np.flatnonzero((model.sparse_weights != 0) | (idf.df != 0)).astype(np.uint32)
    header = _HEADER.pack(MAGIC, len(model.dense_weights), len(ids), idf.count, model.bias)
    body = b"".join([
        model.dense_weights.astype("<f4").tobytes(),
        np.diff(ids, prepend=np.uint32(0)).astype("<u4").tobytes(),
        model.sparse_weights[ids].astype("<f4").tobytes(),
        np.minimum(idf.df[ids], 0xFFFF).astype("<u2").tobytes()])
    return header + zlib.compress(body, 1)  # level 1: 3.5x faster than 6, 5% larger


def decode_model(data: bytes) -> tuple[HybridModel, IdfTable]:
    """The model and idf reference of ``encode_model``; ValueError when not one."""
    if len(data) < _HEADER.size:
        raise ValueError("not an encoded relevance model")
    magic, dim, count, docs, bias = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError("not an encoded relevance model")
    try:
        body = zlib.decompress(data[_HEADER.size:])
    except zlib.error as exc:
        raise ValueError("damaged relevance model") from exc
    if len(body) != dim * 4 + count * 10:
        raise ValueError("truncated relevance model")
    dense = np.frombuffer(body, "<f4", dim).astype(np.float64)
    ids = np.cumsum(np.frombuffer(body, "<u4", count, dim * 4), dtype=np.int64)
    weights = np.frombuffer(body, "<f4", count, dim * 4 + count * 4)
    df_part = np.frombuffer(body, "<u2", count, dim * 4 + count * 8)
    sparse = np.zeros(KEYWORD_DIM)
    sparse[ids] = weights
    return HybridModel(dense, sparse, float(bias)), _idf_of(ids, df_part, int(docs))


def _idf_of(ids: np.ndarray, df_part: np.ndarray, docs: int) -> IdfTable:
    """The idf reference of a decoded model: the models trained against one day's pool share
    it, so one decoded table (2 MB) serves them all (``IDF_TABLES`` kept)."""
    used = df_part != 0
    key = hashlib.sha1(ids[used].tobytes() + df_part[used].tobytes()
                       + docs.to_bytes(8, "little")).digest()
    with _IDF_LOCK:
        found = _IDF_CACHE.get(key)
        if found is not None:
            return found
    df = np.zeros(KEYWORD_DIM, np.int64)
    df[ids] = df_part
    table = IdfTable(df, docs)
    with _IDF_LOCK:
        _IDF_CACHE[key] = table
        while len(_IDF_CACHE) > IDF_TABLES:
            _IDF_CACHE.pop(next(iter(_IDF_CACHE)))
    return table
