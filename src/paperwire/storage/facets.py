"""The follow lookup tables: every paper under each of its author names (``paper_authors``)
and arXiv categories (``paper_categories``), keyed (key, newest, paper id), so that the
newest papers of a followed author or category are one index range scan.

``newest`` is minus the publication time in microseconds since the epoch (``NO_DATE`` for a
paper without one): ascending order is the catalog's newest-first order (published_at
descending, undated papers last, ties by id) with every key column ascending, which both
engines serve from the primary key. Keys are folded like SQLite's ``lower()`` (ASCII letters
only), the matching the follow lookups always had on SQLite. The store writes these rows in
the transaction of every paper write (``write_facets``); migration 0018 fills them in once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from paperwire.storage.sql_base import Connection

NO_DATE = 2**62
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Follow kind -> (table, key column).
FACET_TABLES = {"author": ("paper_authors", "name_key"),
                "category": ("paper_categories", "category")}
# The paper columns the lookup rows are built from (with the id).
FACET_COLUMNS = frozenset({"authors_json", "categories", "published_at"})
FacetRows = dict[str, list[tuple[str, int, str]]]


def fold_key(text: str) -> str:
    """``text`` with ASCII letters lowered and nothing else changed (SQLite's ``lower``)."""
    return text.lower() if text.isascii() else text.translate(ASCII_LOWER)


def build_newest(published_at: str | None) -> int:
    """The recency key of a stored ``published_at``: smaller is newer, no date last."""
    if published_at is None:
        return NO_DATE
    when = datetime.fromisoformat(published_at)
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return -((aware - EPOCH) // timedelta(microseconds=1))


def build_author_keys(authors_json: str | None) -> set[str]:
    try:
        authors = msgspec.json.decode(authors_json or "[]")
    except msgspec.DecodeError:
        return set()
    names = (a.get("name") for a in authors if isinstance(a, dict)) \
        if isinstance(authors, list) else ()
    return {fold_key(n) for n in names if isinstance(n, str) and n}


def build_category_keys(categories: str | None) -> set[str]:
    return {fold_key(c) for c in (categories or "").split(" ") if c}


def build_facets(paper: Any) -> FacetRows:
    """The lookup rows of one stored paper (a row or dict with id, authors_json, categories
    and published_at)."""
    return build_facet_rows(paper["id"], paper["authors_json"], paper["categories"],
                            paper["published_at"])


def build_facet_rows(pid: str, authors_json: str | None, categories: str | None,
                     published_at: str | None) -> FacetRows:
    newest = build_newest(published_at)
    return {"paper_authors": [(k, newest, pid) for k in build_author_keys(authors_json)],
            "paper_categories": [(k, newest, pid) for k in build_category_keys(categories)]}


def merge_facets(many: Iterable[FacetRows]) -> FacetRows:
    merged: FacetRows = {"paper_authors": [], "paper_categories": []}
    for rows in many:
        for table, found in rows.items():
            merged[table].extend(found)
    return merged


def write_facets(conn: Connection, rows: FacetRows, *, add: bool) -> None:
    """Add (or remove) lookup rows, inside the transaction of the paper write."""
    for table, found in rows.items():
        if not found:
            continue
        key = "name_key" if table == "paper_authors" else "category"
        sql = (f"INSERT INTO {table} ({key}, newest, paper_id) VALUES (?, ?, ?)"
               " ON CONFLICT DO NOTHING" if add else
               f"DELETE FROM {table} WHERE {key} = ? AND newest = ? AND paper_id = ?")
        conn.executemany(sql, found)


def replace_facets(conn: Connection, old: Any | None, new: Any | None) -> None:
    """Move a paper's lookup rows from its stored state ``old`` to ``new`` (None: absent)."""
    before = build_facets(old) if old is not None else merge_facets(())
    after = build_facets(new) if new is not None else merge_facets(())
    gone = {t: sorted(set(before[t]) - set(after[t])) for t in before}
    came = {t: sorted(set(after[t]) - set(before[t])) for t in after}
    write_facets(conn, gone, add=False)
    write_facets(conn, came, add=True)


def facet_rows_of(rows: Iterable[tuple[str, str | None, str | None, str | None]]) -> FacetRows:
    """The lookup rows of many (id, authors_json, categories, published_at), in key order
    (neighbouring index pages: fewer pages written)."""
    merged = merge_facets(build_facet_rows(*r) for r in rows)
    return {table: sorted(found) for table, found in merged.items()}
