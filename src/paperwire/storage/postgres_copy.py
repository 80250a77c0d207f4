"""The copy part of the PostgreSQL store: tables, keys and foreign keys from the
information schema, and identity counters moved past the copied ids."""

from __future__ import annotations

from collections.abc import Sequence

from paperwire.storage.proto_copy import TableLayout
from paperwire.storage.sql_copy import SqlCopy, quoted

KEYS = ("SELECT tc.constraint_type, tc.constraint_name, kcu.column_name"
        " FROM information_schema.table_constraints tc"
        " JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name"
        " AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name"
        " WHERE tc.table_schema = current_schema() AND tc.table_name = ?"
        " AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        " ORDER BY tc.constraint_type, tc.constraint_name, kcu.ordinal_position")
REFERENCES = ("SELECT tc.table_name AS source, ccu.table_name AS target"
              " FROM information_schema.table_constraints tc"
              " JOIN information_schema.constraint_column_usage ccu"
              " ON ccu.constraint_name = tc.constraint_name"
              " AND ccu.constraint_schema = tc.constraint_schema"
              " WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'FOREIGN KEY'")


class PostgresCopy(SqlCopy):
    def table_names(self) -> list[str]:
        return [r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            " current_schema() AND table_type = 'BASE TABLE'")]

    def table_references(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for row in self.query(REFERENCES):
            found.setdefault(row["source"], set()).add(row["target"])
        return found

    def table_layout(self, table: str) -> TableLayout:
        columns = tuple(r[0] for r in self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = ? ORDER BY ordinal_position", (table,)))
        rows = self.query(KEYS, (table,))
        first = rows[0]["constraint_name"] if rows else None
        key = tuple(r["column_name"] for r in rows if r["constraint_name"] == first)
        return TableLayout(table, columns, key or columns)

    def finish_copy(self, tables: Sequence[TableLayout]) -> None:
        """Every identity column's next value after the largest copied id."""
        identities = self.query("SELECT table_name, column_name FROM information_schema.columns"
                                " WHERE table_schema = current_schema() AND is_identity = 'YES'")
        with self.transaction() as conn:
            for row in identities:
                table, column = row["table_name"], row["column_name"]
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX("
                    f"{quoted(column)}) FROM {quoted(table)}), 0) + 1, false)",
                    (quoted(table), column))
