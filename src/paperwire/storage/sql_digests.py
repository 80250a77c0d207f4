"""The digests part of the store: subscribers, confirmations, outbox, digest items."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from paperwire.models_digests import OutboxDraft, OutboxEntry, Preferences, Subscriber
from paperwire.storage.rows import in_chunks, ts
from paperwire.storage.sql_base import Connection, Row, SqlBase


def preferences_to_json(prefs: Preferences) -> str:
    return json.dumps(asdict(prefs), ensure_ascii=False, sort_keys=True)


def json_to_preferences(text: str) -> Preferences:
    raw: dict[str, Any] = json.loads(text)
    known = Preferences.__dataclass_fields__
    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v)
                              for k, v in raw.items() if k in known}
    return Preferences(**values)


def row_to_subscriber(row: Row) -> Subscriber:
    return Subscriber(id=row["id"], email=row["email"], status=row["status"],
                      token=row["token"], preferences=json_to_preferences(row["preferences_json"]),
                      username=row["username"])


class SqlDigests(SqlBase):
    # -- subscribers -----------------------------------------------------------------
    def add_subscriber(self, email: str, preferences: Preferences, token: str,
                       username: str | None, now: datetime) -> Subscriber:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO subscribers (email, username, status, frequency, token,"
                " preferences_json, created_at) VALUES (?, ?, 'pending', ?, ?, ?, ?)"
                " ON CONFLICT (email) DO NOTHING",
                (email, username, preferences.frequency, token,
                 preferences_to_json(preferences), ts(now)))
            row = conn.execute("SELECT * FROM subscribers WHERE email = ?", (email,)).fetchone()
        return row_to_subscriber(row)

    def get_subscriber(self, *, email: str | None = None,
                       token: str | None = None) -> Subscriber | None:
        if email is not None:
            row = self.query_one("SELECT * FROM subscribers WHERE email = ?", (email,))
        else:
            row = self.query_one("SELECT * FROM subscribers WHERE token = ?", (token,))
        return None if row is None else row_to_subscriber(row)

    def import_subscribers(self, emails: Sequence[tuple[str, str]], preferences: Preferences,
                           now: datetime) -> int:
        prefs = preferences_to_json(preferences)
        stamp = ts(now)
        with self.transaction() as conn:
            cur = conn.executemany(
                "INSERT INTO subscribers (email, status, frequency, token, preferences_json,"
                " created_at, confirmed_at) VALUES (?, 'confirmed', ?, ?, ?, ?, ?)"
                " ON CONFLICT (email) DO NOTHING",
                [(email, preferences.frequency, token, prefs, stamp, stamp)
                 for email, token in emails])
            return int(cur.rowcount)

    def set_preferences(self, subscriber_id: int, preferences: Preferences) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE subscribers SET preferences_json = ?, frequency = ? WHERE id = ?",
                         (preferences_to_json(preferences), preferences.frequency, subscriber_id))

    def unsubscribe(self, token: str, now: datetime) -> Subscriber | None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?"
                " WHERE token = ? AND status IN ('pending', 'confirmed')",
                (ts(now), token))
            row = conn.execute("SELECT * FROM subscribers WHERE token = ?", (token,)).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE digest_outbox SET status = 'skipped', last_error = ?"
                         " WHERE subscriber_id = ? AND status = 'pending'",
                         ("unsubscribed", row["id"]))
        return row_to_subscriber(row)

    def list_subscribers(self, frequency: str) -> list[Subscriber]:
        rows = self.query("SELECT * FROM subscribers WHERE status = 'confirmed' AND frequency = ?"
                          " ORDER BY id", (frequency,))
        return [row_to_subscriber(r) for r in rows]

    # -- confirmations ---------------------------------------------------------------
    def add_confirmation(self, subscriber_id: int, token_hash: str, now: datetime,
                         expires_at: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO subscription_confirmations (token_hash, subscriber_id,"
                         " created_at, expires_at) VALUES (?, ?, ?, ?)",
                         (token_hash, subscriber_id, ts(now), ts(expires_at)))

    def last_confirmation_at(self, subscriber_id: int) -> datetime | None:
        value = self.scalar("SELECT MAX(created_at) FROM subscription_confirmations"
                            " WHERE subscriber_id = ?", (subscriber_id,))
        return None if value is None else datetime.fromisoformat(value)

    def peek_confirmation(self, token_hash: str, now: datetime) -> Subscriber | None:
        row = self.query_one(
            "SELECT s.* FROM subscription_confirmations c JOIN subscribers s"
            " ON s.id = c.subscriber_id WHERE c.token_hash = ? AND c.used_at IS NULL"
            " AND c.expires_at > ?", (token_hash, ts(now)))
        return None if row is None else row_to_subscriber(row)

    def use_confirmation(self, token_hash: str, now: datetime) -> Subscriber | None:
        stamp = ts(now)
        with self.transaction() as conn:
            used = conn.execute(
                "UPDATE subscription_confirmations SET used_at = ? WHERE token_hash = ?"
                " AND used_at IS NULL AND expires_at > ?", (stamp, token_hash, stamp))
            if not used.rowcount:
                return None
            sid = conn.execute("SELECT subscriber_id FROM subscription_confirmations"
                               " WHERE token_hash = ?", (token_hash,)).fetchone()[0]
            conn.execute("UPDATE subscribers SET status = 'confirmed', confirmed_at = ?,"
                         " unsubscribed_at = NULL WHERE id = ? AND status != 'bounced'",
                         (stamp, sid))
            row = conn.execute("SELECT * FROM subscribers WHERE id = ?", (sid,)).fetchone()
        return row_to_subscriber(row)

    # -- outbox ----------------------------------------------------------------------
    def sent_paper_ids(self, paper_ids: Sequence[str], period: str) -> dict[int, set[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        for chunk, marks in in_chunks(paper_ids):
            rows = self.conn.execute(
                "SELECT i.subscriber_id, i.paper_id FROM digest_items i JOIN digest_outbox o"
                f" ON o.id = i.outbox_id WHERE i.paper_id IN ({marks}) AND o.period != ?"
                " AND o.status IN ('pending', 'sent')",
                [*chunk, period])
            for subscriber_id, paper_id in rows:
                found[subscriber_id].add(paper_id)
        return dict(found)

    def create_outbox(self, period: str, drafts: Sequence[OutboxDraft], now: datetime) -> int:
        stamp = ts(now)
        with self.transaction() as conn:
            self.serialize(conn, f"outbox:{period}")
            existing = {r[0] for r in conn.execute(
                "SELECT subscriber_id FROM digest_outbox WHERE period = ?", (period,))}
            new = [d for d in drafts if d.subscriber_id not in existing]
            conn.executemany(
                "INSERT INTO digest_outbox (subscriber_id, period, status, message_id,"
                " next_attempt_at, created_at, hidden_muted) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
                [(d.subscriber_id, period, d.message_id, stamp, stamp, d.hidden_muted)
                 for d in new])
            ids = dict(conn.execute(
                "SELECT subscriber_id, id FROM digest_outbox WHERE period = ?", (period,)))
            conn.executemany(
                "INSERT INTO digest_items (outbox_id, subscriber_id, paper_id, section, position)"
                " VALUES (?, ?, ?, ?, ?)",
                [(ids[d.subscriber_id], d.subscriber_id, paper_id, section, position)
                 for d in new for position, (paper_id, section) in enumerate(d.items)])
        return len(new)

    def outbox_subscriber_ids(self, period: str) -> set[int]:
        rows = self.conn.execute("SELECT subscriber_id FROM digest_outbox WHERE period = ?",
                                 (period,))
        return {int(r[0]) for r in rows}

    def due_outbox(self, now: datetime, limit: int) -> list[OutboxEntry]:
        rows = self.query(
            "SELECT o.id AS o_id, o.period, o.status AS o_status, o.attempts, o.message_id,"
            " o.hidden_muted AS o_hidden_muted, s.*"
            " FROM digest_outbox o JOIN subscribers s ON s.id = o.subscriber_id"
            " WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
            " ORDER BY o.next_attempt_at, o.id LIMIT ?", (ts(now), limit))
        items = self._items([r["o_id"] for r in rows])
        return [OutboxEntry(id=r["o_id"], period=r["period"], status=r["o_status"],
                            attempts=r["attempts"], message_id=r["message_id"],
                            subscriber=row_to_subscriber(r), items=tuple(items[r["o_id"]]),
                            hidden_muted=r["o_hidden_muted"])
                for r in rows]

    def _items(self, outbox_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if not outbox_ids:
            return found
        marks = ", ".join("?" for _ in outbox_ids)
        for row in self.query(f"SELECT outbox_id, paper_id, section FROM digest_items WHERE"
                              f" outbox_id IN ({marks}) ORDER BY outbox_id, position",
                              outbox_ids):
            found[row[0]].append((row[1], row[2]))
        return found

    def next_retry_at(self) -> datetime | None:
        value = self.scalar("SELECT MIN(next_attempt_at) FROM digest_outbox"
                            " WHERE status = 'pending'")
        return None if value is None else datetime.fromisoformat(value)

    def recent_send_times(self, limit: int) -> list[datetime]:
        rows = self.query("SELECT sent_at FROM digest_outbox WHERE sent_at IS NOT NULL"
                          " ORDER BY sent_at DESC LIMIT ?", (limit,))
        return [datetime.fromisoformat(r[0]) for r in rows]

    def _update_outbox(self, conn: Connection, outbox_id: int,
                       sets: dict[str, Any]) -> None:
        assignments = ", ".join(f"{name} = ?" for name in sets)
        conn.execute(f"UPDATE digest_outbox SET {assignments} WHERE id = ?",
                     [*sets.values(), outbox_id])

    def mark_outbox_sent(self, outbox_id: int, now: datetime) -> None:
        with self.transaction() as conn:
            self._update_outbox(conn, outbox_id, {"status": "sent", "sent_at": ts(now),
                                                  "attempts": _plus_one(conn, outbox_id)})

    def mark_outbox_retry(self, outbox_id: int, attempts: int, next_at: datetime,
                          error: str) -> None:
        with self.transaction() as conn:
            self._update_outbox(conn, outbox_id, {"attempts": attempts, "last_error": error[:500],
                                                  "next_attempt_at": ts(next_at)})

    def mark_outbox_done(self, outbox_id: int, status: str, error: str) -> None:
        with self.transaction() as conn:
            self._update_outbox(conn, outbox_id, {"status": status, "last_error": error[:500]})

    def mark_bounced(self, outbox_id: int, error: str, now: datetime) -> None:
        with self.transaction() as conn:
            self._update_outbox(conn, outbox_id, {"status": "bounced", "last_error": error[:500],
                                                  "attempts": _plus_one(conn, outbox_id)})
            sid = conn.execute("SELECT subscriber_id FROM digest_outbox WHERE id = ?",
                               (outbox_id,)).fetchone()[0]
            conn.execute("UPDATE subscribers SET status = 'bounced', bounced_at = ? WHERE id = ?",
                         (ts(now), sid))
            conn.execute("UPDATE digest_outbox SET status = 'skipped', last_error = 'bounced'"
                         " WHERE subscriber_id = ? AND status = 'pending'", (sid,))

    def outbox_counts(self) -> dict[str, int]:
        rows = self.query("SELECT status, COUNT(*) FROM digest_outbox GROUP BY status")
        return {row[0]: int(row[1]) for row in rows}

    def stats_digests(self) -> dict[str, int]:
        counts = self.outbox_counts()
        confirmed = self.scalar("SELECT COUNT(*) FROM subscribers WHERE status = 'confirmed'")
        return {"subscribers_confirmed": int(confirmed), "digests_sent": counts.get("sent", 0),
                "digests_pending": counts.get("pending", 0)}


def _plus_one(conn: Connection, outbox_id: int) -> int:
    row = conn.execute("SELECT attempts FROM digest_outbox WHERE id = ?", (outbox_id,)).fetchone()
    return int(row[0]) + 1
