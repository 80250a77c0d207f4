"""The enrichment part of the store: cursor listing, paper links and keywords,
GitHub repository stars and the enrichment watermarks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from paperwire.models import Paper
from paperwire.storage.rows import dump_json, row_to_paper, ts
from paperwire.storage.sql_base import Connection, SqlBase, utc_now
from paperwire.storage.sql_catalog import PAPER_SELECT

NEWEST_FIRST = "COALESCE(p.published_at, '') DESC, p.id DESC"


class SqlLinks(SqlBase):
    def list_papers_after(self, after: tuple[str, str] | None, limit: int) -> list[Paper]:
        """Papers newest first, after the (published_at, id) key of the last one seen."""
        if after is None:
            rows = self.query(PAPER_SELECT + f" ORDER BY {NEWEST_FIRST} LIMIT ?", (limit,))
        else:
            rows = self.query(PAPER_SELECT + " WHERE (COALESCE(p.published_at, ''), p.id) < (?, ?)"
                              f" ORDER BY {NEWEST_FIRST} LIMIT ?", (*after, limit))
        return [row_to_paper(r) for r in rows]

    def _touch(self, conn: Connection, paper_id: str, sets: str,
               params: Sequence[object]) -> bool:
        conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'paper_seq'")
        seq = conn.execute("SELECT value FROM counters WHERE name = 'paper_seq'").fetchone()[0]
        cur = conn.execute(f"UPDATE papers SET {sets}, changed_at = ?, row_seq = ? WHERE id = ?",
                           (*params, utc_now(), seq, paper_id))
        return bool(cur.rowcount > 0)

    def set_paper_links(self, paper_id: str, github_repo: str | None,
                        project_page: str | None) -> bool:
        """Fill the links a paper lacks (a known link is never replaced); True if changed."""
        with self.transaction() as conn:
            row = conn.execute("SELECT github_repo, project_page FROM papers WHERE id = ?",
                               (paper_id,)).fetchone()
            if row is None:
                return False
            repo = row["github_repo"] or github_repo
            page = row["project_page"] or project_page
            if (repo, page) == (row["github_repo"], row["project_page"]):
                return False
            return self._touch(conn, paper_id, "github_repo = ?, project_page = ?", (repo, page))

    def set_paper_keywords(self, paper_id: str, keywords: Sequence[str]) -> bool:
        text = dump_json(list(keywords))
        with self.transaction() as conn:
            old = conn.execute("SELECT ai_keywords_json FROM papers WHERE id = ?",
                               (paper_id,)).fetchone()
            if old is None or old[0] == text:
                return False
            return self._touch(conn, paper_id, "ai_keywords_json = ?", (text,))

    def enrichment_watermark(self, name: str) -> int:
        value = self.scalar("SELECT value FROM enrichment_state WHERE name = ?", (name,))
        return 0 if value is None else int(value)

    def set_enrichment_watermark(self, name: str, value: int) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO enrichment_state (name, value) VALUES (?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))

    def github_repos_due(self, checked_before: datetime,
                         limit: int) -> list[tuple[str, str | None]]:
        """Repositories papers link to, never checked or checked before the cutoff, with
        their stored ETag; never-checked ones first."""
        rows = self.query(
            "SELECT r.repo, g.etag FROM (SELECT DISTINCT github_repo AS repo FROM papers"
            " WHERE github_repo IS NOT NULL) r LEFT JOIN github_repos g ON g.repo = r.repo"
            " WHERE g.checked_at IS NULL OR g.checked_at < ?"
            " ORDER BY g.checked_at IS NOT NULL, g.checked_at, r.repo LIMIT ?",
            (ts(checked_before), limit))
        return [(row["repo"], row["etag"]) for row in rows]

    def save_github_repo(self, repo: str, stars: int | None, etag: str | None, status: int,
                         now: datetime) -> None:
        """Record a check; known stars go onto every paper linking the repository."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO github_repos (repo, stars, etag, status, checked_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo) DO UPDATE SET"
                " stars = COALESCE(excluded.stars, github_repos.stars),"
                " etag = COALESCE(excluded.etag, github_repos.etag),"
                " status = excluded.status, checked_at = excluded.checked_at",
                (repo, stars, etag, status, ts(now)))
            if stars is None:
                return
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM papers WHERE github_repo = ? AND"
                " (github_stars IS NULL OR github_stars != ?)", (repo, stars))]
            for paper_id in ids:
                self._touch(conn, paper_id, "github_stars = ?", (stars,))

    def papers_without_thumbnail(self, max_tries: int, limit: int) -> list[str]:
        """Ids that look like arXiv ids, newest first, with no thumbnail and fewer failed tries."""
        rows = self.query(
            "SELECT p.id FROM papers p WHERE p.thumbnail IS NULL AND p.thumbnail_tries < ? "
            f"AND p.withdrawn_at IS NULL AND ({self.new_style_arxiv_id} "
            f"OR p.id LIKE '%/%') ORDER BY {NEWEST_FIRST} LIMIT ?", (max_tries, limit))
        return [r["id"] for r in rows]

    def set_thumbnail(self, paper_id: str, key: str | None) -> None:
        """Record the thumbnail's key, or (``None``) one more failed try."""
        with self.transaction() as conn:
            if key is None:
                conn.execute("UPDATE papers SET thumbnail_tries = thumbnail_tries + 1 "
                             "WHERE id = ?", (paper_id,))
            else:
                conn.execute("UPDATE papers SET thumbnail = ? WHERE id = ?", (key, paper_id))
