"""What an account adds to the digest of its subscription (a subscriber with a username).

The account's follows join the subscriber's own choices (categories, authors, organizations;
saved searches become keyword sections), its mutes (categories, keywords, authors) leave
papers out of every section, papers it already upvoted, saved or marked "not interested" are
never sent, and the "For you" section ranks the period's papers by the account's model
(``for_you.rank_among``, the cached model of its current signals).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from paperwire.config import Settings
from paperwire.digests.build import Candidates
from paperwire.models_digests import Preferences, Subscriber
from paperwire.models_personal import Follow
from paperwire.services import for_you
from paperwire.services.follows import muted_by, parse_search_value
from paperwire.storage import Store


@dataclass(frozen=True)
class AccountPart:
    """``excluded``: every id the account leaves out; ``muted``: those left out only by its
    mutes (not already upvoted, saved or marked "not interested")."""

    prefs: Preferences
    excluded: frozenset[str]
    for_you: tuple[str, ...] = ()
    muted: frozenset[str] = frozenset()


def merge_follows(prefs: Preferences, follows: list[Follow]) -> Preferences:
    """The subscriber's preferences with the account's follows added (no repeats)."""
    def values(kind: str) -> list[str]:
        return [f.value for f in follows if f.kind == kind]

    searches = [parse_search_value(f.value)[0] for f in follows if f.kind == "search"]
    return replace(
        prefs,
        keywords=tuple(dict.fromkeys([*prefs.keywords, *(q for q in searches if q)])),
        categories=tuple(dict.fromkeys([*prefs.categories, *values("category")])),
        authors=tuple(dict.fromkeys([*prefs.authors, *values("author")])),
        organizations=tuple(dict.fromkeys([*prefs.organizations, *values("organization")])))


class AccountDigests:
    """Builds the account part of each linked subscriber's digest."""

    def __init__(self, store: Store, settings: Settings, now: datetime) -> None:
        self.store, self.settings, self.now = store, settings, now

    def part_for(self, subscriber: Subscriber, cands: Candidates) -> AccountPart | None:
        if not subscriber.username:
            return None
        user = self.store.get_user_by_name(subscriber.username)
        if user is None:
            return None
        ids = [p.id for p in cands.papers]
        mutes = self.store.list_mutes(user.id)
        muted = {p.id for p in cands.papers if muted_by(p, mutes) is not None}
        marked = self.store.voted_papers(user.id, ids)
        marked |= set(self.store.saved_ids(user.id)) | set(self.store.dismissed_ids(user.id))
        excluded = muted | marked
        prefs = merge_follows(subscriber.preferences, self.store.list_follows(user.id))
        ranked: list[str] = []
        if "for_you" in prefs.sections:
            ranked = for_you.rank_among(self.store, self.settings, user, ids, self.now,
                                        excluded)
        return AccountPart(prefs, frozenset(excluded), tuple(ranked),
                           frozenset(muted - marked))
