"""The SQLite Store: the engine-neutral parts on one SQLite file."""

from __future__ import annotations

from paperwire.storage.sql_store import SqlStore
from paperwire.storage.sqlite_base import SqliteBase


class SqliteStore(SqliteBase, SqlStore):
    """The Store on one SQLite file (WAL, busy_timeout, BEGIN IMMEDIATE writes)."""
