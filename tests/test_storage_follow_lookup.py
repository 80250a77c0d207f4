"""The follow lookup tables (``paper_authors``, ``paper_categories``) say what the papers
say after every kind of paper write, the migration fills them in for a database that had
papers before, and the lookups give what the old full-table SQL gave, in the same order."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.ids import derived_id
from paperwire.models import Author, DailySubmission, IncomingPaper, Paper
from paperwire.storage import sql_base
from paperwire.storage.sqlite import SqliteStore

NOW = datetime(2025, 10, 13, 9, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NEWEST = " ORDER BY p.published_at IS NULL, p.published_at DESC, p.id LIMIT ?"
# The lookups as they were: a scan of every paper (lower() of SQLite folds ASCII letters only).
OLD_WHERE = {
    ("sqlite", "author"): "EXISTS (SELECT 1 FROM json_each(p.authors_json) a"
                          " WHERE lower(json_extract(a.value, '$.name')) = lower(?))",
    ("postgresql", "author"): "EXISTS (SELECT 1 FROM jsonb_array_elements(p.authors_json::jsonb)"
                              " a WHERE lower(a.value ->> 'name') = lower(?))",
    ("sqlite", "category"): "(' ' || p.categories || ' ') LIKE ('% ' || ? || ' %')",
    ("postgresql", "category"): "(' ' || p.categories || ' ') LIKE ('% ' || ? || ' %')",
}


def ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def recency(published_at: str | None) -> int:
    if published_at is None:
        return 2**62
    return -((datetime.fromisoformat(published_at) - EPOCH) // timedelta(microseconds=1))


def brute_force(store: SqliteStore) -> tuple[set[tuple[str, int, str]], set[tuple[str, int, str]]]:
    """The lookup rows recomputed from every stored paper."""
    authors, categories = set(), set()
    for row in store.query("SELECT id, authors_json, categories, published_at FROM papers"):
        newest = recency(row["published_at"])
        for author in json.loads(row["authors_json"]):
            if author.get("name"):
                authors.add((ascii_lower(author["name"]), newest, row["id"]))
        for token in row["categories"].split(" "):
            if token:
                categories.add((ascii_lower(token), newest, row["id"]))
    return authors, categories


def stored(store: SqliteStore) -> tuple[set[tuple[str, int, str]], set[tuple[str, int, str]]]:
    return ({tuple(r) for r in store.query("SELECT name_key, newest, paper_id FROM paper_authors")},
            {tuple(r) for r in store.query(
                "SELECT category, newest, paper_id FROM paper_categories")})


def assert_in_step(store: SqliteStore) -> None:
    authors, categories = stored(store)
    want_authors, want_categories = brute_force(store)
    assert authors == want_authors
    assert categories == want_categories
    assert store.scalar("SELECT COUNT(*) FROM paper_authors") == len(want_authors)


def old_ids(store: SqliteStore, kind: str, value: str, limit: int) -> list[str]:
    where = OLD_WHERE[(store.engine, kind)]
    return [r[0] for r in store.query(f"SELECT p.id FROM papers p WHERE {where}{NEWEST}",
                                      (value, limit))]


def paper(n: int, *names: str, cats: tuple[str, ...] = ("cs.CL",), hours: int | None = 0,
          version: int = 1) -> IncomingPaper:
    when = None if hours is None else NOW - timedelta(hours=hours)
    return IncomingPaper(Paper(id=f"2510.{n:05d}", title=f"Paper {n}", version=version,
                               authors=tuple(Author(a) for a in names), categories=cats,
                               published_at=when))


def test_the_lookup_tables_follow_every_paper_write(store: SqliteStore) -> None:
    store.upsert_papers([paper(1, "Ada Lovelace", "Bo Li", cats=("cs.CL", "cs.LG")),
                         paper(2, "ADA LOVELACE", "ada lovelace", cats=("cs.LG", "cs.LG")),
                         paper(3, "Émile Zola", hours=None),
                         paper(4, cats=(), hours=24 * 365 * 60)])  # before 1970
    assert_in_step(store)
    rest = store.insert_new_papers([paper(10 + n, "Bo Li", cats=("math.AG",), hours=n)
                                    for n in range(5)] + [paper(1, "Ada Lovelace")])
    assert [i.paper.id for i in rest] == ["2510.00001"]
    assert store.count_papers() == 9
    assert_in_step(store)
    store.upsert_papers([paper(1, "Grace Hopper", "Bo Li", cats=("stat.ML",), hours=5, version=2),
                         paper(2, "Ada Lovelace", cats=("cs.LG",), hours=None, version=2)])
    assert_in_step(store)
    assert store.paper_ids_followed("category", "cs.CL", 10) == ["2510.00003"]
    title = "A Paper First Seen Without Its Id"
    pid = derived_id(title)
    store.upsert_papers([IncomingPaper(Paper(id=pid, title=title, authors=(Author("Kim Ng"),),
                                             categories=("cs.IR",), published_at=NOW),
                                       daily=DailySubmission(pid, date(2025, 10, 13), NOW),
                                       id_is_derived=True)])
    assert store.paper_ids_followed("author", "kim ng", 5) == [pid]
    store.upsert_papers([IncomingPaper(Paper(id="2510.09999", title=title, version=1,
                                             authors=(Author("Kim Ng"), Author("Li Wu"))))])
    assert store.resolve_alias(pid) == "2510.09999"
    assert_in_step(store)
    assert store.paper_ids_followed("author", "Kim Ng", 5) == ["2510.09999"]
    assert store.paper_ids_followed("category", "cs.IR", 5) == ["2510.09999"]


def test_the_lookups_give_what_the_old_scan_gave(store: SqliteStore) -> None:
    """Same papers, same order: ties of published_at by id, undated papers last."""
    names = ("Ada Lovelace", "Bo Li", "Carl Gauss")
    store.upsert_papers([paper(n, names[n % 3], names[n % 2], cats=("cs.CL", "cs.LG")[: 1 + n % 2],
                               hours=None if n % 7 == 0 else n % 4) for n in range(40)])
    store.insert_new_papers([paper(100 + n, "Ada Lovelace", cats=("cs.LG",), hours=n % 3)
                             for n in range(20)])
    for kind, value in (("author", "ada lovelace"), ("author", "BO LI"), ("author", "nobody"),
                        ("category", "cs.LG"), ("category", "cs.CL"), ("category", "cs.AI")):
        for limit in (1, 7, 50):
            want = old_ids(store, kind, value, limit)
            assert store.paper_ids_followed(kind, value, limit) == want
            assert [p.id for p in store.papers_followed(kind, value, limit)] == want
    assert len(store.paper_ids_followed("author", "ada lovelace", 50)) == 47


def test_the_migration_fills_the_tables_from_stored_papers(store: SqliteStore) -> None:
    store.upsert_papers([paper(1, "Ada Lovelace", "Bo Li", cats=("cs.CL", "cs.LG")),
                         paper(2, "ADA lovelace", "Ada Lovelace", cats=("cs.LG", "cs.LG"),
                               hours=3),
                         paper(3, "Émile Zola", cats=("cs.CL",), hours=None),
                         paper(4, cats=(), hours=24 * 365 * 60)])
    with store.transaction() as conn:
        conn.execute("DROP TABLE paper_authors")
        conn.execute("DROP TABLE paper_categories")
        conn.execute("DELETE FROM schema_migrations WHERE version = 18")
    assert store.migrate() == ["0018_follow_lookup.sql" if store.engine == "sqlite"
                               else "0018_follow_lookup.postgresql.sql"]
    assert_in_step(store)
    assert store.scalar("SELECT COUNT(*) FROM paper_authors") == 4


@pytest.mark.sqlite_only("only SQLite databases hold papers written before version 18")
def test_an_older_database_gets_its_lookup_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    older = [m for m in sql_base.list_migrations() if m[0] <= 17]
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL)")
    conn.create_function("paperwire_title_hash", 1, lambda key: 0)
    for version, name, sql in older:
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (version, name))
    conn.execute("INSERT INTO papers (id, title, title_key, id_is_derived, changed_at, authors_json,"
                 " categories, published_at) VALUES ('2510.00001', 'T', 't', 0, 'then',"
                 " '[{\"name\": \"Ada LOVELACE\"}, {\"name\": \"\"}, {\"hidden\": true}]',"
                 " 'cs.CL  cs.lg', '2025-10-13T09:00:00.250000+00:00')")
    conn.close()
    store = SqliteStore(tmp_path / "old.db")
    assert stored(store) == ({("ada lovelace", -1760346000250000, "2510.00001")},
                             {("cs.cl", -1760346000250000, "2510.00001"),
                              ("cs.lg", -1760346000250000, "2510.00001")})
    assert_in_step(store)
    assert store.paper_ids_followed("category", "CS.LG", 5) == ["2510.00001"]


@pytest.mark.sqlite_only("the plan of SQLite; PostgreSQL's is measured in bench/follows.py")
def test_a_lookup_is_a_range_of_the_primary_key(store: SqliteStore) -> None:
    from paperwire.storage.sql_personal import _facet_ids

    for kind in ("author", "category"):
        plan = " ".join(r[3] for r in store.query("EXPLAIN QUERY PLAN " + _facet_ids(kind),
                                                  ("x", 5)))
        assert "USING PRIMARY KEY" in plan and "TEMP B-TREE" not in plan, plan
