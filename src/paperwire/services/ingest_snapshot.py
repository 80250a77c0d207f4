"""Import the arXiv metadata snapshot: streamed, batched, resumable after a kill.

The checkpoint ``snapshot:<absolute path>`` holds the byte offset (in the uncompressed
stream) after the last stored batch, committed with that batch, and the file's size and
modification time: a different file under the same name starts from the beginning.
"""

from __future__ import annotations

import gzip
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any, cast

from paperwire.errors import InvalidInput
from paperwire.models import ImportReport
from paperwire.paper_row import PreparedPaper
from paperwire.services.snapshot_rows import parse_snapshot_row
from paperwire.services.workers import init_child_of
from paperwire.sources.arxiv_snapshot import parse_snapshot_line
from paperwire.sources.records import RecordInvalid
from paperwire.storage import Store

BATCH = 20_000  # lines a transaction (holding the write lock under a second)
CHUNK = 2000  # lines a parsing process takes at a time
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


Chunk = tuple[int, int, list[bytes]]  # (byte offset, lines before it, its lines)
Row = tuple[int, PreparedPaper]  # (index of the line in its chunk, the row)
Bad = tuple[int, int, str]  # (index of the line, its byte offset in the chunk, why)
Prepared = tuple[list[Row], list[Bad]]


def iter_chunks(stream: IO[bytes], offset: int, line: int, size: int) -> Iterator[Chunk]:
    """The file's lines, ``size`` at a time, with where each chunk starts."""
    while True:
        lines = list(islice(stream, size))
        if not lines:
            return
        yield offset, line, lines
        offset += sum(map(len, lines))
        line += len(lines)


def prepare_chunk(chunk: Chunk) -> Prepared:
    """Parse and prepare the non-blank lines of a chunk (pure; runs in a worker process)."""
    rows: list[Row] = []
    bad: list[Bad] = []
    at = 0
    for index, text in enumerate(chunk[2]):
        if not text.isspace():
            try:
                rows.append((index, parse_snapshot_row(text)))
            except RecordInvalid as exc:
                bad.append((index, at, str(exc)))
        at += len(text)
    return rows, bad


def default_workers() -> int:
    """Parsing processes used when none are asked for: two where there are two cores or
    more (this process mostly waits on SQLite), none on one core."""
    return min(2, (os.cpu_count() or 1)) if (os.cpu_count() or 1) > 1 else 0


def import_snapshot(store: Store, path: Path, progress: Progress | None = None,
                    batch: int = BATCH, workers: int | None = None,
                    chunk: int = CHUNK) -> ImportReport:
    """Import (or resume importing) a snapshot file; bad lines are reported, not fatal.

    Lines are parsed by ``workers`` processes (0: in this one), ``chunk`` at a time, while
    this one writes; a transaction (with its checkpoint) holds ``batch`` lines or more.
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
        chunks = iter_chunks(stream, state["offset"], state["line"], min(batch, chunk))
        shown = None if progress is None else lambda: progress(raw.tell(), report.read)
        writer = _Writer(store, name, path, state, report, shown)
        writer.write_all(_prepared(chunks, count), batch)
    finally:
        stream.close()
        raw.close()
        store.log_import(report, str(path))
    return report


Done = tuple[Chunk, Prepared]


def _prepared(chunks: Iterator[Chunk], workers: int) -> Iterator[Done]:
    """(chunk, its prepared rows) in file order; at most ``workers + 1`` chunks in flight."""
    if workers <= 0:
        for chunk in chunks:
            yield chunk, prepare_chunk(chunk)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=init_child_of,
                             initargs=(os.getpid(),)) as pool:
        pending: deque[tuple[Chunk, Future[Prepared]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(prepare_chunk, chunk)))
            if len(pending) > workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


class _Writer:
    """Stores prepared chunks inside the caller's transaction and keeps the checkpoint state
    (a transaction holds several chunks: fewer commits rewrite fewer index pages)."""

    def __init__(self, store: Store, name: str, path: Path, state: dict[str, Any],
                 report: ImportReport, progress: Callable[[], None] | None) -> None:
        self.store, self.name, self.path = store, name, path
        self.state, self.report, self.progress = state, report, progress

    def write_all(self, prepared: Iterator[Done], batch: int) -> None:
        """Every chunk, a transaction of ``batch`` lines or more at a time, each committed
        with its checkpoint; a failure rolls back the open one (read again on resume)."""
        for done in prepared:
            with self.store.transaction():
                lines = self.write(done)
                while lines < batch and (more := next(prepared, None)) is not None:
                    lines += self.write(more)
                self.put_checkpoint()
        self.put_checkpoint(finished=True)

    def write(self, done: Done) -> int:
        """Store one chunk; the number of lines it held."""
        (start, before, lines), (rows, bad) = done
        self.report.read += len(rows) + len(bad)
        for index, at, reason in bad:
            self.report.error(f"{self.path} line {before + index + 1} (byte {start + at})",
                              reason)
        rest = self.store.insert_new_rows([row for _index, row in rows])
        self.report.inserted += len(rows) - len(rest)
        if rest:  # known papers: merged the regular way
            self.report.add(self.store.upsert_papers(
                [parse_snapshot_line(lines[rows[i][0]]) for i in rest]))
        self.state.update(offset=start + sum(map(len, lines)), line=before + len(lines))
        if self.progress is not None:
            self.progress()
        return len(lines)

    def put_checkpoint(self, finished: bool = False) -> None:
        self.store.put_checkpoint(self.name, {**self.state, "finished": True} if finished
                                  else self.state)
