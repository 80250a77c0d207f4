"""The copy part of the SQLite store: tables, keys and foreign keys from SQLite's catalog."""

from __future__ import annotations

from collections.abc import Sequence

from paperwire.storage.proto_copy import TableLayout
from paperwire.storage.sql_copy import SqlCopy, quoted


class SqliteCopy(SqlCopy):
    def table_names(self) -> list[str]:
        return [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                         " AND name NOT LIKE 'sqlite_%'")]

    def table_references(self) -> dict[str, set[str]]:
        return {n: {r["table"] for r in self.query(f"PRAGMA foreign_key_list({quoted(n)})")}
                for n in self.table_names()}

    def table_layout(self, table: str) -> TableLayout:
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

    def finish_copy(self, tables: Sequence[TableLayout]) -> None:
        """Nothing to do: an INTEGER PRIMARY KEY continues after the largest id."""
