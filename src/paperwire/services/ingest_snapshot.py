"""Import the arXiv metadata snapshot: streamed, batched, resumable after a kill.

The checkpoint ``snapshot:<absolute path>`` holds the byte offset (in the uncompressed
stream) after the last stored batch, committed with that batch, and the file's size and
modification time: a different file under the same name starts from the beginning.
"""

from __future__ import annotations

import gzip
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any, cast

from paperwire.errors import InvalidInput
from paperwire.models import ImportReport
from paperwire.services.snapshot_rows import parse_snapshot_row
from paperwire.sources.arxiv_snapshot import parse_snapshot_line
from paperwire.sources.hf import RecordInvalid
from paperwire.storage import Store
from paperwire.storage.proto_ingest import PreparedPaper

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


Line = tuple[int, int, bytes]  # (line number, offset after the line, the line)
Prepared = PreparedPaper | str  # a line's row, or why it is bad


def iter_chunks(stream: IO[bytes], offset: int, line: int, size: int) -> Iterator[list[Line]]:
    """The non-blank lines, ``size`` at a time, with their numbers and end offsets."""
    chunk: list[Line] = []
    for text in stream:
        offset += len(text)
        line += 1
        if not text.isspace():
            chunk.append((line, offset, text))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def prepare_chunk(chunk: list[Line]) -> list[Prepared]:
    """Parse and prepare a chunk of lines (pure; runs in a worker process)."""
    out: list[Prepared] = []
    for _line, _offset, text in chunk:
        try:
            out.append(parse_snapshot_row(text))
        except RecordInvalid as exc:
            out.append(str(exc))
    return out


def default_workers() -> int:
    """Parsing processes used when none are asked for: none (one process, least memory)."""
    return 0


def import_snapshot(store: Store, path: Path, progress: Progress | None = None,
                    batch: int = BATCH, workers: int | None = None) -> ImportReport:
    """Import (or resume importing) a snapshot file; bad lines are reported, not fatal.

    Lines are parsed by ``workers`` processes (0: in this one) while this one writes.
    """
    name = f"snapshot:{path.resolve()}"
    identity = file_identity(path) if path.is_file() else ""
    saved = store.get_checkpoint(name) or {}
    resume = saved.get("identity") == identity and not saved.get("finished")
    state: dict[str, Any] = {"identity": identity, "offset": saved.get("offset", 0) if resume
                             else 0, "line": saved.get("line", 0) if resume else 0}
    report = ImportReport(source="arxiv-snapshot")
    raw, stream = open_snapshot(path)
    count = default_workers() if workers is None else workers
    try:
        skip_to(raw, stream, state["offset"])
        chunks = iter_chunks(stream, state["offset"], state["line"], batch)
        writer = _Writer(store, name, path, state, report)
        for prepared in _prepared(chunks, count):
            writer.write(prepared)
            if progress is not None:
                progress(raw.tell(), report.read)
        writer.finish()
    finally:
        stream.close()
        raw.close()
        store.log_import(report, str(path))
    return report


Done = tuple[list[Line], list[Prepared]]


def _prepared(chunks: Iterator[list[Line]], workers: int) -> Iterator[Done]:
    """(chunk, its prepared rows) in file order; at most ``2 * workers`` chunks in flight."""
    if workers <= 0:
        for chunk in chunks:
            yield chunk, prepare_chunk(chunk)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        pending: deque[tuple[list[Line], Future[list[Prepared]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(prepare_chunk, chunk)))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


class _Writer:
    """Stores prepared chunks, each with its checkpoint in one transaction."""

    def __init__(self, store: Store, name: str, path: Path, state: dict[str, Any],
                 report: ImportReport) -> None:
        self.store, self.name, self.path = store, name, path
        self.state, self.report = state, report

    def write(self, done: Done) -> None:
        rows: list[PreparedPaper] = []
        lines: list[bytes] = []
        for (line, offset, text), result in zip(*done, strict=True):
            self.report.read += 1
            if isinstance(result, str):
                self.report.error(f"{self.path} line {line} (byte {offset - len(text)})", result)
            else:
                rows.append(result)
                lines.append(text)
            self.state.update(offset=offset, line=line)
        with self.store.transaction():
            rest = self.store.insert_new_rows(rows)
            self.report.inserted += len(rows) - len(rest)
            if rest:  # known papers: merged the regular way
                self.report.add(self.store.upsert_papers(
                    [parse_snapshot_line(lines[i]) for i in rest]))
            self.store.put_checkpoint(self.name, self.state)

    def finish(self) -> None:
        self.store.put_checkpoint(self.name, {**self.state, "finished": True})
