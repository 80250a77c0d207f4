"""SQLite connection handling shared by every part of the store (WAL, busy_timeout,
BEGIN IMMEDIATE for every write).

One connection per thread; writes go through ``transaction()``, reads use the thread's
connection outside any transaction. Migrations in ``migrations/NNNN_name.sql`` are applied in
order on open, each in its own transaction, and recorded in ``schema_migrations``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from paperwire.clock import now_utc
from paperwire.errors import StorageError, StorageFull
from paperwire.ids import title_hash
from paperwire.storage.rows import ts

BUSY_TIMEOUT_MS = 30_000
# SQLite primary result codes that mean "this database cannot be written", and their causes.
UNWRITABLE = {13: "the disk is full", 8: "the file is read-only",
              10: "a disk I/O error occurred (is the disk full?)", 14: "the file cannot be opened"}


def utc_now() -> str:
    """Now, in the stored timestamp format."""
    return ts(now_utc())


def list_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file shipped with the package, in order."""
    folder = resources.files("paperwire.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class SqliteBase:
    """Connections, transactions, migrations; the store's parts subclass this."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_failure: tuple[float, str] | None = None
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
            self._write_failure = (time.monotonic(), message)
            raise kind(message) from exc

    def recent_write_failure(self, within_s: float) -> str | None:
        """Why the last write of this process failed, if that was less than ``within_s`` ago."""
        failure = self._write_failure
        if failure is None or time.monotonic() - failure[0] > within_s:
            return None
        return failure[1]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- migrations ------------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply every migration not yet applied; return the names applied now."""
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        applied = []
        for version, name, sql in list_migrations():
            with self.transaction() as conn:
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
                ).fetchone()
                if done:
                    continue
                for statement in _split_sql(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, utc_now()),
                )
                applied.append(name)
        return applied

    def schema_version(self) -> int:
        return int(self.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database through SQLite's backup API."""
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()


def _split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (no semicolons inside literals there)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
