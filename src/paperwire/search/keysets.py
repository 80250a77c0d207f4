"""The papers satisfying a query's constraints, kept as sorted key arrays between queries.

A filtered search asks the keyword index which papers satisfy its constraints (a date range,
categories, an organization, phrases, authors, exclusions) twice: how many, and whether each
batch of vector candidates does. Reading the matching keys once costs about 0.35 µs a paper;
after that both answers are array operations, and the next query with the same constraints
(paging, another query text under the same filters, the next visitor browsing the same
category) pays nothing. Sets of up to ``MAX_KEYS`` papers are kept, the ``SLOTS`` most recent
constraint sets, for one generation of the index (a new commit or another searcher's view
of more segments starts afresh).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np
import numpy.typing as npt

from paperwire.search.query import SearchQuery

Keys = npt.NDArray[np.uint64]
MAX_KEYS = 100_000  # larger sets are answered by the index each time
SLOTS = 32


def build_constraint_key(query: SearchQuery) -> Hashable:
    """What identifies a query's constraints (two queries with the same one match the same
    papers)."""
    f = query.filters
    return (query.parsed.phrases, query.parsed.authors, query.excluded, f.date_from, f.date_to,
            f.category_names, f.org_names, f.has_code)


class KeySets:
    """A small LRU of (total, sorted keys) per constraint key and index generation."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.slots = slots
        self._sets: OrderedDict[Hashable, tuple[int, Keys | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: Hashable,
            load: Callable[[], tuple[int, Keys | None]]) -> tuple[int, Keys | None]:
        """The total and sorted keys (None past ``MAX_KEYS``) for ``key``, loaded once."""
        slot = (key, generation)
        with self._lock:
            found = self._sets.get(slot)
            if found is not None:
                self._sets.move_to_end(slot)
                return found
        total, keys = load()
        found = (total, None if keys is None else np.sort(keys))
        with self._lock:
            self._sets[slot] = found
            while len(self._sets) > self.slots:
                self._sets.popitem(last=False)
        return found


def build_membership(members: Keys, keys: Keys) -> npt.NDArray[np.bool_]:
    """Which of ``keys`` are in the sorted array ``members``."""
    if len(members) == 0 or len(keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(members, keys), len(members) - 1)
    return np.asarray(members[at] == keys)
