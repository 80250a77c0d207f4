"""The catalog part of the store: papers, aliases, organizations, daily lists."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from paperwire.ids import title_hash, title_key
from paperwire.models import (
    DailyEntry,
    DailySubmission,
    ImportReport,
    IncomingPaper,
    Organization,
    Paper,
    UpsertResult,
)
from paperwire.storage.facets import FACET_COLUMNS, replace_facets
from paperwire.storage.rows import in_chunks, paper_columns, row_to_daily, row_to_paper, ts
from paperwire.storage.sql_base import Connection, Row, SqlBase, utc_now

ORG_COLUMNS = "o.name AS org_name, o.fullname AS org_fullname, o.avatar AS org_avatar"
ORG_JOIN = """
LEFT JOIN organizations o ON o.name = (
    SELECT po.organization FROM paper_organizations po WHERE po.paper_id = p.id
    ORDER BY po.organization LIMIT 1)
"""
PAPER_SELECT = f"\nSELECT p.*, {ORG_COLUMNS}\nFROM papers p{ORG_JOIN}"
DAILY_SELECT = (
    "\nSELECT p.*, d.day AS d_day, d.submitted_at AS d_submitted_at, "
    f"d.submitted_by AS d_submitted_by, {ORG_COLUMNS}\n"
    f"FROM daily_submissions d JOIN papers p ON p.id = d.paper_id{ORG_JOIN}"
)
DAILY_SORTS = {
    "upvotes": "p.upvotes DESC, d.submitted_at DESC, p.id",
    "publishedAt": "d.submitted_at DESC, p.id",
    "date": "d.submitted_at DESC, p.id",
    "comments": "p.num_comments DESC, p.upvotes DESC, p.id",
}
KEEP_IF_EMPTY = ("summary", "authors_json", "categories", "published_at", "updated_at",
                 "pdf_url", "github_repo", "github_stars", "project_page", "withdrawn_at",
                 "version", "source")


def merge_columns(old: Row, new: dict[str, Any], fill_only: bool) -> dict[str, Any]:
    """Columns after merging ``new`` into the stored row ``old``.

    Empty values never overwrite stored ones; an older version never overwrites a newer one;
    with ``fill_only`` (a derived-id record joining a real one) only empty columns are filled.
    """
    merged = {key: old[key] for key in new}
    older = (new["version"] or 0) < (old["version"] or 0)
    for key, value in new.items():
        if key == "id":
            continue
        empty = value in (None, "", "[]", 0) and key in (*KEEP_IF_EMPTY, "author_count",
                                                          "ai_keywords_json", "imported_upvotes")
        if empty or (key == "withdrawn_at" and value is None):
            continue
        if (fill_only or older) and old[key] not in (None, "", "[]", 0):
            continue
        merged[key] = value
    return merged


def _daily_where(start: date, end: date, submitter: str | None) -> tuple[str, list[Any]]:
    where, params = "d.day >= ? AND d.day <= ?", [start.isoformat(), end.isoformat()]
    if submitter is not None:
        where += " AND d.submitted_by = ?"
        params.append(submitter)
    return where, params


class SqlCatalog(SqlBase):
    # -- papers ----------------------------------------------------------------------
    def upsert_papers(self, incoming: Sequence[IncomingPaper]) -> UpsertResult:
        counts = {"inserted": 0, "updated": 0, "unchanged": 0, "merged": 0}
        with self.transaction() as conn:
            self.serialize(conn, "catalog")
            for item in incoming:
                outcome, paper_id = self._upsert_one(conn, item)
                counts[outcome] += 1
                self._attach_extras(conn, item, paper_id)
        return UpsertResult(**counts)

    def _next_seq(self, conn: Connection) -> int:
        conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'paper_seq'")
        return int(conn.execute("SELECT value FROM counters WHERE name = 'paper_seq'")
                   .fetchone()[0])

    def _find_target(self, conn: Connection, item: IncomingPaper,
                     key: str) -> tuple[Row | None, bool]:
        """The stored row this record belongs to, and whether it is a title match."""
        pid = item.paper.id
        row = conn.execute("SELECT * FROM papers WHERE id = ?", (pid,)).fetchone()
        if row is None:
            alias = conn.execute("SELECT paper_id FROM paper_aliases WHERE old_id = ?",
                                 (pid,)).fetchone()
            if alias is not None:
                row = conn.execute("SELECT * FROM papers WHERE id = ?", (alias[0],)).fetchone()
        if row is not None:
            return row, False
        derived_only = "" if item.id_is_derived else "AND id_is_derived = 1"
        row = conn.execute(
            f"SELECT * FROM papers WHERE title_hash = ? AND title_key = ? {derived_only} "
            "ORDER BY id_is_derived, id LIMIT 1", (title_hash(key), key)).fetchone()
        return row, row is not None

    def _upsert_one(self, conn: Connection, item: IncomingPaper) -> tuple[str, str]:
        key = title_key(item.paper.title)
        new = paper_columns(item.paper, key)
        row, by_title = self._find_target(conn, item, key)
        if row is None:
            self._insert(conn, new, item.id_is_derived)
            return "inserted", item.paper.id
        target = row["id"]
        if by_title and not item.id_is_derived:
            replace_facets(conn, row, None)
            conn.execute("UPDATE papers SET id = ?, id_is_derived = 0 WHERE id = ?",
                         (item.paper.id, target))
            conn.execute("INSERT INTO paper_aliases (old_id, paper_id) VALUES (?, ?) "
                         "ON CONFLICT (old_id) DO UPDATE SET paper_id = excluded.paper_id",
                         (target, item.paper.id))
            conn.execute("UPDATE paper_aliases SET paper_id = ? WHERE paper_id = ?",
                         (item.paper.id, target))
            target = item.paper.id
            row = conn.execute("SELECT * FROM papers WHERE id = ?", (target,)).fetchone()
            replace_facets(conn, None, row)
        elif by_title:
            conn.execute("INSERT INTO paper_aliases (old_id, paper_id) VALUES (?, ?) "
                         "ON CONFLICT (old_id) DO NOTHING", (item.paper.id, target))
        fill_only = item.id_is_derived and not row["id_is_derived"]
        merged = merge_columns(row, new, fill_only=fill_only)
        merged["id"] = target
        changed = {k: v for k, v in merged.items() if row[k] != v}
        if not changed:
            return ("merged" if by_title else "unchanged"), target
        self._update(conn, target, changed, row)
        return ("merged" if by_title else "updated"), target

    def _insert(self, conn: Connection, cols: dict[str, Any], derived: bool) -> None:
        cols = {**cols, "id_is_derived": int(derived), "upvotes": cols["imported_upvotes"],
                "changed_at": utc_now(), "row_seq": self._next_seq(conn)}
        names = ", ".join(cols)
        marks = ", ".join("?" for _ in cols)
        conn.execute(f"INSERT INTO papers ({names}) VALUES ({marks})", list(cols.values()))
        replace_facets(conn, None, cols)

    def _update(self, conn: Connection, pid: str, changed: dict[str, Any],
                row: Row) -> None:
        delta = changed.get("imported_upvotes", row["imported_upvotes"]) - row["imported_upvotes"]
        changed = {**changed, "changed_at": utc_now(), "row_seq": self._next_seq(conn)}
        sets = ", ".join(f"{name} = ?" for name in changed)
        conn.execute(f"UPDATE papers SET {sets}, upvotes = upvotes + ? WHERE id = ?",
                     [*changed.values(), delta, pid])
        if FACET_COLUMNS & changed.keys():
            old = {name: row[name] for name in ("id", *FACET_COLUMNS)}
            replace_facets(conn, old, {**old, **{k: changed[k] for k in FACET_COLUMNS
                                                 if k in changed}})

    def _attach_extras(self, conn: Connection, item: IncomingPaper, pid: str) -> None:
        if item.organization is not None:
            self.upsert_organization(item.organization)
            self.attach_paper_organization(pid, item.organization.name)
        if item.daily is not None:
            self.add_daily_submission(replace(item.daily, paper_id=pid))

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.query_one(PAPER_SELECT + " WHERE p.id = ?", (paper_id,))
        return None if row is None else row_to_paper(row)

    def get_papers(self, paper_ids: Sequence[str]) -> list[Paper]:
        found: dict[str, Paper] = {}
        ids = list(paper_ids)
        for chunk, marks in in_chunks(ids):
            for row in self.query(PAPER_SELECT + f" WHERE p.id IN ({marks})", chunk):
                found[row["id"]] = row_to_paper(row)
        return [found[i] for i in ids if i in found]

    def resolve_alias(self, old_id: str) -> str | None:
        value = self.scalar("SELECT paper_id FROM paper_aliases WHERE old_id = ?", (old_id,))
        return None if value is None else str(value)

    def list_papers(self, *, offset: int, limit: int) -> list[Paper]:
        rows = self.query(PAPER_SELECT + " ORDER BY p.published_at IS NULL, p.published_at DESC,"
                          " p.id LIMIT ? OFFSET ?", (limit, offset))
        return [row_to_paper(r) for r in rows]

    def count_papers(self) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM papers"))

    def iter_papers_since(self, row_seq: int, batch: int = 1000) -> Iterator[tuple[int, Paper]]:
        """Papers changed after ``row_seq``, oldest change first, with their sequence number."""
        last = row_seq
        while True:
            rows = self.query(PAPER_SELECT + " WHERE p.row_seq > ? ORDER BY p.row_seq LIMIT ?",
                              (last, batch))
            if not rows:
                return
            for row in rows:
                last = row["row_seq"]
                yield last, row_to_paper(row)

    # -- daily lists -----------------------------------------------------------------
    def add_daily_submission(self, submission: DailySubmission) -> bool:
        with self.transaction() as conn:
            return insert_daily(conn, submission)

    def move_daily(self, moves: Sequence[tuple[str, date, datetime]]) -> None:
        """Put each (paper id, day, submitted at) on another day of the daily list."""
        with self.transaction() as conn:
            for paper_id, day, when in moves:
                conn.execute("UPDATE daily_submissions SET day = ?, submitted_at = ?"
                             " WHERE paper_id = ?", (day.isoformat(), ts(when), paper_id))

    def list_daily(self, start: date, end: date, *, sort: str, offset: int,
                   limit: int, submitter: str | None = None) -> list[DailyEntry]:
        order = DAILY_SORTS.get(sort, DAILY_SORTS["upvotes"])
        where, params = _daily_where(start, end, submitter)
        rows = self.query(DAILY_SELECT + f" WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                          [*params, limit, offset])
        return [row_to_daily(r) for r in rows]

    def count_daily(self, start: date, end: date, submitter: str | None = None) -> int:
        where, params = _daily_where(start, end, submitter)
        return int(self.scalar(f"SELECT COUNT(*) FROM daily_submissions d WHERE {where}", params))

    def get_daily_entry(self, paper_id: str) -> DailyEntry | None:
        row = self.query_one(DAILY_SELECT + " WHERE d.paper_id = ?", (paper_id,))
        return None if row is None else row_to_daily(row)

    def daily_days(self) -> tuple[date | None, date | None]:
        row = self.query_one("SELECT MIN(day), MAX(day) FROM daily_submissions")
        if row is None or row[0] is None:
            return None, None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1])

    def neighbour_day(self, day: date, direction: int) -> date | None:
        if direction < 0:
            sql = "SELECT MAX(day) FROM daily_submissions WHERE day < ?"
        else:
            sql = "SELECT MIN(day) FROM daily_submissions WHERE day > ?"
        value = self.scalar(sql, (day.isoformat(),))
        return None if value is None else date.fromisoformat(value)

    # -- organizations ---------------------------------------------------------------
    def upsert_organization(self, org: Organization) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO organizations (name, fullname, avatar, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET fullname = excluded.fullname,"
                " avatar = COALESCE(excluded.avatar, organizations.avatar)",
                (org.name, org.fullname, org.avatar, utc_now()))

    def get_organization(self, name: str) -> Organization | None:
        row = self.query_one("SELECT * FROM organizations WHERE name = ?", (name,))
        return None if row is None else Organization(row["name"], row["fullname"], row["avatar"])

    def attach_paper_organization(self, paper_id: str, org_name: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO paper_organizations (paper_id, organization) VALUES (?, ?)"
                         " ON CONFLICT DO NOTHING", (paper_id, org_name))

    # -- bookkeeping -----------------------------------------------------------------
    def log_import(self, report: ImportReport, location: str) -> None:
        sample = json.dumps([str(e) for e in report.errors[:20]], ensure_ascii=False)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO import_log (source, location, started_at, finished_at, records_read,"
                " inserted, updated, errors, error_sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (report.source, location, utc_now(), utc_now(), report.read, report.inserted,
                 report.updated, report.error_count, sample))

    def stats_catalog(self) -> dict[str, int]:
        tables = {"papers": "papers", "organizations": "organizations",
                  "daily_submissions": "daily_submissions", "imports": "import_log"}
        return {name: int(self.scalar(f"SELECT COUNT(*) FROM {table}"))
                for name, table in tables.items()}


def insert_daily(conn: Connection, submission: DailySubmission) -> bool:
    """Put a paper on a daily list unless it is on one already; True when added."""
    cur = conn.execute(
        "INSERT INTO daily_submissions (paper_id, day, submitted_at, submitted_by, comment)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id) DO NOTHING",
        (submission.paper_id, submission.day.isoformat(), ts(submission.submitted_at),
         submission.submitted_by, submission.comment))
    return bool(cur.rowcount)
