"""First-page thumbnails: fetch each arXiv paper's PDF politely, draw the top of its first page,
keep the PNG in ``<data dir>/thumbnails`` and its key in the catalog.

A paper whose PDF cannot be had or read is tried again on later runs, at most ``MAX_TRIES``
times; one bad paper never stops the others.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from paperwire.config import Settings
from paperwire.errors import InvalidInput, SourceError
from paperwire.services.ingest import API_GATE, store_gate
from paperwire.sources.arxiv_pdf import ArxivPdfSource, render_thumbnail
from paperwire.storage import Store

MAX_TRIES = 3
FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,80}\.png")


@dataclass
class ThumbnailReport:
    made: int = 0
    errors: list[str] = field(default_factory=list)


def thumbnail_dir(settings: Settings) -> Path:
    return settings.data_dir / "thumbnails"


def thumbnail_name(paper_id: str) -> str:
    """The file (and URL) name of a paper's thumbnail: old-style ids lose their slash."""
    return paper_id.replace("/", "_") + ".png"


def fetch_thumbnail_file(settings: Settings, name: str) -> bytes | None:
    """The stored picture called ``name``, or None when there is none (or the name is odd)."""
    if not FILE_NAME.fullmatch(name) or name.startswith("."):
        return None
    try:
        return (thumbnail_dir(settings) / name).read_bytes()
    except OSError:
        return None


def make_thumbnails(store: Store, settings: Settings, limit: int = 100,
                    source: ArxivPdfSource | None = None) -> ThumbnailReport:
    """Thumbnails for up to ``limit`` papers that have none, newest first."""
    report = ThumbnailReport()
    ids = store.papers_without_thumbnail(MAX_TRIES, limit)
    if not ids:
        return report
    own = source is None
    pdfs = source or ArxivPdfSource(settings, store_gate(store, settings, API_GATE))
    try:
        for paper_id in ids:
            _make_one(store, settings, pdfs, paper_id, report)
    finally:
        if own:
            pdfs.close()
    return report


def _make_one(store: Store, settings: Settings, pdfs: ArxivPdfSource, paper_id: str,
              report: ThumbnailReport) -> None:
    try:
        picture = render_thumbnail(pdfs.fetch_pdf(paper_id))
    except (SourceError, InvalidInput) as exc:
        store.set_thumbnail(paper_id, None)
        report.errors.append(f"{paper_id}: {exc}")
        return
    save_thumbnail(settings, paper_id, picture)
    store.set_thumbnail(paper_id, hashlib.sha256(picture).hexdigest()[:16])
    report.made += 1


def save_thumbnail(settings: Settings, paper_id: str, picture: bytes) -> Path:
    """Write the picture atomically (a reader never sees half a file)."""
    folder = thumbnail_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / thumbnail_name(paper_id)
    partial = path.with_suffix(".part")
    partial.write_bytes(picture)
    os.replace(partial, path)
    return path
