"""The PostgreSQL Store: the engine-neutral parts on one PostgreSQL database."""

from __future__ import annotations

from paperwire.storage.postgres_base import PostgresBase
from paperwire.storage.postgres_copy import PostgresCopy
from paperwire.storage.sql_store import SqlStore


class PostgresStore(PostgresBase, SqlStore, PostgresCopy):
    """The Store on one PostgreSQL database (pooled connections, advisory locks)."""
