"""What every SQL engine of the store provides, and what the store's parts build on.

The parts (``sql_catalog.py``, ``sql_community.py``, …) hold the store's SQL once, written in
the portable dialect SQLite and PostgreSQL share, with ``?`` placeholders. They reach the
database only through what is declared here: ``conn`` (a connection whose ``execute`` returns
a cursor-like result), ``transaction()``, ``query``/``query_one``/``scalar``, and a few
engine hooks for what the dialects do differently (``serialize``, ``execute_unless_conflict``,
``tune_bulk``, ``new_style_arxiv_id``). ``sqlite_base.py`` and ``postgres_base.py`` implement
them. Migrations ``migrations/NNNN_name.sql`` are one history for both engines; a file
``NNNN_name.<engine>.sql`` replaces the portable one on that engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from importlib import resources
from typing import Any, Protocol

from paperwire.clock import now_utc
from paperwire.errors import Conflict
from paperwire.storage.rows import ts

# A stored row: indexable by column name and by position (sqlite3.Row or the PostgreSQL row).
Row = Any
ENGINES = ("sqlite", "postgresql")


class Cursor(Protocol):
    """What ``Connection.execute`` returns: rows and the number of rows a write changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The connection the store's SQL runs on (``?`` placeholders, portable dialect)."""

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any: ...

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]], /) -> Any: ...


def utc_now() -> str:
    """Now, in the stored timestamp format."""
    return ts(now_utc())


def list_migrations(engine: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration shipped with the package, in order, with the
    ``NNNN_name.<engine>.sql`` variant where ``engine`` has one."""
    folder = resources.files("paperwire.storage") / "migrations"
    portable: dict[int, tuple[str, str]] = {}
    variants: dict[int, tuple[str, str]] = {}
    for entry in folder.iterdir():
        parts = entry.name.split(".")
        if parts[-1] != "sql" or len(parts) > 3:
            continue
        version = int(entry.name.split("_", 1)[0])
        found = (entry.name, entry.read_text(encoding="utf-8"))
        if len(parts) == 2:
            portable[version] = found
        elif parts[1] == engine:
            variants[version] = found
    chosen = {**portable, **variants}
    return [(version, *chosen[version]) for version in sorted(chosen)]


def split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (no semicolons inside literals there)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


class SqlBase:
    """The engine-neutral part: query helpers, migrations, the write-failure memory."""

    engine = "sqlite"
    # Added to a SELECT of rows to claim: rows another transaction is claiming are passed over.
    skip_locked = ""
    # Condition: the id of paper ``p`` starts like a new-style arXiv id ("2510.01234").
    new_style_arxiv_id = "p.id GLOB '[0-9][0-9][0-9][0-9].[0-9]*'"
    _write_failure: tuple[float, str] | None = None

    # -- provided by the engine --------------------------------------------------------
    @property
    def conn(self) -> Connection:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def serialize(self, conn: Connection, key: str) -> None:
        """Inside a write transaction: wait until no other transaction holds ``key``, then
        hold it until commit (a read-check-write on ``key`` is then atomic)."""
        raise NotImplementedError

    def execute_unless_conflict(self, conn: Connection, sql: str,
                                params: Sequence[Any]) -> bool:
        """Run a write inside a transaction; False (and nothing written) when it breaks a
        uniqueness rule, the transaction going on."""
        raise NotImplementedError

    def tune_bulk(self) -> None:
        """Prepare this thread's connection for a bulk insert."""

    def probe_write(self, now: datetime) -> None:
        raise NotImplementedError

    def exclusive(self, name: str) -> AbstractContextManager[bool]:
        """Hold the lock ``name`` across processes (True), or learn at once that someone
        else holds it (False); the lock goes when the holder ends or dies."""
        raise NotImplementedError

    def migration_lock(self) -> AbstractContextManager[None]:
        """Held while migrations run, so that processes starting at once migrate in turn."""
        raise NotImplementedError

    def adapt_ddl(self, statement: str) -> str:
        """A portable migration statement in the engine's own words."""
        return statement

    # -- shared ------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = self.conn.execute(sql, params).fetchall()
        return rows

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def remember_write_failure(self, message: str) -> None:
        self._write_failure = (time.monotonic(), message)

    def recent_write_failure(self, within_s: float) -> str | None:
        """Why the last write of this process failed, if that was less than ``within_s`` ago."""
        failure = self._write_failure
        if failure is None or time.monotonic() - failure[0] > within_s:
            return None
        return failure[1]

    @contextmanager
    def digest_sender_lock(self) -> Iterator[None]:
        """Hold the digest sender lock, or raise Conflict when another sender runs."""
        with self.exclusive("digest") as held:
            if not held:
                raise Conflict("another 'paperwire digest send' is running")
            yield

    def migrate(self) -> list[str]:
        """Apply every migration not yet applied; return the names applied now."""
        applied = []
        with self.migration_lock():
            with self.transaction() as conn:
                conn.execute(self.adapt_ddl(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at TEXT NOT NULL)"))
            for version, name, sql in list_migrations(self.engine):
                with self.transaction() as conn:
                    if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?",
                                    (version,)).fetchone():
                        continue
                    for statement in split_sql(sql):
                        conn.execute(self.adapt_ddl(statement))
                    conn.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                                 " VALUES (?, ?, ?)", (version, name, utc_now()))
                    applied.append(name)
        return applied

    def schema_version(self) -> int:
        return int(self.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))
