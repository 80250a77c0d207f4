import threading
from datetime import UTC, date, datetime

import pytest

from paperwire.ids import derived_id
from paperwire.models import DailySubmission, IncomingPaper, Organization, Paper
from paperwire.storage import sql_base
from paperwire.storage.sqlite import SqliteStore

NOW = datetime(2025, 10, 13, 9, 0, tzinfo=UTC)


def derived(title: str, **kw: object) -> IncomingPaper:
    pid = derived_id(title)
    return IncomingPaper(Paper(id=pid, title=title, **kw),  # type: ignore[arg-type]
                         daily=DailySubmission(pid, date(2025, 10, 13), NOW),
                         organization=Organization("lab", "The Lab"), id_is_derived=True)


def test_migrations_are_applied_once(store: SqliteStore) -> None:
    assert store.schema_version() == max(m[0] for m in sql_base.list_migrations())
    assert store.migrate() == []


@pytest.mark.sqlite_only("journal_mode is a SQLite setting")
def test_sqlite_runs_in_wal_mode(store: SqliteStore) -> None:
    assert store.scalar("PRAGMA journal_mode") == "wal"


def test_upsert_is_idempotent(store: SqliteStore) -> None:
    item = IncomingPaper(Paper(id="2401.00001", title="A", summary="S", version=1))
    assert store.upsert_papers([item]).inserted == 1
    assert store.upsert_papers([item]).unchanged == 1
    assert store.count_papers() == 1


def test_new_version_updates_the_row_and_old_version_does_not(store: SqliteStore) -> None:
    store.upsert_papers([IncomingPaper(Paper(id="2401.00001", title="A", version=2))])
    store.upsert_papers([IncomingPaper(Paper(id="2401.00001", title="A old", version=1))])
    assert store.get_paper("2401.00001").title == "A"  # type: ignore[union-attr]
    store.upsert_papers([IncomingPaper(Paper(id="2401.00001", title="A new", version=3))])
    paper = store.get_paper("2401.00001")
    assert paper is not None and paper.title == "A new" and paper.version == 3
    assert store.count_papers() == 1


def test_derived_paper_merges_into_arxiv_id_and_keeps_references(store: SqliteStore) -> None:
    title = "Binary Embedding-based Retrieval at Tencent"
    store.upsert_papers([derived(title, imported_upvotes=5, author_count=10)])
    old = derived_id(title)
    result = store.upsert_papers([IncomingPaper(Paper(id="2302.08714", version=1,
                                                      title=title.upper(), summary="Real"))])
    assert result.merged == 1
    assert store.count_papers() == 1
    assert store.resolve_alias(old) == "2302.08714"
    paper = store.get_paper("2302.08714")
    assert paper is not None and paper.upvotes == 5 and paper.summary == "Real"
    assert paper.organization is not None and paper.organization.name == "lab"
    entry = store.get_daily_entry("2302.08714")
    assert entry is not None and entry.day == date(2025, 10, 13)
    # the page arriving again afterwards changes nothing and adds no paper
    store.upsert_papers([derived(title, imported_upvotes=5, author_count=10)])
    assert store.count_papers() == 1


def test_derived_paper_arriving_after_the_real_one_joins_it(store: SqliteStore) -> None:
    store.upsert_papers([IncomingPaper(Paper(id="2302.08714", title="Same Title", summary="R"))])
    store.upsert_papers([derived("Same title", summary="page text", imported_upvotes=2)])
    assert store.count_papers() == 1
    paper = store.get_paper("2302.08714")
    assert paper is not None and paper.summary == "R" and paper.imported_upvotes == 2
    assert store.resolve_alias(derived_id("Same title")) == "2302.08714"


def test_concurrent_writers_never_hit_lock_errors(store: SqliteStore) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                store.upsert_papers([IncomingPaper(Paper(id=f"24{n:02d}.{i:05d}", title=f"{n} {i}"))])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_papers() == 160


def test_iter_papers_since_follows_changes(store: SqliteStore) -> None:
    store.upsert_papers([IncomingPaper(Paper(id=f"2401.0000{i}", title=f"T{i}")) for i in range(3)])
    seqs = [seq for seq, _ in store.iter_papers_since(0)]
    assert len(seqs) == 3 and seqs == sorted(seqs)
    store.upsert_papers([IncomingPaper(Paper(id="2401.00001", title="Changed"))])
    changed = [p.id for _, p in store.iter_papers_since(seqs[-1])]
    assert changed == ["2401.00001"]


