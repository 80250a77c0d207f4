"""The queues part of the store: outgoing mail and submissions waiting for arXiv."""

from __future__ import annotations

from datetime import datetime

from paperwire.models_queues import QueuedMail, QueuedSubmission
from paperwire.storage.rows import in_chunks, text_to_dt, text_to_when, ts
from paperwire.storage.sql_base import Connection, Row, SqlBase

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

    def claim_due_mail(self, now: datetime, limit: int, until: datetime) -> list[QueuedMail]:
        with self.transaction() as conn:
            ids = self._claim(conn, "mail_queue", now, limit, until)
        return sorted((row_to_mail(r) for r in self._rows_by_id("SELECT * FROM mail_queue", "id", ids)),
                      key=lambda mail: mail.id)

    def _claim(self, conn: Connection, table: str, now: datetime, limit: int,
               until: datetime) -> list[int]:
        """Move the next try of the due rows of ``table`` to ``until``; their ids. The outer
        condition is checked again on a row another worker just claimed, so it is skipped."""
        due = "status = 'queued' AND next_try_at <= ?"
        rows = conn.execute(
            f"UPDATE {table} SET next_try_at = ? WHERE {due} AND id IN (SELECT id FROM {table}"
            f" WHERE {due} ORDER BY next_try_at, id LIMIT ?{self.skip_locked}) RETURNING id",
            (ts(until), ts(now), ts(now), limit)).fetchall()
        return [int(r[0]) for r in rows]

    def _rows_by_id(self, select: str, id_column: str, ids: list[int]) -> list[Row]:
        found: list[Row] = []
        for chunk, marks in in_chunks(ids):
            found.extend(self.query(f"{select} WHERE {id_column} IN ({marks})", chunk))
        return found

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

    def claim_due_submissions(self, now: datetime, limit: int,
                              until: datetime) -> list[QueuedSubmission]:
        with self.transaction() as conn:
            ids = self._claim(conn, "submission_queue", now, limit, until)
        rows = self._rows_by_id(SUBMISSION_SELECT, "q.id", ids)
        return sorted((row_to_submission(r) for r in rows), key=lambda item: item.id)

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
