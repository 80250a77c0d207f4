"""What ``paperwire db copy`` needs from storage: every table's rows, read and written in
batches in key order, whatever the engine. Rows are tuples in the order of
``TableLayout.columns``; values are None, int, float, str or bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Row = tuple[Any, ...]
COPY_STATE = "copy_state"  # the table that records a copy's progress (never copied itself)
NOT_COPIED = ("schema_migrations", COPY_STATE)


@dataclass(frozen=True)
class TableLayout:
    """A table's name, its columns and the columns of its primary key (rows are read in
    key order and resumed after a key)."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]

    def key_of(self, row: Row) -> Row:
        return tuple(row[self.columns.index(column)] for column in self.key)


@dataclass(frozen=True)
class CopyMark:
    """How far a copy from ``source`` got into one table of the destination."""

    table: str
    source: str
    last_key: Row | None
    copied: int
    done: bool


class CopyStore(Protocol):
    def schema_version(self) -> int:
        """The newest migration applied."""
        ...

    def copy_tables(self) -> list[TableLayout]:
        """Every table to copy, a table after the tables its foreign keys name."""
        ...

    def count_table_rows(self, table: str) -> int: ...

    def iter_table_rows(self, layout: TableLayout, after_key: Row | None,
                        limit: int) -> list[Row]:
        """At most ``limit`` rows with a key above ``after_key`` (None: from the first), in
        key order."""
        ...

    def insert_table_rows(self, layout: TableLayout, rows: Sequence[Row],
                          mark: CopyMark) -> None:
        """Insert (or overwrite by key) ``rows`` and record ``mark``, in one transaction."""
        ...

    def copy_marks(self) -> dict[str, CopyMark]: ...

    def finish_copy(self, tables: Sequence[TableLayout]) -> None:
        """After the last row: engine bookkeeping (identity counters past the copied ids)."""
        ...
