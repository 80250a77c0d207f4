"""The ingest part of the SQLite store: checkpoints, the request gate, a bulk insert path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from paperwire.ids import title_key
from paperwire.models import IncomingPaper
from paperwire.storage.proto_ingest import GateTry
from paperwire.storage.rows import paper_columns
from paperwire.storage.sqlite_base import SqliteBase, utc_now

CHUNK = 500


class SqliteIngest(SqliteBase):
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
        """Take the single request slot of ``name`` if it is free and the interval has passed."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO ingest_gates (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
                         (name,))
            row = conn.execute("SELECT holder, lease_until, next_at FROM ingest_gates"
                               " WHERE name = ?", (name,)).fetchone()
            if row["holder"] not in (None, holder) and row["lease_until"] > now:
                return GateTry(False, min(row["lease_until"] - now, 0.05), row["holder"])
            if row["next_at"] > now:
                return GateTry(False, row["next_at"] - now, None)
            conn.execute("UPDATE ingest_gates SET holder = ?, lease_until = ? WHERE name = ?",
                         (holder, now + lease_s, name))
            return GateTry(True)

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
        """Insert, in one statement, the records that match nothing stored; return the rest.

        A record is new when neither its id nor an alias of it is stored, no derived-id paper
        has its title, it has no extras and its id comes first in this batch. The rest must
        go through ``upsert_papers`` (in the same transaction) to be merged.
        """
        keys = [title_key(item.paper.title) for item in incoming]
        ids = [item.paper.id for item in incoming]
        taken = self._present("SELECT id FROM papers WHERE id IN ({})", ids)
        taken |= self._present("SELECT old_id FROM paper_aliases WHERE old_id IN ({})", ids)
        derived = self._present("SELECT title_key FROM papers WHERE id_is_derived = 1"
                                " AND title_key IN ({})", keys)
        fresh: list[dict[str, Any]] = []
        rest: list[IncomingPaper] = []
        for item, key in zip(incoming, keys, strict=True):
            pid = item.paper.id
            if (pid in taken or key in derived or item.id_is_derived or item.daily
                    or item.organization):
                rest.append(item)
                continue
            taken.add(pid)
            fresh.append(paper_columns(item.paper, key))
        self._insert_rows(fresh)
        return rest

    def _present(self, sql: str, values: list[str]) -> set[str]:
        found: set[str] = set()
        unique = list(dict.fromkeys(values))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            found.update(row[0] for row in self.query(sql.format(marks), chunk))
        return found

    def _insert_rows(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.transaction() as conn:
            conn.execute("UPDATE counters SET value = value + ? WHERE name = 'paper_seq'",
                         (len(rows),))
            last = int(conn.execute("SELECT value FROM counters WHERE name = 'paper_seq'")
                       .fetchone()[0])
            now = utc_now()
            first = last - len(rows) + 1
            for offset, cols in enumerate(rows):
                cols.update(id_is_derived=0, upvotes=cols["imported_upvotes"], changed_at=now,
                            row_seq=first + offset)
            names = list(rows[0])
            sql = (f"INSERT INTO papers ({', '.join(names)}) "
                   f"VALUES ({', '.join('?' for _ in names)})")
            conn.executemany(sql, [[cols[n] for n in names] for cols in rows])

    def stats_ingest(self) -> dict[str, int]:
        return {"ingest_checkpoints": int(self.scalar("SELECT COUNT(*) FROM ingest_checkpoints"))}
