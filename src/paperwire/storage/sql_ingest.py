"""The ingest part of the store: checkpoints, the request gate, a bulk insert path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from paperwire.models import IncomingPaper
from paperwire.paper_row import PAPER_COLUMNS, PreparedPaper, prepare_paper
from paperwire.storage.facets import facet_rows_of, write_facets
from paperwire.storage.proto_ingest import GateTry
from paperwire.storage.rows import in_chunks
from paperwire.storage.sql_base import SqlBase, utc_now

HASH, AUTHORS, CATEGORIES, PUBLISHED = (PAPER_COLUMNS.index(name) for name in (
    "title_hash", "authors_json", "categories", "published_at"))


class SqlIngest(SqlBase):
    # -- checkpoints -----------------------------------------------------------------
    def get_checkpoint(self, name: str) -> dict[str, Any] | None:
        text = self.scalar("SELECT state_json FROM ingest_checkpoints WHERE name = ?", (name,))
        if text is None:
            return None
        state: dict[str, Any] = json.loads(text)
        return state

    def put_checkpoint(self, name: str, state: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ingest_checkpoints (name, state_json, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET state_json = excluded.state_json,"
                " updated_at = excluded.updated_at",
                (name, json.dumps(state, sort_keys=True), utc_now()))

    def delete_checkpoint(self, name: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM ingest_checkpoints WHERE name = ?", (name,))

    # -- request gate ----------------------------------------------------------------
    def try_gate(self, name: str, holder: str, now: float, lease_s: float) -> GateTry:
        """Take the single request slot of ``name`` if it is free and the interval has passed.

        A plain read comes first, so that waiting processes do not queue for the write lock.
        """
        row = self.query_one("SELECT holder, lease_until, next_at FROM ingest_gates"
                             " WHERE name = ?", (name,))
        busy = None if row is None else self._gate_busy(row, holder, now)
        if busy is not None:
            return busy
        with self.transaction() as conn:
            self.serialize(conn, f"gate:{name}")
            conn.execute("INSERT INTO ingest_gates (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
                         (name,))
            row = conn.execute("SELECT holder, lease_until, next_at FROM ingest_gates"
                               " WHERE name = ?", (name,)).fetchone()
            busy = self._gate_busy(row, holder, now)
            if busy is not None:
                return busy
            conn.execute("UPDATE ingest_gates SET holder = ?, lease_until = ? WHERE name = ?",
                         (holder, now + lease_s, name))
            return GateTry(True)

    @staticmethod
    def _gate_busy(row: Any, holder: str, now: float) -> GateTry | None:
        if row["holder"] not in (None, holder) and row["lease_until"] > now:
            return GateTry(False, min(row["lease_until"] - now, 0.05), row["holder"])
        if row["next_at"] > now:
            return GateTry(False, row["next_at"] - now, None)
        return None

    def release_gate(self, name: str, holder: str, next_at: float) -> None:
        """Free the slot and set the earliest start of the next request (never earlier)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE ingest_gates SET holder = NULL, lease_until = 0,"
                " next_at = CASE WHEN next_at > ? THEN next_at ELSE ? END"
                " WHERE name = ? AND holder = ?", (next_at, next_at, name, holder))

    def break_gate(self, name: str, holder: str) -> bool:
        """Free a slot whose holder is known to be dead."""
        with self.transaction() as conn:
            cur = conn.execute("UPDATE ingest_gates SET holder = NULL, lease_until = 0"
                               " WHERE name = ? AND holder = ?", (name, holder))
            return bool(cur.rowcount)

    # -- bulk insert -----------------------------------------------------------------
    def insert_new_papers(self, incoming: Sequence[IncomingPaper]) -> list[IncomingPaper]:
        """Insert the records that match nothing stored; return the rest (see insert_new_rows).
        """
        rest = self.insert_new_rows([prepare_paper(item) for item in incoming])
        return [incoming[i] for i in rest]

    def insert_new_rows(self, rows: Sequence[PreparedPaper]) -> list[int]:
        """Insert, with one statement, the rows that match nothing stored; return the positions
        of the others, which must go through ``upsert_papers`` (same transaction) to be merged.

        A row is new when it is plain, neither its id nor an alias of it is stored, no
        derived-id paper has its title, and its id comes first in this batch.
        """
        self.tune_bulk()
        ids = [row[0] for row in rows]
        taken = self._present("SELECT id FROM papers WHERE id IN ({})", ids)
        taken |= self._present("SELECT old_id FROM paper_aliases WHERE old_id IN ({})", ids)
        derived = self._present("SELECT title_key FROM papers WHERE id_is_derived = 1"
                                " AND title_hash IN ({})", [row[2][HASH] for row in rows])
        fresh: list[tuple[Any, ...]] = []
        rest: list[int] = []
        for index, (pid, key, cols, plain) in enumerate(rows):
            if pid in taken or key in derived or not plain:
                rest.append(index)
                continue
            taken.add(pid)
            fresh.append(cols)
        self._insert_rows(fresh)
        return rest

    def _present(self, sql: str, values: list[Any]) -> set[str]:
        found: set[str] = set()
        for chunk, marks in in_chunks(list(dict.fromkeys(values))):
            found.update(row[0] for row in self.query(sql.format(marks), chunk))
        return found

    def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.transaction() as conn:
            self.serialize(conn, "catalog")
            conn.execute("UPDATE counters SET value = value + ? WHERE name = 'paper_seq'",
                         (len(rows),))
            last = int(conn.execute("SELECT value FROM counters WHERE name = 'paper_seq'")
                       .fetchone()[0])
            now = utc_now()
            first = last - len(rows) + 1
            upvotes = PAPER_COLUMNS.index("imported_upvotes")
            names = [*PAPER_COLUMNS, "id_is_derived", "upvotes", "changed_at", "row_seq"]
            sql = (f"INSERT INTO papers ({', '.join(names)}) "
                   f"VALUES ({', '.join('?' for _ in names)})")
            conn.executemany(sql, [(*cols, 0, cols[upvotes], now, first + offset)
                                   for offset, cols in enumerate(rows)])
            write_facets(conn, facet_rows_of((cols[0], cols[AUTHORS], cols[CATEGORIES],
                                              cols[PUBLISHED]) for cols in rows), add=True)

    def stats_ingest(self) -> dict[str, int]:
        return {"ingest_checkpoints": int(self.scalar("SELECT COUNT(*) FROM ingest_checkpoints"))}
