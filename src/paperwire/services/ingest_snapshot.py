"""Import the arXiv metadata snapshot: streamed, batched, resumable after a kill.

The checkpoint ``snapshot:<absolute path>`` holds the byte offset (in the uncompressed
stream) after the last stored batch, committed with that batch, and the file's size and
modification time: a different file under the same name starts from the beginning.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from paperwire.errors import InvalidInput
from paperwire.models import ImportReport, IncomingPaper
from paperwire.sources.arxiv_snapshot import parse_snapshot_line
from paperwire.sources.hf import RecordInvalid
from paperwire.storage import Store

BATCH = 5000
SKIP_CHUNK = 1 << 20
Progress = Callable[[int, int], None]  # (bytes of the file read so far, records read)


def file_identity(path: Path) -> str:
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def open_snapshot(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """(file, stream of lines): gzip is recognized by its magic bytes, not its name."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file", field="file")
    raw = path.open("rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return raw, cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    raw.seek(0)
    return raw, raw


def skip_to(raw: IO[bytes], stream: IO[bytes], offset: int) -> None:
    if stream is raw:
        raw.seek(offset)
        return
    left = offset
    while left > 0:
        chunk = stream.read(min(left, SKIP_CHUNK))
        if not chunk:
            raise InvalidInput("the snapshot is shorter than its checkpoint", field="file")
        left -= len(chunk)


def iter_lines(stream: IO[bytes], offset: int, line: int) -> Iterator[tuple[int, int, bytes]]:
    """(line number, offset after the line, line) for each non-blank line."""
    for text in stream:
        offset += len(text)
        line += 1
        if text.strip():
            yield line, offset, text


def import_snapshot(store: Store, path: Path, progress: Progress | None = None,
                    batch: int = BATCH) -> ImportReport:
    """Import (or resume importing) a snapshot file; bad lines are reported, not fatal."""
    name = f"snapshot:{path.resolve()}"
    identity = file_identity(path) if path.is_file() else ""
    saved = store.get_checkpoint(name) or {}
    resume = saved.get("identity") == identity and not saved.get("finished")
    state: dict[str, Any] = {"identity": identity, "offset": saved.get("offset", 0) if resume
                             else 0, "line": saved.get("line", 0) if resume else 0}
    report = ImportReport(source="arxiv-snapshot")
    raw, stream = open_snapshot(path)
    try:
        skip_to(raw, stream, state["offset"])
        _import(store, name, (raw, stream, path), state, report, progress, batch)
    finally:
        stream.close()
        raw.close()
        store.log_import(report, str(path))
    return report


def _import(store: Store, name: str, files: tuple[IO[bytes], IO[bytes], Path],
            state: dict[str, Any], report: ImportReport, progress: Progress | None,
            batch: int) -> None:
    raw, stream, path = files
    pending: list[IncomingPaper] = []
    for line, offset, text in iter_lines(stream, state["offset"], state["line"]):
        report.read += 1
        try:
            pending.append(parse_snapshot_line(text))
        except RecordInvalid as exc:
            report.error(f"{path} line {line} (byte {offset - len(text)})", str(exc))
        state.update(offset=offset, line=line)
        if len(pending) >= batch:
            store_batch(store, name, pending, state, report)
            pending = []
            if progress is not None:
                progress(raw.tell(), report.read)
    store_batch(store, name, pending, {**state, "finished": True}, report)
    if progress is not None:
        progress(raw.tell(), report.read)


def store_batch(store: Store, name: str, papers: list[IncomingPaper], state: dict[str, Any],
                report: ImportReport) -> None:
    """New papers go in by the bulk path, known ones are merged; the checkpoint joins them."""
    with store.transaction():
        rest = store.insert_new_papers(papers)
        report.inserted += len(papers) - len(rest)
        if rest:
            report.add(store.upsert_papers(rest))
        store.put_checkpoint(name, state)
