"""The digests part of the SQLite store: the outbox is unique per (subscriber, period)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paperwire.models_digests import OutboxDraft
from paperwire.storage.sqlite import SqliteStore
from tests.digest_helpers import MONDAY, add_confirmed, add_daily, make_paper
from tests.helpers import INTEGRITY_ERRORS

NOW = datetime(2025, 10, 13, 6, tzinfo=UTC)


def test_outbox_rows_are_unique_and_creation_is_idempotent(store: SqliteStore) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "One"), make_paper("2510.00002", "Two")])
    emails = add_confirmed(store, 2)
    ids = [store.get_subscriber(email=e).id for e in emails]  # type: ignore[union-attr]
    drafts = [OutboxDraft(i, f"<{i}@x>", (("2510.00001", "trending"),)) for i in ids]
    assert store.create_outbox("daily:2025-10-13", drafts, NOW) == 2
    assert store.create_outbox("daily:2025-10-13", drafts, NOW) == 0
    assert store.outbox_subscriber_ids("daily:2025-10-13") == set(ids)
    with pytest.raises(INTEGRITY_ERRORS), store.transaction() as conn:
        conn.execute("INSERT INTO digest_outbox (subscriber_id, period, status, message_id,"
                     " next_attempt_at, created_at) VALUES (?, 'daily:2025-10-13', 'pending',"
                     " '<dup@x>', '', '')", (ids[0],))
    assert store.sent_paper_ids(["2510.00001", "2510.00002"], "daily:2025-10-14") == {
        ids[0]: {"2510.00001"}, ids[1]: {"2510.00001"}}
    assert store.sent_paper_ids(["2510.00001"], "daily:2025-10-13") == {}
    [first, *_] = store.due_outbox(NOW, 10)
    store.mark_outbox_done(first.id, "skipped", "unsubscribed")
    assert set(store.sent_paper_ids(["2510.00001"], "daily:2025-10-14")) == (
        set(ids) - {first.subscriber.id})
    assert store.stats_digests() == {"subscribers_confirmed": 2, "digests_sent": 0,
                                     "digests_pending": 1}


def test_due_rows_wait_for_their_retry_time(store: SqliteStore) -> None:
    add_daily(store, MONDAY, [make_paper("2510.00001", "One")])
    [email] = add_confirmed(store, 1)
    sid = store.get_subscriber(email=email).id  # type: ignore[union-attr]
    store.create_outbox("daily:2025-10-13", [OutboxDraft(sid, "<m@x>", (("2510.00001", "t"),))],
                        NOW)
    [entry] = store.due_outbox(NOW, 10)
    assert entry.items == (("2510.00001", "t"),) and entry.subscriber.email == email
    later = NOW + timedelta(seconds=60)
    store.mark_outbox_retry(entry.id, 1, later, "451 later")
    assert store.due_outbox(NOW, 10) == [] and store.next_retry_at() == later
    assert [e.attempts for e in store.due_outbox(later, 10)] == [1]
    store.mark_outbox_sent(entry.id, later)
    assert store.due_outbox(later, 10) == [] and store.next_retry_at() is None
    assert store.outbox_counts() == {"sent": 1}
