"""The copy part of the store, shared by the engines: rows in key order, batches written with
the copy's progress in one transaction. The engines read their own schema catalogs
(``sqlite_copy.py``, ``postgres_copy.py``) and fix identity counters after a copy."""

from __future__ import annotations

import json
from collections.abc import Sequence

from paperwire.storage.proto_copy import NOT_COPIED, CopyMark, Row, TableLayout
from paperwire.storage.sql_base import SqlBase


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_after(key: Sequence[str]) -> str:
    """The keyset condition ``key > ?`` for one or several key columns."""
    if len(key) == 1:
        return f"{quoted(key[0])} > ?"
    return f"({', '.join(quoted(k) for k in key)}) > ({', '.join('?' for _ in key)})"


def build_upsert(layout: TableLayout) -> str:
    """INSERT of one row that overwrites the row with the same key (portable SQL)."""
    columns = ", ".join(quoted(c) for c in layout.columns)
    values = ", ".join("?" for _ in layout.columns)
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


class SqlCopy(SqlBase):
    # -- provided by the engine --------------------------------------------------------
    def table_names(self) -> list[str]:
        raise NotImplementedError

    def table_references(self) -> dict[str, set[str]]:
        """Table → the tables its foreign keys name."""
        raise NotImplementedError

    def table_layout(self, table: str) -> TableLayout:
        raise NotImplementedError

    def finish_copy(self, tables: Sequence[TableLayout]) -> None:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------
    def copy_tables(self) -> list[TableLayout]:
        names = [n for n in self.table_names() if n not in NOT_COPIED]
        ordered = order_by_references(names, self.table_references())
        return [self.table_layout(n) for n in ordered]

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


def _key_text(key: Row | None) -> str | None:
    return None if key is None else json.dumps(list(key))


def _key_of(text: str | None) -> Row | None:
    return None if text is None else tuple(json.loads(text))
