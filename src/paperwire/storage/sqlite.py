"""The SQLite Store: one class made of one part per capability."""

from __future__ import annotations

from paperwire.storage.sqlite_catalog import SqliteCatalog
from paperwire.storage.sqlite_community import SqliteCommunity
from paperwire.storage.sqlite_ingest import SqliteIngest


class SqliteStore(SqliteCatalog, SqliteIngest, SqliteCommunity):
    """The Store on one SQLite file (WAL, busy_timeout, BEGIN IMMEDIATE writes)."""
