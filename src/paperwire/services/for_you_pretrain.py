"""Training "For you" models ahead of need, so that composing digests reads kept models.

Whose: the accounts linked to a confirmed digest subscription with a "For you" section, and
the users whose model one of their own requests trained in the last ``RECENT`` (recent
"For you" users). A model is stale when the user's signals changed since it was trained
or it is older than ``for_you_model.MODEL_MAX_AGE``; only stale models are trained (against
the day's shared negatives, as the digest and the page would) and kept in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.models_community import User
from paperwire.search.vectors import serve_single_threaded
from paperwire.services.for_you import MAX_CANDIDATES, gather_signals, window_start
from paperwire.services.for_you_model import (
    MODELS,
    fetch_vectors,
    keep_model,
    kept_model,
    signals_version,
    train_user_model,
)
from paperwire.storage import Store

RECENT = timedelta(days=14)
FREQUENCIES = ("daily", "weekly")


@dataclass
class PretrainRun:
    users: int = 0
    trained: int = 0
    fresh: int = 0
    skipped: int = 0


def model_users(store: Store, now: datetime) -> list[User]:
    """Linked digest subscribers with a "For you" section, then recent "For you" users."""
    names = dict.fromkeys(s.username for f in FREQUENCIES for s in store.list_subscribers(f)
                          if s.username and "for_you" in s.preferences.sections)
    users = {u.id: u for u in (store.get_user_by_name(n) for n in names if n) if u}
    for user_id in store.requested_model_users(now - RECENT):
        found = users.get(user_id) or store.get_user(user_id)
        if found is not None:
            users[user_id] = found
    return list(users.values())


def pretrain_models(store: Store, settings: Settings, now: datetime | None = None) -> PretrainRun:
    """Train the stale models of ``model_users`` and keep them (one BLAS thread: the
    products are small, and a BLAS pool spins between them)."""
    serve_single_threaded()
    now = now or now_utc()
    run = PretrainRun()
    model = store.main_embedding_model()
    since = window_start(store, settings, now)
    recent = MODELS.recent_ids(store, since, MAX_CANDIDATES)
    for user in model_users(store, now):
        run.users += 1
        outcome = prepare_model(store, model, user, recent, now) if model and recent else None
        if outcome is None:
            run.skipped += 1
        elif outcome:
            run.trained += 1
        else:
            run.fresh += 1
    return run


def prepare_model(store: Store, model: str, user: User, recent: list[str],
                  now: datetime) -> bool | None:
    """True: trained now; False: the kept model is fresh; None: nothing to learn from."""
    signals = gather_signals(store, user)
    if not signals.explicit:
        return None
    pos_ids, _ = fetch_vectors(store, model, list(signals.positives))
    if not pos_ids:
        return None
    version = signals_version(pos_ids, signals.dismissed, model)
    if kept_model(store, user.id, version, now) is not None:
        return False
    trained = train_user_model(store, model, pos_ids, signals.dismissed, recent, version, now)
    if trained is None:
        return None
    keep_model(store, user.id, trained, requested=False)
    return True