@pytest.mark.sqlite_only("the backup API copies a SQLite file")
def test_backup_copies_a_consistent_database(store: SqliteStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store.upsert_papers([IncomingPaper(Paper(id="2401.00001", title="T"))])
    store.backup(tmp_path / "copy.db")
    copy = SqliteStore(tmp_path / "copy.db")
    assert copy.count_papers() == 1
    copy.close()


@pytest.mark.sqlite_only("SQLite databases older than version 6 exist; PostgreSQL ones do not")
def test_title_hashes_of_an_older_database_are_filled_in(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from paperwire.ids import title_hash, title_key
    older = [m for m in sql_base.list_migrations() if m[0] <= 5]
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL)")
    for version, name, sql in older:
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (version, name))
    conn.execute("INSERT INTO papers (id, title, title_key, id_is_derived, changed_at) VALUES"
                 " ('x-1', 'Same Title', 'same title', 1, 'then')")
    conn.close()
    store = SqliteStore(tmp_path / "old.db")
    assert store.scalar("SELECT title_hash FROM papers") == title_hash(title_key("Same Title"))
    store.upsert_papers([IncomingPaper(Paper(id="2302.08714", title="SAME title"))])
    assert store.count_papers() == 1 and store.resolve_alias("x-1") == "2302.08714"


def test_submissions_at_different_offsets_sort_by_time(store: SqliteStore) -> None:
    """12:30 at -04:00 is 16:30 UTC: later than 15:00 UTC, whatever the text of the offsets."""
    from datetime import timedelta, timezone

    day = date(2025, 10, 13)
    new_york = timezone(timedelta(hours=-4))
    store.upsert_papers([IncomingPaper(Paper(id=f"2510.0000{n}", title=f"P{n}")) for n in (1, 2)])
    morning_in_new_york = datetime(2025, 10, 13, 12, 30, tzinfo=new_york)
    assert store.add_daily_submission(DailySubmission("2510.00001", day, morning_in_new_york))
    assert store.submit_daily(DailySubmission("2510.00002", day,
                                              datetime(2025, 10, 13, 15, 0, tzinfo=UTC), "ada"),
                              per_day=5) == "added"
    entries = store.list_daily(day, day, sort="date", offset=0, limit=10)
    assert [e.paper.id for e in entries] == ["2510.00001", "2510.00002"]  # newest first
    texts = [row[0] for row in store.query("SELECT submitted_at FROM daily_submissions")]
    assert sorted(texts) == ["2025-10-13T15:00:00.000000+00:00", "2025-10-13T16:30:00.000000+00:00"]


