"""The store's parts together, written once for every SQL engine (an engine base comes first)."""

from __future__ import annotations

from paperwire.storage.sql_account import SqlAccount
from paperwire.storage.sql_catalog import SqlCatalog
from paperwire.storage.sql_community import SqlCommunity
from paperwire.storage.sql_digests import SqlDigests
from paperwire.storage.sql_ingest import SqlIngest
from paperwire.storage.sql_limits import SqlLimits
from paperwire.storage.sql_links import SqlLinks
from paperwire.storage.sql_personal import SqlPersonal
from paperwire.storage.sql_queues import SqlQueues
from paperwire.storage.sql_search import SqlSearch


class SqlStore(SqlCatalog, SqlIngest, SqlCommunity, SqlSearch, SqlDigests, SqlLimits, SqlLinks,
               SqlPersonal, SqlQueues, SqlAccount):
    """Every part of the Store in portable SQL."""

    def stats(self) -> dict[str, int]:
        """Counts for ``paperwire stats``: each part's own ``stats_*``, named here."""
        return {**self.stats_catalog(), **self.stats_community(), **self.stats_digests(),
                **self.stats_ingest(), **self.stats_search()}
