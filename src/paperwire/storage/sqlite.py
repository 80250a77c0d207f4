"""The SQLite Store: the engine-neutral parts on one SQLite file."""

from __future__ import annotations

from paperwire.storage.sql_store import SqlStore
from paperwire.storage.sqlite_base import SqliteBase
from paperwire.storage.sqlite_copy import SqliteCopy


class SqliteStore(SqliteBase, SqlStore, SqliteCopy):
    """The Store on one SQLite file (WAL, busy_timeout, BEGIN IMMEDIATE writes)."""
