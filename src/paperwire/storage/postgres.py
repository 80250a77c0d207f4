"""The PostgreSQL Store: the engine-neutral parts on one PostgreSQL database."""

from __future__ import annotations

from paperwire.storage.postgres_base import PostgresBase
from paperwire.storage.sql_catalog import SqlCatalog
from paperwire.storage.sql_community import SqlCommunity
from paperwire.storage.sql_digests import SqlDigests
from paperwire.storage.sql_ingest import SqlIngest
from paperwire.storage.sql_limits import SqlLimits
from paperwire.storage.sql_links import SqlLinks
from paperwire.storage.sql_personal import SqlPersonal
from paperwire.storage.sql_queues import SqlQueues
from paperwire.storage.sql_search import SqlSearch


class PostgresStore(PostgresBase, SqlCatalog, SqlIngest, SqlCommunity, SqlSearch, SqlDigests,
                    SqlLimits, SqlLinks, SqlPersonal, SqlQueues):
    """The Store on one PostgreSQL database (pooled connections, advisory locks)."""
