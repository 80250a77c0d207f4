"""The on-disk search indexes of one data dir and the manifest that names the live ones.

Layout under ``<data_dir>/search``::

    manifest.json          {"keyword": "keyword-3", "keyword_seq": 812,
                            "vectors": "vectors-5", "vector_seq": 790, "model": "..."}
    keyword-3/             tantivy index (commits are atomic)
    vectors-5/             one immutable vector segment
    model-cache/           the re-quantized embedding model
    writer.lock            held (``flock``) by the one process that writes the indexes

The manifest is replaced atomically (write a temporary file, fsync, ``os.replace``), and
folders are only deleted after a manifest that no longer names them is in place, so a crash
at any point leaves a consistent pair of indexes; watermarks that lag behind only make the
next run redo some (idempotent) work.

Several processes may serve one data dir (``serve --workers``): one of them at a time holds
``writer.lock`` and writes; the others reopen what the manifest names when it changes.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from paperwire.search.keyword import KeywordIndex
from paperwire.search.vectors import Segment, remove_folder


@dataclass(frozen=True)
class Manifest:
    keyword: str = ""
    keyword_seq: int = 0
    vectors: str = ""
    vector_seq: int = 0
    model: str = ""


class SearchFiles:
    """Reads and swaps the manifest; opens the folders it names."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @contextmanager
    def writer_lock(self, wait: bool = True) -> Iterator[bool]:
        """Hold the data dir's writer lock while the block runs; yields False (and holds
        nothing) when ``wait`` is off and another process holds it."""
        with (self.root / "writer.lock").open("a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self) -> Manifest:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Manifest()
        return Manifest(**{k: data[k] for k in Manifest.__dataclass_fields__ if k in data})

    def stamp(self) -> float:
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0.0

    def write(self, manifest: Manifest) -> None:
        """Atomically replace the manifest, then delete folders it no longer names."""
        with self._lock:
            partial = self.root / f"manifest.json.{os.getpid()}.{threading.get_ident()}.tmp"
            with partial.open("w", encoding="utf-8") as handle:
                json.dump(asdict(manifest), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, self.manifest_path)
            self._collect(manifest)

    def update(self, **changes: object) -> Manifest:
        manifest = replace(self.read(), **changes)  # type: ignore[arg-type]
        self.write(manifest)
        return manifest

    def _collect(self, manifest: Manifest) -> None:
        live = {manifest.keyword, manifest.vectors}
        for entry in self.root.iterdir():
            if entry.is_dir() and entry.name.startswith(("keyword-", "vectors-")) \
                    and entry.name not in live and not entry.name.endswith(".building"):
                remove_folder(entry)

    def new_folder(self, kind: str) -> Path:
        """A fresh, unused folder name for a new index of ``kind``."""
        numbers = [int(e.name.split("-")[1].split(".")[0]) for e in self.root.iterdir()
                   if e.name.startswith(kind + "-") and e.name.split("-")[1].split(".")[0]
                   .isdigit()]
        return self.root / f"{kind}-{max(numbers, default=0) + 1}"

    def open_keyword(self, manifest: Manifest) -> KeywordIndex | None:
        if not manifest.keyword or not (self.root / manifest.keyword).is_dir():
            return None
        return KeywordIndex(self.root / manifest.keyword)

    def open_segment(self, manifest: Manifest) -> Segment | None:
        if not manifest.vectors or not (self.root / manifest.vectors).is_dir():
            return None
        return Segment.load(self.root / manifest.vectors)

    def save_segment(self, segment: Segment, vector_seq: int, model: str,
                     **changes: object) -> Manifest:
        """Write a segment into a new folder and swap it in (with other ``changes``)."""
        folder = self.new_folder("vectors")
        building = folder.with_name(folder.name + ".building")
        remove_folder(building)
        segment.save(building, {"vector_seq": vector_seq, "model": model})
        os.replace(building, folder)
        return self.update(vectors=folder.name, vector_seq=vector_seq, model=model, **changes)
