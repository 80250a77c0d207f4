"""How vectors become what the vector index stores: a ``Codebook`` (corpus mean, a fixed
random rotation, 2-bit thresholds, int8 scales and the k-means centres of the inverted lists)
and the sizing rules of the lists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
FIT_SAMPLE = 50_000
MIN_LISTS_PAPERS = 50_000  # below this, one list: every code is scanned
KMEANS_ITER = 12
BUILD_CHUNK = 65_536  # rows coded at a time: a 2.7M build holds no full-size float copies


@dataclass(frozen=True)
class Codebook:
    """How vectors become codes and int8 rows: corpus mean, a random rotation, per-dimension
    thresholds (2 bits a dimension) and per-dimension int8 scales."""

    centre: F32
    rotation: F32
    thresholds: F32
    scale: F32
    centroids: F32  # (lists, dim): the k-means centres of the inverted lists

    @classmethod
    def fit(cls, vectors: F32, seed: int = 0, lists: int | None = None) -> Codebook:
        """Fit to ``vectors``; ``lists`` inverted lists (default: ``list_count``)."""
        dim = vectors.shape[1]
        rng = np.random.default_rng(seed)
        rotation = np.linalg.qr(rng.normal(size=(dim, dim)))[0].astype(np.float32)
        lists = list_count(len(vectors)) if lists is None else lists
        sample = vectors[rng.permutation(len(vectors))[:max(FIT_SAMPLE, 40 * lists)]]
        centre = sample.mean(axis=0) if len(sample) else np.zeros(dim, np.float32)
        turned = (sample - centre) @ rotation
        thresholds = (np.median(np.abs(turned), axis=0) if len(sample)
                      else np.zeros(dim, np.float32))
        return cls(np.asarray(centre, np.float32), rotation,
                   np.asarray(thresholds, np.float32), build_scale(vectors),
                   fit_centroids(sample, lists, seed))

    def assign(self, vectors: F32) -> npt.NDArray[np.int64]:
        """The list of each vector: its nearest centroid by dot product."""
        if len(self.centroids) == 1:
            return np.zeros(len(vectors), dtype=np.int64)
        index = faiss.IndexFlatIP(self.centroids.shape[1])
        index.add(self.centroids)
        out = np.empty(len(vectors), dtype=np.int64)
        for start in range(0, len(vectors), 65_536):
            part = np.ascontiguousarray(vectors[start:start + 65_536], dtype=np.float32)
            out[start:start + len(part)] = index.search(part, 1)[1][:, 0]
        return out

    @property
    def code_bytes(self) -> int:
        """Bytes of one code: 2 bits a dimension."""
        return (2 * int(self.rotation.shape[0]) + 7) // 8

    def codes(self, vectors: F32) -> npt.NDArray[np.uint8]:
        """Two bits a dimension after centring and rotating: the value is above ``t`` /
        above ``-t``. Hamming distance between codes is then the L1 distance of 3-level
        quantized coordinates, much closer to the true ranking than sign bits alone."""
        turned = (vectors - self.centre) @ self.rotation
        return np.packbits(np.concatenate([turned > self.thresholds,
                                           turned > -self.thresholds], axis=1), axis=1)

    def int8(self, vectors: F32) -> npt.NDArray[np.int8]:
        scaled = np.clip(np.rint(vectors / self.scale * 127.0), -127, 127)
        quantized: npt.NDArray[np.int8] = scaled.astype(np.int8)
        return quantized

    def save(self, folder: Path) -> None:
        for name in ("centre", "rotation", "thresholds", "scale", "centroids"):
            np.save(folder / f"{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> Codebook:
        parts = [np.load(folder / f"{name}.npy")
                 for name in ("centre", "rotation", "thresholds", "scale")]
        lists = folder / "centroids.npy"  # absent in segments saved before inverted lists
        centroids = np.load(lists) if lists.is_file() else np.zeros((1, len(parts[0])),
                                                                      np.float32)
        return cls(parts[0], parts[1], parts[2], parts[3], centroids)


def list_count(papers: int) -> int:
    """How many inverted lists a segment of ``papers`` gets: about sqrt(N), one when small."""
    return 1 if papers < MIN_LISTS_PAPERS else min(4096, round(papers ** 0.5))


def outgrown(book: Codebook, papers: int) -> bool:
    """Whether a segment of ``papers`` should get a newly fitted codebook: it has grown to
    want more than twice the lists the old one has (one list, for a small start)."""
    return list_count(papers) > 2 * len(book.centroids)


def fit_centroids(sample: F32, lists: int, seed: int) -> F32:
    if lists <= 1:
        return np.zeros((1, sample.shape[1]), np.float32)
    kmeans = faiss.Kmeans(sample.shape[1], lists, niter=KMEANS_ITER, spherical=True,
                          seed=seed + 1)
    kmeans.train(np.ascontiguousarray(sample, dtype=np.float32))
    return np.asarray(kmeans.centroids, dtype=np.float32)


def build_scale(vectors: F32) -> F32:
    """Per-dimension scale for int8: the largest magnitude seen in each dimension."""
    if len(vectors) == 0:
        return np.ones(vectors.shape[1], dtype=np.float32)
    peak = np.max([np.abs(vectors[start:start + BUILD_CHUNK]).max(axis=0)
                   for start in range(0, len(vectors), BUILD_CHUNK)], axis=0)
    return np.asarray(np.maximum(peak, 1e-6), dtype=np.float32)
