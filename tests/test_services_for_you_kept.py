"""For-you models kept in the store: the bytes round trip on the engine under test, reuse by
another store instance (another process) without training, retraining on new signals or
age, and the pre-training job and its command (real store, real stored embeddings of the packaged MiniLM)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from paperwire.bootstrap import open_store
from paperwire.cli import main
from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.models_digests import SECTIONS, Preferences
from paperwire.models_personal import KeptModel
from paperwire.relevance_features import hash_tokens
from paperwire.relevance_training import build_pool, decode_model, encode_model, train_on_pool
from paperwire.services.for_you import for_you
from paperwire.services.for_you_model import MODELS
from paperwire.services.for_you_pretrain import pretrain_models
from paperwire.storage.sqlite import SqliteStore
from paperwire.tokens import hash_token
from tests.personal_helpers import make_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_model_round_trips_through_the_store(store: SqliteStore) -> None:
    rng = np.random.default_rng(1)
    dense = rng.normal(size=(40, 16)).astype(np.float32)
    hashed = [hash_tokens([f"w{rng.integers(50)}" for _ in range(5)]) for _ in range(40)]
    pool = build_pool(dense[10:], hashed[10:])
    model = train_on_pool(pool, dense[:10], hashed[:10])
    user = make_user(store)
    store.save_user_model(KeptModel(user.id, "v1", NOW, encode_model(model, pool.idf), NOW))
    store.save_user_model(KeptModel(user.id, "v2", NOW + timedelta(hours=1),
                                    encode_model(model, pool.idf)))
    kept = store.get_user_model(user.id)
    assert kept is not None and kept.version == "v2"
    assert kept.trained_at == NOW + timedelta(hours=1)
    assert kept.requested_at == NOW  # the job's save keeps the request's time
    again, idf = decode_model(kept.data)
    assert np.allclose(again.dense_weights, model.dense_weights, atol=1e-6)
    assert np.allclose(again.sparse_weights, model.sparse_weights, atol=1e-6)
    assert np.array_equal(idf.df, pool.idf.df) and again.bias == pytest.approx(model.bias)
    assert store.requested_model_users(NOW) == [user.id]
    assert store.requested_model_users(NOW + timedelta(seconds=1)) == []
    assert store.get_user_model(user.id + 1) is None


def test_a_kept_model_serves_another_store_without_training(catalog: SqliteStore,
                                                            settings: Settings) -> None:
    user = make_user(catalog)
    catalog.set_vote(user.id, "2601.00000", True, NOW)
    start = MODELS.trained
    first = [i.paper.id for i in for_you(catalog, settings, user).items]
    assert MODELS.trained == start + 1 and first[0].startswith("2601.0")
    other = open_store(settings)  # as another process: its own empty cache
    try:
        assert [i.paper.id for i in for_you(other, settings, user).items] == first
        assert MODELS.trained == start + 1
        catalog.set_vote(user.id, "2601.10000", True, NOW)  # new signals: trained again
        for_you(other, settings, user)
        assert MODELS.trained == start + 2
        for_you(other, settings, user, now=now_utc() + timedelta(days=8))  # too old
        assert MODELS.trained == start + 3
    finally:
        other.close()


def test_the_job_trains_only_stale_models(catalog: SqliteStore, settings: Settings) -> None:
    now = now_utc()
    linked, visitor, idle = make_user(catalog), make_user(catalog, "bob"), make_user(catalog, "cy")
    for user in (linked, visitor, idle):
        catalog.set_vote(user.id, "2601.00001", True, now)
    sub = catalog.add_subscriber("ada@example.org", Preferences(sections=SECTIONS), "t" * 32,
                                 "ada", now)
    catalog.add_confirmation(sub.id, hash_token("confirm"), now, now + timedelta(days=1))
    catalog.use_confirmation(hash_token("confirm"), now)
    for_you(catalog, settings, visitor)  # a request trains and keeps bob's model
    first = pretrain_models(catalog, settings, now)
    assert (first.users, first.trained, first.fresh) == (2, 1, 1)  # ada trained, bob fresh
    assert catalog.get_user_model(idle.id) is None
    again = pretrain_models(catalog, settings, now)
    assert (again.trained, again.fresh) == (0, 2)
    catalog.set_dismissal(linked.id, "2601.10002", True, now)
    other = open_store(settings)  # another process reads the kept models
    try:
        changed = pretrain_models(other, settings, now)
    finally:
        other.close()
    assert (changed.trained, changed.fresh) == (1, 1)
    later = pretrain_models(catalog, settings, now + timedelta(days=8))
    assert later.trained == 2


def test_the_cli_command_trains_then_leaves_fresh_models(catalog: SqliteStore,
                                                         env: dict[str, str]) -> None:
    now = now_utc()
    user = make_user(catalog)
    catalog.set_vote(user.id, "2601.10001", True, now)
    sub = catalog.add_subscriber("ada@example.org", Preferences(sections=SECTIONS), "t" * 32,
                                 "ada", now)
    catalog.add_confirmation(sub.id, hash_token("confirm"), now, now + timedelta(days=1))
    catalog.use_confirmation(hash_token("confirm"), now)
    first = CliRunner().invoke(main, ["digest", "train-models"], env=env)
    assert first.exit_code == 0, first.output
    assert "for-you models: 1 users, 1 trained, 0 fresh" in first.output
    assert catalog.get_user_model(user.id) is not None
    again = CliRunner().invoke(main, ["digest", "train-models"], env=env)
    assert "1 users, 0 trained, 1 fresh" in again.output
