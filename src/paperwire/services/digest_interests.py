"""The "similar to papers you upvoted" digest section for account subscriptions.

``UpvoteInterests`` reads the account's latest upvotes. The period's papers among the nearest
neighbours the search index gives for them come first (``search_similar``); the rest of the
section is filled with the period's papers sharing the most rare words with the upvoted ones
(``rank_similar``), so the section works before any search index is built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from paperwire.digests.build import Candidates, rank_similar
from paperwire.errors import PaperwireError
from paperwire.services.search import MAX_LIMIT, SearchService
from paperwire.storage import Store

log = logging.getLogger(__name__)
UPVOTES_CONSIDERED = 50

Similar = Callable[[Sequence[str]], list[str]]


def search_similar(search: SearchService) -> Similar:
    """Paper ids nearest to a set of papers in the search index (none without an index)."""

    def similar(paper_ids: Sequence[str]) -> list[str]:
        return [p.id for p in search.similar_to_papers(paper_ids, MAX_LIMIT)]

    return similar


class UpvoteInterests:
    def __init__(self, store: Store, similar: Similar | None = None) -> None:
        self.store = store
        self.similar = similar

    def similar_to_upvoted(self, username: str, cands: Candidates, limit: int) -> list[str]:
        user = self.store.get_user_by_name(username)
        if user is None:
            return []
        liked = self.store.list_upvoted(user.id, UPVOTES_CONSIDERED)
        if not liked:
            return []
        chosen = [pid for pid in self._nearest([p.id for p in liked]) if pid in cands.rank]
        for pid in rank_similar(cands, liked, limit):
            if pid not in chosen:
                chosen.append(pid)
        return chosen[:limit]

    def _nearest(self, paper_ids: list[str]) -> list[str]:
        if self.similar is None:
            return []
        try:
            return self.similar(paper_ids)
        except PaperwireError as exc:  # the word-overlap ranking still fills the section
            log.warning("search similarity unavailable for the digest: %s", exc)
            return []
