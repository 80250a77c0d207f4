"""The limits part of the store: sliding-window event counts shared by every process,
the write probe of the health check, and claims of imported author handles."""

from __future__ import annotations

from datetime import datetime, timedelta

from paperwire.storage.rows import text_to_dt, ts
from paperwire.storage.sql_base import SqlBase

KEEP_EVENTS = timedelta(days=31)  # the longest window any limit looks back


class SqlLimits(SqlBase):
    def take_rate_slot(self, bucket: str, key: str, now: datetime, since: datetime,
                       limit: int) -> bool:
        """Record an event unless ``limit`` events since ``since`` exist (one transaction,
        so concurrent processes never both take the last slot)."""
        with self.transaction() as conn:
            self.serialize(conn, f"rate:{bucket}:{key}")
            used = conn.execute("SELECT COUNT(*) FROM rate_events WHERE bucket = ? AND key = ?"
                                " AND at > ?", (bucket, key, ts(since))).fetchone()[0]
            if used >= limit:
                return False
            self.record_rate_event(bucket, key, now)
            return True

    def record_rate_event(self, bucket: str, key: str, now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM rate_events WHERE at < ?", (ts(now - KEEP_EVENTS),))
            conn.execute("INSERT INTO rate_events (bucket, key, at) VALUES (?, ?, ?)",
                         (bucket, key, ts(now)))

    def rate_events(self, bucket: str, key: str,
                    since: datetime) -> tuple[int, datetime | None]:
        """How many events since ``since``, and when the newest was."""
        row = self.query_one("SELECT COUNT(*), MAX(at) FROM rate_events WHERE bucket = ? AND"
                             " key = ? AND at > ?", (bucket, key, ts(since)))
        assert row is not None
        return int(row[0]), text_to_dt(row[1])

    def clear_rate_events(self, bucket: str, key: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM rate_events WHERE bucket = ? AND key = ?", (bucket, key))

    def add_author_claim(self, handle: str, user_id: int, via: str, now: datetime) -> bool:
        """Link an imported author handle to a local account; False if already linked."""
        with self.transaction() as conn:
            cur = conn.execute("INSERT INTO author_claims (handle_key, handle, user_id, via,"
                               " approved_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               (handle.lower(), handle, user_id, via, ts(now)))
            return bool(cur.rowcount)

    def claimed_handles(self, user_id: int) -> set[str]:
        rows = self.query("SELECT handle_key FROM author_claims WHERE user_id = ?", (user_id,))
        return {str(r[0]) for r in rows}
