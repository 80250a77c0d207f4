"""Copy a whole instance from one database to another (SQLite ↔ PostgreSQL, SQLite → SQLite).

Every table (catalog, community, digests, personal data, queues, stored vectors) is read in
key order in batches of ``BATCH`` rows and written to the destination, each batch in one
transaction together with the key it reached (``copy_state``), so a copy killed at any point
resumes after its last committed batch when run again. Tables go in dependency order (a
table after those its foreign keys name). At the end each table is checked: the row count
and a SHA-256 over its rows in key order, on both sides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from paperwire.errors import InvalidInput
from paperwire.storage import Store
from paperwire.storage.proto_copy import CopyMark, Row, TableLayout

BATCH = 500
SEEDED = ("counters", "search_state", "write_probe")  # rows a fresh database already has

Progress = Callable[[int], None]


@dataclass(frozen=True)
class TableCheck:
    """One table compared after the copy."""

    table: str
    source_rows: int
    copied_rows: int
    source_hash: str
    copied_hash: str

    @property
    def same(self) -> bool:
        return self.source_rows == self.copied_rows and self.source_hash == self.copied_hash


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[TableCheck, ...]
    rows: int  # rows written by this run
    resumed: bool

    @property
    def same(self) -> bool:
        return all(check.same for check in self.tables)


def canonical(value: Any) -> Any:
    """A value as both engines give it back: bytes as hex, booleans as 0/1."""
    if isinstance(value, memoryview | bytearray | bytes):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, bool):
        return int(value)
    return value


def build_table_hash(rows: Iterator[Row]) -> tuple[int, str]:
    """How many rows, and a SHA-256 over them in the order given."""
    digest, count = hashlib.sha256(), 0
    for row in rows:
        digest.update(json.dumps([canonical(v) for v in row], ensure_ascii=False).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def iter_rows(store: Store, layout: TableLayout, after: Row | None = None,
              batch: int = BATCH) -> Iterator[list[Row]]:
    """The table's rows after ``after`` in key order, a batch at a time."""
    while True:
        rows = store.iter_table_rows(layout, after, batch)
        if not rows:
            return
        yield rows
        after = layout.key_of(rows[-1])


def check_copy(source: Store, target: Store, layouts: list[TableLayout]) -> tuple[TableCheck, ...]:
    """Counts and content hashes of every table on both sides."""
    checks = []
    for layout in layouts:
        src = build_table_hash(row for rows in iter_rows(source, layout) for row in rows)
        dst = build_table_hash(row for rows in iter_rows(target, layout) for row in rows)
        checks.append(TableCheck(layout.name, src[0], dst[0], src[1], dst[1]))
    return tuple(checks)


def plan_copy(source: Store, target: Store, source_name: str) -> list[TableLayout]:
    """The tables to copy; InvalidInput when the two schemas differ or the destination holds
    data that is not an earlier copy of this source."""
    if source.schema_version() != target.schema_version():
        raise InvalidInput(f"the source's schema is version {source.schema_version()} and the "
                           f"destination's {target.schema_version()}: upgrade the older one "
                           "(open it with this version of paperwire) first")
    layouts = source.copy_tables()
    marks = target.copy_marks()
    others = {m.source for m in marks.values()} - {source_name}
    if others:
        raise InvalidInput(f"the destination holds a copy of {sorted(others)[0]}, not of "
                           f"{source_name}: copy into an empty database")
    if not marks:
        full = [t.name for t in layouts if t.name not in SEEDED and target.count_table_rows(t.name)]
        if full:
            raise InvalidInput(f"the destination is not empty (table {full[0]!r} has rows): "
                               "copy into an empty database")
    return layouts


def copy_table(source: Store, target: Store, layout: TableLayout, source_name: str,
               mark: CopyMark | None, progress: Progress) -> int:
    """Copy one table from where ``mark`` left it; return the rows written."""
    if mark is not None and mark.done:
        return 0
    after = None if mark is None else mark.last_key
    copied = 0 if mark is None else mark.copied
    written = 0
    for rows in iter_rows(source, layout, after):
        after, copied, written = layout.key_of(rows[-1]), copied + len(rows), written + len(rows)
        target.insert_table_rows(layout, rows, CopyMark(layout.name, source_name, after,
                                                        copied, False))
        progress(len(rows))
    target.insert_table_rows(layout, [], CopyMark(layout.name, source_name, after, copied, True))
    return written


def count_rows(source: Store) -> int:
    return sum(source.count_table_rows(t.name) for t in source.copy_tables())


def copy_database(source: Store, target: Store, source_name: str,
                  progress: Progress = lambda rows: None) -> CopyReport:
    """Copy every table of ``source`` into ``target`` (resuming an earlier, killed copy of the
    same source), then compare both sides table by table."""
    layouts = plan_copy(source, target, source_name)
    marks = target.copy_marks()
    for mark in marks.values():
        progress(mark.copied)  # already there
    written = sum(copy_table(source, target, layout, source_name, marks.get(layout.name),
                             progress) for layout in layouts)
    target.finish_copy(layouts)
    return CopyReport(check_copy(source, target, layouts), written, bool(marks))
