"""The health check: can the site read its catalog and write its database?"""

from __future__ import annotations

from dataclasses import dataclass

from paperwire.clock import now_utc
from paperwire.errors import StorageError
from paperwire.storage import Store


@dataclass(frozen=True)
class Health:
    ok: bool
    papers: int
    database: str  # "writable", or why it is not


RECENT_S = 60.0  # a failed write keeps the check failing this long (a small probe may fit)


def check_health(store: Store) -> Health:
    """Count the papers and commit one tiny write (what every form needs to work); a real
    write that failed in the last minute fails the check too."""
    papers = store.count_papers()
    try:
        store.probe_write(now_utc())
    except StorageError as exc:
        return Health(False, papers, str(exc))
    failure = store.recent_write_failure(RECENT_S)
    if failure is not None:
        return Health(False, papers, failure)
    return Health(True, papers, "writable")
