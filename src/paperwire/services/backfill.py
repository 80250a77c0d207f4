"""Embedding backfill: a vector of the current model for every paper, in-process or on Ray.

One scan of the catalog finds the papers whose stored vector is missing, of another model
or of older text, and cuts their ids into chunks. Each chunk is read from the store, embedded
and written back in one transaction (an upsert per paper: re-running is harmless). On Ray,
the chunks form a Ray Data dataset mapped by a pool of actors, each opening the store and
loading the model once; the driver writes each chunk's vectors as it arrives. A killed
driver loses only the chunks in flight (the next run finds those papers still missing); a
killed worker is restarted by Ray and its chunk retried. The keyword index and the vector
segment are brought up to date afterwards by the ordinary index pass, which finds these
vectors stored and embeds nothing again.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from paperwire.config import Settings
from paperwire.errors import ConfigError
from paperwire.models import Paper, StoredEmbedding
from paperwire.search.embedder import Embedder, load_embedder
from paperwire.services.search_indexing import build_embeddings, build_text_hash, model_key
from paperwire.storage import Store

CHUNK = 256
SCAN = 2000
StoreFactory = Callable[[Settings], Store]


@dataclass
class BackfillReport:
    missing: int = 0
    embedded: int = 0
    seconds: float = 0.0
    engine: str = "in-process"
    workers: int = 1
    warmup: float = 0.0  # seconds until the first chunk was written (scan, cluster, model)

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


def build_missing_chunks(store: Store, model: str, chunk: int = CHUNK) -> list[str]:
    """Comma-joined ids of the papers lacking a current vector, ``chunk`` ids each."""
    chunks: list[str] = []
    pending: list[str] = []
    scan: list[Paper] = []
    for _seq, paper in store.iter_papers_since(0, batch=SCAN):
        scan.append(paper)
        if len(scan) >= SCAN:
            pending.extend(_missing(store, model, scan))
            scan = []
    pending.extend(_missing(store, model, scan))
    for start in range(0, len(pending), chunk):
        chunks.append(",".join(pending[start : start + chunk]))
    return chunks


def _missing(store: Store, model: str, papers: list[Paper]) -> list[str]:
    known = store.embedding_hashes([p.id for p in papers])
    return [p.id for p in papers if known.get(p.id) != (model, build_text_hash(p))]


def embed_chunk(store: Store, embedder: Embedder, joined: str) -> list[StoredEmbedding]:
    """The vectors of one chunk's papers as they are in the store now."""
    return build_embeddings(embedder, store.get_papers(joined.split(",")))


def cache_dir(settings: Settings) -> Any:
    return settings.data_dir / "search" / "model-cache"


def backfill(settings: Settings, store: Store, embedder: Embedder, chunk: int = CHUNK,
             progress: bool = True) -> BackfillReport:
    """Embed every paper lacking a current vector, in this process."""
    started = time.perf_counter()
    chunks = build_missing_chunks(store, model_key(embedder), chunk)
    report = BackfillReport(missing=_count(chunks))
    bar = _progress(report.missing, progress)
    try:
        for joined in chunks:
            items = embed_chunk(store, embedder, joined)
            store.save_embeddings(items, None)
            report.warmup = report.warmup or time.perf_counter() - started
            report.embedded += len(items)
            bar.update(len(items))
    finally:
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _count(chunks: list[str]) -> int:
    return sum(joined.count(",") + 1 for joined in chunks)


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="paper", desc="embedding", disable=not enabled or total == 0,
                file=sys.stderr, smoothing=0.05)


def ray_available() -> bool:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


class EmbedWorker:
    """One Ray actor: opens the store and loads the model once, then embeds chunks."""

    def __init__(self, settings: Settings, store_factory: StoreFactory) -> None:
        self.store = store_factory(settings)
        self.embedder = load_embedder(settings.embedder, settings.model_dir,
                                      cache_dir(settings), threads=1,
                                      device=settings.embed_device)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
        items = [item for joined in batch["ids"]
                 for item in embed_chunk(self.store, self.embedder, str(joined))]
        return {"paper_id": np.array([i.paper_id for i in items], dtype=object),
                "model": np.array([i.model for i in items], dtype=object),
                "text_hash": np.array([i.text_hash for i in items], dtype=object),
                "dim": np.array([i.dim for i in items], dtype=np.int64),
                "vector": np.array([i.vector for i in items], dtype=object)}


def build_items(batch: dict[str, np.ndarray[Any, Any]]) -> list[StoredEmbedding]:
    return [StoredEmbedding(str(p), str(m), str(h), int(d), bytes(v))
            for p, m, h, d, v in zip(batch["paper_id"], batch["model"], batch["text_hash"],
                                     batch["dim"], batch["vector"], strict=True)]


def backfill_ray(settings: Settings, store: Store, store_factory: StoreFactory,
                 embedder: Embedder, address: str | None, workers: int, chunk: int = CHUNK,
                 progress: bool = True) -> BackfillReport:
    """Embed every paper lacking a current vector on a Ray cluster (a local one without
    ``address``), ``workers`` actors, each with one CPU."""
    import ray
    import ray.data

    started = time.perf_counter()
    chunks = build_missing_chunks(store, model_key(embedder), chunk)
    report = BackfillReport(missing=_count(chunks), engine="ray", workers=workers)
    if not chunks:
        report.seconds = time.perf_counter() - started
        return report
    _connect(ray, address, workers)
    try:
        report.embedded, first = _run(ray, settings, store, store_factory, chunks, workers,
                                      _progress(report.missing, progress))
        report.warmup = first - started
    finally:
        ray.shutdown()
    report.seconds = time.perf_counter() - started
    return report


def _connect(ray: Any, address: str | None, workers: int) -> None:
    try:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ConfigError(f"Ray cluster {address or '(local)'}: {exc}") from exc


def _run(ray: Any, settings: Settings, store: Store, store_factory: StoreFactory,
         chunks: list[str], workers: int, bar: Any) -> tuple[int, float]:
    """Vectors written, and when the first chunk was (``time.perf_counter``)."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    dataset = ray.data.from_items([{"ids": c} for c in chunks], override_num_blocks=len(chunks))
    vectors = dataset.map_batches(
        EmbedWorker, fn_constructor_args=(settings, store_factory), batch_size=1,
        batch_format="numpy", num_cpus=1,
        compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1))
    embedded, first = 0, 0.0
    try:
        for batch in vectors.iter_batches(batch_size=None, batch_format="numpy",
                                          prefetch_batches=0):
            items = build_items(batch)
            store.save_embeddings(items, None)
            first = first or time.perf_counter()
            embedded += len(items)
            bar.update(len(items))
    finally:
        bar.close()
    return embedded, first


def run_backfill(settings: Settings, store: Store, store_factory: StoreFactory,
                 embedder: Embedder, ray_address: str | None, workers: int = 2,
                 chunk: int = CHUNK, progress: bool = True) -> BackfillReport:
    """On Ray when an address is given ("" starts a local cluster) and Ray is installed,
    otherwise in this process (``report.engine`` says which ran)."""
    if ray_address is not None and ray_available():
        return backfill_ray(settings, store, store_factory, embedder, ray_address or None,
                            workers, chunk, progress)
    return backfill(settings, store, embedder, chunk, progress)
