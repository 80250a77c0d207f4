"""Personal tokens, and everything one account made: read out for export, or removed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperwire.models_community import User
from paperwire.models_personal import PersonalToken
from paperwire.storage.rows import text_to_dt, text_to_when, ts
from paperwire.storage.sql_base import Row, SqlBase
from paperwire.storage.sql_community import VISIBLE, row_to_user

TOKEN_COLUMNS = "t.id, t.user_id, t.kind, t.scope, t.label, t.created_at, t.last_used_at"
# What an account made, table by table: (name in the export, SQL with one user parameter).
ACCOUNT_QUERIES = (
    ("follows", "SELECT kind, value, created_at FROM follows WHERE user_id = ? ORDER BY id"),
    ("mutes", "SELECT kind, value, created_at FROM mutes WHERE user_id = ? ORDER BY id"),
    ("notInterested", "SELECT paper_id, created_at FROM dismissals WHERE user_id = ?"
                      " ORDER BY created_at"),
    ("upvotes", "SELECT paper_id, created_at FROM votes WHERE user_id = ? ORDER BY created_at"),
    ("comments", "SELECT id, paper_id, parent_id, body, created_at, edited_at, deleted_at"
                 " FROM comments WHERE user_id = ? ORDER BY id"),
    ("collections", "SELECT id, name, is_public, created_at FROM collections"
                    " WHERE user_id = ? ORDER BY id"),
    ("collectionItems", "SELECT i.collection_id, i.paper_id, i.note, i.position, i.added_at"
                        " FROM collection_items i JOIN collections c ON c.id = i.collection_id"
                        " WHERE c.user_id = ? ORDER BY i.collection_id, i.position"),
    ("organizations", "SELECT organization, added_at FROM organization_members"
                      " WHERE user_id = ? ORDER BY organization"),
    ("authorClaims", "SELECT handle, via, approved_at FROM author_claims WHERE user_id = ?"),
    ("queuedSubmissions", "SELECT * FROM submission_queue WHERE user_id = ? ORDER BY id"),
    ("tokens", "SELECT kind, scope, label, created_at, last_used_at FROM personal_tokens"
               " WHERE user_id = ? ORDER BY id"),
)
BY_NAME_QUERIES = (
    ("submissions", "SELECT paper_id, day, submitted_at, comment FROM daily_submissions"
                    " WHERE lower(submitted_by) = lower(?) ORDER BY submitted_at"),
    ("subscriptions", "SELECT email, status, frequency, preferences_json, created_at,"
                      " confirmed_at, unsubscribed_at FROM subscribers"
                      " WHERE lower(username) = lower(?) ORDER BY id"),
)


def _row_to_token(row: Row) -> PersonalToken:
    return PersonalToken(row["id"], row["user_id"], row["kind"], row["scope"], row["label"],
                         text_to_when(row["created_at"]), text_to_dt(row["last_used_at"]))


class SqlAccount(SqlBase):
    # -- personal tokens -------------------------------------------------------------
    def add_personal_token(self, user_id: int, kind: str, scope: str, label: str,
                           token_hash: str, now: datetime) -> int:
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO personal_tokens (user_id, kind, scope, label, token_hash,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (user_id, kind, scope, label, token_hash, ts(now))).fetchone()
            return int(row[0])

    def list_personal_tokens(self, user_id: int) -> list[PersonalToken]:
        rows = self.query(f"SELECT {TOKEN_COLUMNS} FROM personal_tokens t WHERE t.user_id = ?"
                          " ORDER BY t.kind, t.id", (user_id,))
        return [_row_to_token(r) for r in rows]

    def delete_personal_token(self, user_id: int, token_id: int) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM personal_tokens WHERE id = ? AND user_id = ?",
                               (token_id, user_id))
            return bool(cur.rowcount)

    def use_personal_token(self, token_hash: str, kind: str,
                           now: datetime) -> tuple[User, PersonalToken] | None:
        row = self.query_one(
            f"SELECT {TOKEN_COLUMNS}, u.id AS u_id, u.username, u.email, u.is_admin,"
            " u.created_at AS u_created FROM personal_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND t.kind = ?", (token_hash, kind))
        if row is None:
            return None
        with self.transaction() as conn:
            conn.execute("UPDATE personal_tokens SET last_used_at = ? WHERE id = ?",
                         (ts(now), row["id"]))
        user = row_to_user({"id": row["u_id"], "username": row["username"],
                            "email": row["email"], "is_admin": row["is_admin"],
                            "created_at": row["u_created"]})
        return user, _row_to_token(row)

    # -- the whole account -----------------------------------------------------------
    def account_rows(self, user: User) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for name, sql in ACCOUNT_QUERIES:
            found[name] = [dict(r) for r in self.query(sql, (user.id,))]
        for name, sql in BY_NAME_QUERIES:
            found[name] = [dict(r) for r in self.query(sql, (user.username,))]
        return found

    def delete_account(self, user: User) -> None:
        """Remove the user and all they made (cascades), recount what their votes and
        comments counted, and forget their name on submissions and subscriptions."""
        with self.transaction() as conn:
            touched = [r[0] for r in conn.execute(
                "SELECT paper_id FROM votes WHERE user_id = ? UNION"
                " SELECT paper_id FROM comments WHERE user_id = ?", (user.id, user.id))]
            conn.execute("DELETE FROM subscribers WHERE lower(username) = lower(?)",
                         (user.username,))
            conn.execute("UPDATE daily_submissions SET submitted_by = NULL"
                         " WHERE lower(submitted_by) = lower(?)", (user.username,))
            conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
            for paper_id in touched:
                conn.execute("UPDATE papers SET upvotes = imported_upvotes + (SELECT COUNT(*)"
                             " FROM votes v WHERE v.paper_id = papers.id), num_comments ="
                             " (SELECT COUNT(*) FROM comments c WHERE c.paper_id = papers.id"
                             f" AND {VISIBLE}) WHERE id = ?",
                             (paper_id,))
