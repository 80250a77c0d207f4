"""The SQLite Store: one class made of one part per capability."""

from __future__ import annotations

from paperwire.storage.sqlite_catalog import SqliteCatalog
from paperwire.storage.sqlite_digests import SqliteDigests


class SqliteStore(SqliteCatalog, SqliteDigests):
    """The Store on one SQLite file (WAL, busy_timeout, BEGIN IMMEDIATE writes)."""
