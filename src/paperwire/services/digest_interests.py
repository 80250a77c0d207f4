"""The "similar to papers you upvoted" digest section for account subscriptions.

``UpvoteInterests`` reads the account's recent upvotes. With a ``similar`` function (papers
nearest to a set of papers, e.g. from the search index) it keeps the period's papers among
those; without one it ranks the period's papers by the rare words they share with the
upvoted ones (``rank_similar``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperwire.digests.build import Candidates, rank_similar
from paperwire.storage import Store

UPVOTES_CONSIDERED = 50
SIMILAR_DEPTH = 100

Similar = Callable[[Sequence[str], int], list[str]]


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
        if self.similar is None:
            return rank_similar(cands, liked, limit)
        nearest = self.similar([p.id for p in liked], SIMILAR_DEPTH)
        return [pid for pid in nearest if pid in cands.rank][:limit]