@pytest.mark.sqlite_only("only SQLite databases hold timestamps written before version 10")
def test_migration_normalizes_stored_timestamps_to_utc(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SqliteStore(tmp_path / "old.db")
    store.upsert_papers([IncomingPaper(Paper(id=f"2510.0000{n}", title=f"P{n}")) for n in (1, 2)])
    with store.transaction() as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = 10")
        conn.execute("UPDATE papers SET published_at = '2025-10-13T12:30:00-04:00'"
                     " WHERE id = '2510.00001'")
        conn.executemany("INSERT INTO daily_submissions (paper_id, day, submitted_at)"
                         " VALUES (?, '2025-10-13', ?)",
                         [("2510.00001", "2025-10-13T12:30:00.250000-04:00"),
                          ("2510.00002", "2025-10-13T15:00:00+00:00")])
    assert store.migrate() == ["0010_utc_timestamps.sql"]
    rows = dict(store.query("SELECT paper_id, submitted_at FROM daily_submissions"))
    assert rows == {"2510.00001": "2025-10-13T16:30:00.250000+00:00",
                    "2510.00002": "2025-10-13T15:00:00.000000+00:00"}
    assert store.scalar("SELECT published_at FROM papers WHERE id = '2510.00001'") == \
        "2025-10-13T16:30:00.000000+00:00"
    day = date(2025, 10, 13)
    entries = store.list_daily(day, day, sort="date", offset=0, limit=10)
    assert [e.paper.id for e in entries] == ["2510.00001", "2510.00002"]
    store.close()


def test_lookups_by_many_ids_return_every_match(store: SqliteStore) -> None:
    """Ids past one IN (...) chunk (500) are looked up too, never dropped."""
    from paperwire.models import StoredEmbedding

    ids = [f"2510.{n:05d}" for n in range(1, 1202)]
    store.upsert_papers([IncomingPaper(Paper(id=pid, title=f"T {pid}")) for pid in ids])
    store.save_embeddings([StoredEmbedding(pid, "m", "h", 2, b"\x00" * 4) for pid in ids], None)
    assert len(store.get_embeddings(ids, "m")) == len(ids)
    assert len(store.embedding_hashes(ids)) == len(ids)
    assert [p.id for p in store.get_papers(ids)] == ids


def test_personal_rows_at_different_offsets_sort_by_time(store: SqliteStore) -> None:
    """Dismissals written at 12:30 -04:00 (16:30 UTC), 15:00 UTC with zero microseconds and
    15:00:00.5 UTC come back newest first; a cutoff with an offset compares by time too."""
    from datetime import timedelta, timezone

    new_york = timezone(timedelta(hours=-4))
    ids = [f"2510.0000{n}" for n in (1, 2, 3)]
    store.upsert_papers([IncomingPaper(Paper(id=pid, title=f"P {pid}",
                                             published_at=datetime(2025, 10, 13, 15, tzinfo=UTC)))
                         for pid in ids])
    user = store.create_user("ada", "ada@example.org", "x", datetime(2025, 10, 1, tzinfo=UTC))
    times = [datetime(2025, 10, 13, 12, 30, tzinfo=new_york),
             datetime(2025, 10, 13, 15, 0, tzinfo=UTC),
             datetime(2025, 10, 13, 15, 0, 0, 500000, tzinfo=UTC)]
    for pid, when in zip(ids, times, strict=True):
        store.set_dismissal(user.id, pid, True, when)
    assert store.dismissed_ids(user.id) == ["2510.00001", "2510.00003", "2510.00002"]
    texts = sorted(r[0] for r in store.query("SELECT created_at FROM dismissals"))
    assert texts == ["2025-10-13T15:00:00.000000+00:00", "2025-10-13T15:00:00.500000+00:00",
                     "2025-10-13T16:30:00.000000+00:00"]
    # 12:00 -04:00 is 16:00 UTC: the papers published at 15:00 UTC are older than the cutoff
    assert store.recent_paper_ids(datetime(2025, 10, 13, 12, tzinfo=new_york), 10) == []
    assert len(store.recent_paper_ids(datetime(2025, 10, 13, 11, tzinfo=new_york), 10)) == 3


@pytest.mark.sqlite_only("only SQLite databases hold personal rows written before version 13")
def test_migration_normalizes_personal_timestamps_to_utc(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SqliteStore(tmp_path / "old.db")
    store.upsert_papers([IncomingPaper(Paper(id=f"2510.0000{n}", title=f"P{n}")) for n in (1, 2)])
    user = store.create_user("ada", "ada@example.org", "x", datetime(2025, 10, 1, tzinfo=UTC))
    with store.transaction() as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = 13")
        conn.executemany("INSERT INTO dismissals (user_id, paper_id, created_at) VALUES (?, ?, ?)",
                         [(user.id, "2510.00001", "2025-10-13T12:30:00.250000-04:00"),
                          (user.id, "2510.00002", "2025-10-13T15:00:00+00:00")])
        conn.execute("INSERT INTO follows (user_id, kind, value, value_key, created_at)"
                     " VALUES (?, 'category', 'cs.LG', 'cs.lg', '2025-10-13T15:00:00+00:00')",
                     (user.id,))
    assert store.migrate() == ["0013_personal_timestamps.sql"]
    rows = dict(store.query("SELECT paper_id, created_at FROM dismissals"))
    assert rows == {"2510.00001": "2025-10-13T16:30:00.250000+00:00",
                    "2510.00002": "2025-10-13T15:00:00.000000+00:00"}
    assert store.scalar("SELECT created_at FROM follows") == "2025-10-13T15:00:00.000000+00:00"
    assert store.dismissed_ids(user.id) == ["2510.00001", "2510.00002"]
    store.close()


@pytest.mark.parametrize("engine", sql_base.ENGINES)
def test_each_migration_number_is_used_once(engine: str) -> None:
    """Two files of one number would leave the second one never applied."""
    versions = [version for version, _name, _sql in sql_base.list_migrations(engine)]
    assert versions == sorted(set(versions))


def test_the_id_lists_match_the_paper_lists(store: SqliteStore) -> None:
    """``paper_ids_followed`` and ``upvoted_ids`` give the ids of ``papers_followed`` and
    ``list_upvoted``, same order: the For-you model of a digest and of the page agree."""
    from datetime import timedelta

    from paperwire.models import Author

    papers = [Paper(id=f"2401.{n:05d}", title=f"P{n}", authors=(Author("Ada Lovelace"),)
                    if n % 2 else (Author("Bo Li"),), categories=("cs.CL",) if n % 3 else
                    ("cs.LG", "cs.CL"), published_at=NOW - timedelta(hours=n % 7))
              for n in range(30)]
    store.upsert_papers([IncomingPaper(p) for p in papers])
    for kind, value in (("author", "ada lovelace"), ("category", "cs.LG"),
                        ("category", "cs.CL"), ("author", "nobody")):
        want = [p.id for p in store.papers_followed(kind, value, 12)]
        assert store.paper_ids_followed(kind, value, 12) == want
        assert (len(want) > 0) == (value != "nobody")
    user = store.create_user("ada", "ada@example.org", "x", NOW)
    assert user is not None
    for n, paper in enumerate(papers[:9]):
        store.set_vote(user.id, paper.id, True, NOW + timedelta(minutes=n))
    assert store.upvoted_ids(user.id, 5) == [p.id for p in store.list_upvoted(user.id, 5)]
    assert len(store.upvoted_ids(user.id, 5)) == 5
