"""The SQLite Store: one class made of one part per capability."""

from __future__ import annotations

from paperwire.storage.sqlite_account import SqliteAccount
from paperwire.storage.sqlite_catalog import SqliteCatalog
from paperwire.storage.sqlite_community import SqliteCommunity
from paperwire.storage.sqlite_digests import SqliteDigests
from paperwire.storage.sqlite_ingest import SqliteIngest
from paperwire.storage.sqlite_limits import SqliteLimits
from paperwire.storage.sqlite_links import SqliteLinks
from paperwire.storage.sqlite_personal import SqlitePersonal
from paperwire.storage.sqlite_queues import SqliteQueues
from paperwire.storage.sqlite_search import SqliteSearch


class SqliteStore(SqliteCatalog, SqliteIngest, SqliteCommunity, SqliteSearch, SqliteDigests,
                  SqliteLimits, SqliteLinks, SqlitePersonal, SqliteQueues, SqliteAccount):
    """The Store on one SQLite file (WAL, busy_timeout, BEGIN IMMEDIATE writes)."""
