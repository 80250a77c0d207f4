"""The SQLite engine of the store (WAL, busy_timeout, BEGIN IMMEDIATE for every write).

One connection per thread; writes go through ``transaction()``, reads use the thread's
connection outside any transaction. One writer at a time holds the whole database, so
``serialize`` has nothing to add. Migrations (``sql_base.migrate``) are applied on open.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from paperwire.errors import StorageError, StorageFull
from paperwire.ids import title_hash
from paperwire.storage.rows import ts
from paperwire.storage.sql_base import Connection, SqlBase, list_migrations, utc_now

__all__ = ["SqliteBase", "list_migrations", "utc_now"]

BUSY_TIMEOUT_MS = 30_000
# SQLite primary result codes that mean "this database cannot be written", and their causes.
UNWRITABLE = {13: "the disk is full", 8: "the file is read-only",
              10: "a disk I/O error occurred (is the disk full?)", 14: "the file cannot be opened"}


SQLITE_BUSY = 5
BULK_CACHE_KIB = 24576  # page cache of a bulk-inserting connection (index upkeep)


class SqliteBase(SqlBase):
    """Connections and transactions on one SQLite file."""

    engine = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.migrate()

    # -- connections -----------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        with self.unwritable_as_error():
            return self._open_connection()

    def _open_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("paperwire_title_hash", 1, title_hash, deterministic=True)
        with self._lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        with self.unwritable_as_error():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def unwritable_as_error(self) -> Iterator[None]:
        """SQLite's "disk full", "read-only" and I/O errors as a StorageError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            cause = UNWRITABLE.get(getattr(exc, "sqlite_errorcode", 0) & 0xFF)
            if cause is None:
                raise
            kind = StorageFull if cause == UNWRITABLE[13] else StorageError
            message = f"database {self.path} cannot be written: {cause} ({exc})"
            self.remember_write_failure(message)
            raise kind(message) from exc

    # -- engine hooks ----------------------------------------------------------------
    def serialize(self, conn: Connection, key: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already makes every write transaction the only one."""

    def execute_unless_conflict(self, conn: Connection, sql: str,
                                params: Sequence[Any]) -> bool:
        try:
            conn.execute(sql, params)
        except sqlite3.IntegrityError:
            return False
        return True

    def tune_bulk(self) -> None:
        self.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")

    def probe_write(self, now: datetime) -> None:
        """Write one row and commit: fails the way real writes fail (disk full, read-only).
        Never waits: when another writer holds the lock, the database is being written."""
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            with self.transaction() as tx:
                tx.execute("INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id)"
                           " DO UPDATE SET at = excluded.at", (ts(now),))
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF != SQLITE_BUSY:
                raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """A lock file beside the database (the kernel releases it when the holder dies)."""
        path = self.path.with_name(f"{self.path.name}.{name}-lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """Nothing more: each migration runs in a BEGIN IMMEDIATE transaction of its own and
        checks first whether another process applied it."""
        yield

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database through SQLite's backup API."""
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

