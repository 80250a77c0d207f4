"""The queues part of the store: outgoing mail and submissions waiting for arXiv."""

from __future__ import annotations

from datetime import datetime

from paperwire.models_queues import QueuedMail, QueuedSubmission
from paperwire.storage.rows import text_to_dt, text_to_when, ts
from paperwire.storage.sql_base import Row, SqlBase

SUBMISSION_SELECT = ("SELECT q.*, u.username AS username FROM submission_queue q"
                     " JOIN users u ON u.id = q.user_id")



def row_to_mail(row: Row) -> QueuedMail:
    return QueuedMail(id=row["id"], recipient=row["recipient"], subject=row["subject"],
                      message=row["message"], status=row["status"], attempts=row["attempts"],
                      next_try_at=text_to_when(row["next_try_at"]),
                      created_at=text_to_when(row["created_at"]),
                      last_error=row["last_error"], sent_at=text_to_dt(row["sent_at"]))


def row_to_submission(row: Row) -> QueuedSubmission:
    return QueuedSubmission(
        id=row["id"], username=row["username"], arxiv_id=row["arxiv_id"],
        comment=row["comment"], status=row["status"], attempts=row["attempts"],
        next_try_at=text_to_when(row["next_try_at"]), created_at=text_to_when(row["created_at"]),
        last_error=row["last_error"], paper_id=row["paper_id"])


class SqlQueues(SqlBase):
    # -- mail ------------------------------------------------------------------------
    def enqueue_mail(self, recipient: str, subject: str, message: str, status: str,
                     now: datetime) -> int:
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO mail_queue (recipient, subject, message, status, next_try_at,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (recipient, subject, message, status, ts(now), ts(now))).fetchone()
            return int(row[0])

    def due_mail(self, now: datetime, limit: int) -> list[QueuedMail]:
        rows = self.query("SELECT * FROM mail_queue WHERE status = 'queued' AND next_try_at <= ?"
                          " ORDER BY next_try_at, id LIMIT ?", (ts(now), limit))
        return [row_to_mail(row) for row in rows]

    def claim_mail(self, mail_id: int, seen_next_try: datetime, until: datetime) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE mail_queue SET next_try_at = ? WHERE id = ? AND"
                               " status = 'queued' AND next_try_at = ?",
                               (ts(until), mail_id, ts(seen_next_try)))
            return bool(cur.rowcount == 1)

    def mark_mail(self, mail_id: int, status: str, attempts: int, next_try_at: datetime,
                  error: str | None, now: datetime) -> None:
        sent = ts(now) if status == "sent" else None
        with self.transaction() as conn:
            conn.execute("UPDATE mail_queue SET status = ?, attempts = ?, next_try_at = ?,"
                         " last_error = ?, sent_at = ? WHERE id = ?",
                         (status, attempts, ts(next_try_at), error, sent, mail_id))

    def list_mail(self, limit: int) -> list[QueuedMail]:
        rows = self.query("SELECT * FROM mail_queue ORDER BY id DESC LIMIT ?", (limit,))
        return [row_to_mail(row) for row in rows]

    def get_mail(self, mail_id: int) -> QueuedMail | None:
        row = self.query_one("SELECT * FROM mail_queue WHERE id = ?", (mail_id,))
        return None if row is None else row_to_mail(row)

    # -- submissions -----------------------------------------------------------------
    def enqueue_submission(self, user_id: int, arxiv_id: str, comment: str | None,
                           now: datetime) -> bool:
        """Queue a fetch; False when this user already has this paper waiting."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO submission_queue (user_id, arxiv_id, comment, next_try_at,"
                " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, arxiv_id) DO UPDATE"
                " SET status = 'queued', attempts = 0, next_try_at = excluded.next_try_at,"
                " last_error = NULL, comment = excluded.comment"
                " WHERE submission_queue.status = 'failed'",
                (user_id, arxiv_id, comment, ts(now), ts(now)))
            return bool(cur.rowcount)

    def due_submissions(self, now: datetime, limit: int) -> list[QueuedSubmission]:
        rows = self.query(f"{SUBMISSION_SELECT} WHERE q.status = 'queued' AND q.next_try_at <= ?"
                          " ORDER BY q.next_try_at, q.id LIMIT ?", (ts(now), limit))
        return [row_to_submission(row) for row in rows]

    def claim_submission(self, submission_id: int, seen_next_try: datetime,
                         until: datetime) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE submission_queue SET next_try_at = ? WHERE id = ? AND"
                               " status = 'queued' AND next_try_at = ?",
                               (ts(until), submission_id, ts(seen_next_try)))
            return bool(cur.rowcount == 1)

    def mark_submission(self, submission_id: int, status: str, attempts: int,
                        next_try_at: datetime, error: str | None,
                        paper_id: str | None) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE submission_queue SET status = ?, attempts = ?, next_try_at = ?,"
                         " last_error = ?, paper_id = ? WHERE id = ?",
                         (status, attempts, ts(next_try_at), error, paper_id, submission_id))

    def get_queued_submission(self, user_id: int, arxiv_id: str) -> QueuedSubmission | None:
        row = self.query_one(f"{SUBMISSION_SELECT} WHERE q.user_id = ? AND q.arxiv_id = ?",
                             (user_id, arxiv_id))
        return None if row is None else row_to_submission(row)

    def user_submission_queue(self, user_id: int, limit: int) -> list[QueuedSubmission]:
        rows = self.query(f"{SUBMISSION_SELECT} WHERE q.user_id = ? AND q.status != 'done'"
                          " ORDER BY q.id DESC LIMIT ?", (user_id, limit))
        return [row_to_submission(row) for row in rows]
