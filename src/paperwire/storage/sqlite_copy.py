"""The copy part of the SQLite store: tables from the schema catalog, rows in key order."""

from __future__ import annotations

import json
from collections.abc import Sequence

from paperwire.storage.proto_copy import NOT_COPIED, CopyMark, Row, TableLayout
from paperwire.storage.sqlite_base import SqliteBase


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_after(key: Sequence[str]) -> str:
    """The keyset condition ``key > ?`` for one or several key columns."""
    if len(key) == 1:
        return f"{quoted(key[0])} > ?"
    return f"({', '.join(quoted(k) for k in key)}) > ({', '.join('?' for _ in key)})"


def build_upsert(layout: TableLayout, placeholder: str = "?") -> str:
    """INSERT of one row that overwrites the row with the same key (portable SQL)."""
    columns = ", ".join(quoted(c) for c in layout.columns)
    values = ", ".join(placeholder for _ in layout.columns)
    rest = [c for c in layout.columns if c not in layout.key]
    action = ("DO UPDATE SET " + ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in rest)
              if rest else "DO NOTHING")
    target = ", ".join(quoted(k) for k in layout.key)
    return (f"INSERT INTO {quoted(layout.name)} ({columns}) VALUES ({values})"
            f" ON CONFLICT ({target}) {action}")


def order_by_references(names: Sequence[str], references: dict[str, set[str]]) -> list[str]:
    """``names`` with every table after the tables it references (ties by name)."""
    ordered: list[str] = []
    left = sorted(names)
    while left:
        ready = [n for n in left if not (references.get(n, set()) - {n}) - set(ordered)]
        if not ready:
            raise ValueError(f"tables reference each other in a cycle: {', '.join(left)}")
        ordered.extend(ready)
        left = [n for n in left if n not in ready]
    return ordered


class SqliteCopy(SqliteBase):
    def copy_tables(self) -> list[TableLayout]:
        names = [r[0] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if r[0] not in NOT_COPIED]
        references = {n: {r["table"] for r in self.query(
            f"PRAGMA foreign_key_list({quoted(n)})")} for n in names}
        return [self._layout(n) for n in order_by_references(names, references)]

    def _layout(self, table: str) -> TableLayout:
        info = self.query(f"PRAGMA table_info({quoted(table)})")
        columns = tuple(r["name"] for r in info)
        key = tuple(r["name"] for r in sorted((r for r in info if r["pk"]), key=lambda r: r["pk"]))
        return TableLayout(table, columns, key or self._unique_key(table) or columns)

    def _unique_key(self, table: str) -> tuple[str, ...]:
        """The columns of the table's first UNIQUE constraint (a table without a primary key)."""
        for index in self.query(f"PRAGMA index_list({quoted(table)})"):
            if index["unique"]:
                return tuple(r["name"] for r in self.query(
                    f"PRAGMA index_info({quoted(index['name'])})"))
        return ()

    def count_table_rows(self, table: str) -> int:
        return int(self.scalar(f"SELECT COUNT(*) FROM {quoted(table)}"))

    def iter_table_rows(self, layout: TableLayout, after_key: Row | None,
                        limit: int) -> list[Row]:
        columns = ", ".join(quoted(c) for c in layout.columns)
        order = ", ".join(quoted(k) for k in layout.key)
        where = "" if after_key is None else f" WHERE {build_after(layout.key)}"
        rows = self.query(f"SELECT {columns} FROM {quoted(layout.name)}{where} ORDER BY {order}"
                          " LIMIT ?", (*(after_key or ()), limit))
        return [tuple(row) for row in rows]

    def insert_table_rows(self, layout: TableLayout, rows: Sequence[Row],
                          mark: CopyMark) -> None:
        with self.transaction() as conn:
            if rows:
                conn.executemany(build_upsert(layout), rows)
            conn.execute(
                "INSERT INTO copy_state (table_name, source, last_key, copied, done)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET"
                " source = excluded.source, last_key = excluded.last_key,"
                " copied = excluded.copied, done = excluded.done",
                (mark.table, mark.source, _key_text(mark.last_key), mark.copied,
                 int(mark.done)))

    def copy_marks(self) -> dict[str, CopyMark]:
        return {r["table_name"]: CopyMark(r["table_name"], r["source"], _key_of(r["last_key"]),
                                          r["copied"], bool(r["done"]))
                for r in self.query("SELECT * FROM copy_state")}

    def finish_copy(self, tables: Sequence[TableLayout]) -> None:
        """Nothing to do: an INTEGER PRIMARY KEY continues after the largest id."""


def _key_text(key: Row | None) -> str | None:
    return None if key is None else json.dumps(list(key))


def _key_of(text: str | None) -> Row | None:
    return None if text is None else tuple(json.loads(text))
