"""The community part of the store: accounts, sessions, votes, comments, members."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from paperwire.models import DailyEntry, DailySubmission, Organization, Paper
from paperwire.models_community import Comment, User, VoteResult
from paperwire.storage.rows import in_chunks, row_to_daily, row_to_paper, text_to_dt, ts
from paperwire.storage.sql_base import Connection, Row, SqlBase
from paperwire.storage.sql_catalog import DAILY_SELECT, PAPER_SELECT, insert_daily

COMMENT_SELECT = ("SELECT c.*, u.username AS username FROM comments c "
                  "JOIN users u ON u.id = c.user_id")
VISIBLE = "deleted_at IS NULL AND hidden_at IS NULL"


def row_to_user(row: Row) -> User:
    return User(id=row["id"], username=row["username"], email=row["email"],
                is_admin=bool(row["is_admin"]), created_at=text_to_dt(row["created_at"]))


def row_to_comment(row: Row) -> Comment:
    created = text_to_dt(row["created_at"])
    assert created is not None
    return Comment(id=row["id"], paper_id=row["paper_id"], username=row["username"],
                   body=row["body"], created_at=created, parent_id=row["parent_id"],
                   edited_at=text_to_dt(row["edited_at"]), deleted=row["deleted_at"] is not None,
                   hidden=row["hidden_at"] is not None)


class SqlCommunity(SqlBase):
    # -- accounts --------------------------------------------------------------------
    def create_user(self, username: str, email: str, password_hash: str,
                    now: datetime) -> User | None:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO users (username, username_key, email, email_key, password_hash,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (username, username.lower(), email, email.lower(), password_hash, ts(now)))
            if not cur.rowcount:
                return None
        return self.get_user_by_name(username)

    def _user_where(self, where: str, value: Any) -> User | None:
        row = self.query_one(f"SELECT * FROM users WHERE {where} = ?", (value,))
        return None if row is None else row_to_user(row)

    def get_user(self, user_id: int) -> User | None:
        return self._user_where("id", user_id)

    def get_user_by_name(self, username: str) -> User | None:
        return self._user_where("username_key", username.lower())

    def get_user_by_email(self, email: str) -> User | None:
        return self._user_where("email_key", email.lower())

    def get_password_hash(self, user_id: int) -> str | None:
        value = self.scalar("SELECT password_hash FROM users WHERE id = ?", (user_id,))
        return None if value is None else str(value)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                         (password_hash, user_id))

    def set_admin(self, username: str, is_admin: bool) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE users SET is_admin = ? WHERE username_key = ?",
                               (int(is_admin), username.lower()))
            return bool(cur.rowcount)

    # -- sessions, throttling, resets ------------------------------------------------
    def create_session(self, id_hash: str, user_id: int, now: datetime,
                       expires: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (ts(now),))
            conn.execute("INSERT INTO sessions (id_hash, user_id, created_at, expires_at)"
                         " VALUES (?, ?, ?, ?)", (id_hash, user_id, ts(now), ts(expires)))

    def get_session_user(self, id_hash: str, now: datetime) -> User | None:
        row = self.query_one("SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id"
                             " WHERE s.id_hash = ? AND s.expires_at > ?", (id_hash, ts(now)))
        return None if row is None else row_to_user(row)

    def delete_session(self, id_hash: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def delete_user_sessions(self, user_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    def record_login_failure(self, username_key: str, now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE failed_at < ?",
                         (ts(now - timedelta(days=1)),))
            conn.execute("INSERT INTO login_failures (username_key, failed_at) VALUES (?, ?)",
                         (username_key, ts(now)))

    def count_login_failures(self, username_key: str, since: datetime) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM login_failures WHERE username_key = ?"
                               " AND failed_at > ?", (username_key, ts(since))))

    def add_password_reset(self, token_hash: str, user_id: int, now: datetime,
                           expires: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO password_resets (token_hash, user_id, created_at,"
                         " expires_at) VALUES (?, ?, ?, ?)",
                         (token_hash, user_id, ts(now), ts(expires)))

    def use_password_reset(self, token_hash: str, now: datetime) -> int | None:
        """Spend a reset token: the user id when it was unused and unexpired, else None."""
        with self.transaction() as conn:
            row = conn.execute("UPDATE password_resets SET used_at = ? WHERE token_hash = ?"
                               " AND used_at IS NULL AND expires_at > ? RETURNING user_id",
                               (ts(now), token_hash, ts(now))).fetchone()
            return None if row is None else int(row[0])

    def count_password_resets(self, user_id: int, since: datetime) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM password_resets WHERE user_id = ? AND"
                               " created_at > ?", (user_id, ts(since))))

    # -- votes -----------------------------------------------------------------------
    def set_vote(self, user_id: int, paper_id: str, on: bool, now: datetime) -> VoteResult:
        """Put the vote on or off; the cached count moves only when a row was added/removed."""
        with self.transaction() as conn:
            self.serialize(conn, f"paper:{paper_id}")
            if on:
                cur = conn.execute("INSERT INTO votes (user_id, paper_id, created_at)"
                                   " VALUES (?, ?, ?) ON CONFLICT (user_id, paper_id) DO NOTHING",
                                   (user_id, paper_id, ts(now)))
            else:
                cur = conn.execute("DELETE FROM votes WHERE user_id = ? AND paper_id = ?",
                                   (user_id, paper_id))
            if cur.rowcount:
                conn.execute("UPDATE papers SET upvotes = imported_upvotes + (SELECT COUNT(*)"
                             " FROM votes v WHERE v.paper_id = papers.id) WHERE id = ?",
                             (paper_id,))
            count = conn.execute("SELECT upvotes FROM papers WHERE id = ?",
                                 (paper_id,)).fetchone()
        return VoteResult(paper_id, on, int(count[0]) if count else 0)

    def voted_papers(self, user_id: int, paper_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk, marks in in_chunks(paper_ids):
            rows = self.query(f"SELECT paper_id FROM votes WHERE user_id = ? AND paper_id IN"
                              f" ({marks})", [user_id, *chunk])
            found.update(r[0] for r in rows)
        return found

    def all_voted_papers(self, user_id: int) -> set[str]:
        return {r[0] for r in self.query("SELECT paper_id FROM votes WHERE user_id = ?",
                                         (user_id,))}

    def list_upvoted(self, user_id: int, limit: int) -> list[Paper]:
        rows = self.query(PAPER_SELECT + " JOIN votes v ON v.paper_id = p.id WHERE v.user_id = ?"
                          " ORDER BY v.created_at DESC LIMIT ?", (user_id, limit))
        return [row_to_paper(r) for r in rows]

    def upvoted_ids(self, user_id: int, limit: int) -> list[str]:
        """The ids of ``list_upvoted`` (same papers, same order), without the rows."""
        rows = self.query("SELECT p.id FROM papers p JOIN votes v ON v.paper_id = p.id"
                          " WHERE v.user_id = ? ORDER BY v.created_at DESC LIMIT ?",
                          (user_id, limit))
        return [r[0] for r in rows]

    # -- comments --------------------------------------------------------------------
    def _recount_comments(self, conn: Connection, paper_id: str) -> None:
        conn.execute(f"UPDATE papers SET num_comments = (SELECT COUNT(*) FROM comments c"
                     f" WHERE c.paper_id = papers.id AND {VISIBLE}) WHERE id = ?", (paper_id,))

    def add_comment(self, paper_id: str, user_id: int, parent_id: int | None, body: str,
                    now: datetime) -> int:
        with self.transaction() as conn:
            self.serialize(conn, f"paper:{paper_id}")
            row = conn.execute("INSERT INTO comments (paper_id, user_id, parent_id, body,"
                               " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                               (paper_id, user_id, parent_id, body, ts(now))).fetchone()
            self._recount_comments(conn, paper_id)
            return int(row[0])

    def get_comment(self, comment_id: int) -> Comment | None:
        row = self.query_one(COMMENT_SELECT + " WHERE c.id = ?", (comment_id,))
        return None if row is None else row_to_comment(row)

    def list_comments(self, paper_id: str) -> list[Comment]:
        rows = self.query(COMMENT_SELECT + " WHERE c.paper_id = ? ORDER BY c.created_at, c.id",
                          (paper_id,))
        return [row_to_comment(r) for r in rows]

    def list_user_comments(self, user_id: int, limit: int) -> list[Comment]:
        rows = self.query(COMMENT_SELECT + " WHERE c.user_id = ? AND c.deleted_at IS NULL"
                          " AND c.hidden_at IS NULL ORDER BY c.created_at DESC LIMIT ?",
                          (user_id, limit))
        return [row_to_comment(r) for r in rows]

    def edit_comment(self, comment_id: int, body: str, now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE comments SET body = ?, edited_at = ? WHERE id = ?",
                         (body, ts(now), comment_id))

    def remove_comment(self, comment_id: int, now: datetime, *, hide: bool) -> None:
        column = "hidden_at" if hide else "deleted_at"
        with self.transaction() as conn:
            row = conn.execute("SELECT paper_id FROM comments WHERE id = ?",
                               (comment_id,)).fetchone()
            if row is None:
                return
            self.serialize(conn, f"paper:{row[0]}")
            conn.execute(f"UPDATE comments SET {column} = COALESCE({column}, ?) WHERE id = ?",
                         (ts(now), comment_id))
            self._recount_comments(conn, row[0])

    # -- submissions -----------------------------------------------------------------
    def submit_daily(self, submission: DailySubmission, per_day: int) -> str:
        """Add a user's submission atomically: "added", "limit" or "duplicate"."""
        with self.transaction() as conn:
            self.serialize(conn, f"submit:{submission.submitted_by}")
            used = conn.execute("SELECT COUNT(*) FROM daily_submissions WHERE submitted_by = ?"
                                " AND day = ?", (submission.submitted_by,
                                                 submission.day.isoformat())).fetchone()[0]
            if used >= per_day:
                return "limit"
            return "added" if insert_daily(conn, submission) else "duplicate"

    def count_user_submissions(self, username: str, day: date) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM daily_submissions WHERE submitted_by = ?"
                               " AND day = ?", (username, day.isoformat())))

    def list_submitted(self, username: str, limit: int) -> list[DailyEntry]:
        rows = self.query(DAILY_SELECT + " WHERE d.submitted_by = ? ORDER BY d.submitted_at DESC"
                          " LIMIT ?", (username, limit))
        return [row_to_daily(r) for r in rows]

    def match_papers(self, text: str, limit: int) -> list[Paper]:
        """Papers whose title or abstract contains ``text`` (case-insensitive), newest first."""
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%")\
            .replace("_", "\\_") + "%"
        rows = self.query(PAPER_SELECT + " WHERE LOWER(p.title) LIKE ? ESCAPE '\\' OR"
                          " LOWER(p.summary) LIKE ? ESCAPE '\\' ORDER BY p.published_at IS NULL,"
                          " p.published_at DESC, p.id LIMIT ?", (pattern, pattern, limit))
        return [row_to_paper(r) for r in rows]

    # -- organizations ---------------------------------------------------------------
    def list_organizations(self) -> list[Organization]:
        rows = self.query("SELECT * FROM organizations ORDER BY name")
        return [Organization(r["name"], r["fullname"], r["avatar"]) for r in rows]

    def add_org_member(self, org_name: str, user_id: int, now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO organization_members (organization, user_id, added_at)"
                         " VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (org_name, user_id, ts(now)))

    def list_org_members(self, org_name: str) -> list[User]:
        rows = self.query("SELECT u.* FROM organization_members m JOIN users u ON u.id = m.user_id"
                          " WHERE m.organization = ? ORDER BY u.username_key", (org_name,))
        return [row_to_user(r) for r in rows]

    def is_org_member(self, org_name: str, user_id: int) -> bool:
        return self.scalar("SELECT 1 FROM organization_members WHERE organization = ? AND"
                           " user_id = ?", (org_name, user_id)) is not None

    def list_org_papers(self, org_name: str, offset: int, limit: int) -> list[Paper]:
        rows = self.query(PAPER_SELECT + " WHERE p.id IN (SELECT paper_id FROM"
                          " paper_organizations WHERE organization = ?) ORDER BY"
                          " p.published_at IS NULL, p.published_at DESC, p.id LIMIT ? OFFSET ?",
                          (org_name, limit, offset))
        return [row_to_paper(r) for r in rows]

    def count_org_papers(self, org_name: str) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM paper_organizations WHERE organization = ?",
                               (org_name,)))

    def count_papers_per_organization(self) -> dict[str, int]:
        rows = self.query("SELECT organization, COUNT(*) AS n FROM paper_organizations"
                          " GROUP BY organization")
        return {r["organization"]: int(r["n"]) for r in rows}

    def stats_community(self) -> dict[str, int]:
        tables = ("users", "votes", "comments", "sessions")
        return {name: int(self.scalar(f"SELECT COUNT(*) FROM {name}")) for name in tables}
