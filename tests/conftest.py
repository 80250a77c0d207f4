"""Shared fixtures: settings, a real store (SQLite, or PostgreSQL with ``--engine postgresql``:
see ``conftest_engine.py``), the services built on them, an app client,
a CLI runner, a loopback SMTP server.

One family: ``env`` → ``settings`` → ``store`` → ``services`` (``build_services`` with the test's
store) → ``client`` (``create_app(services)``). A test that needs other parts builds its own
``Services`` with ``build_services(settings, store=store, mailer=..., embedder=...)``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.bootstrap import Services, build_services, open_store
from paperwire.config import Settings, load_settings
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.smtp_sink import SmtpSink

pytest_plugins = ["tests.conftest_engine", "tests.conftest_ingest", "tests.conftest_search",
                  "tests.conftest_personal", "tests.conftest_community",
                  "tests.conftest_digests"]



@pytest.fixture
def env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    """Environment variables for a fresh data dir and database (what the CLI and settings
    read)."""
    values = {
        "PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
        "PAPERWIRE_SECRET_KEY": "test-secret-key-0123456789-abcdefghijkl",
        "PAPERWIRE_BASE_URL": "http://testserver",
    }
    if database_url is not None:
        values["PAPERWIRE_DATABASE_URL"] = database_url
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def store(settings: Settings) -> Iterator[SqliteStore]:
    s = open_store(settings)
    yield s  # type: ignore[misc]
    s.close()


@pytest.fixture
def services(settings: Settings, store: SqliteStore) -> Iterator[Services]:
    built = build_services(settings, store=store)
    yield built
    built.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def loaded_client(client: TestClient, store: SqliteStore, settings: Settings) -> TestClient:
    """``client`` over the demo corpus (not indexed for search: see ``demo_client``)."""
    from tests.helpers import load_demo

    load_demo(store, settings)
    return client


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps what it receives."""
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def cli(env: dict[str, str]) -> CliRunner:
    """A Click runner whose invocations see ``env`` (use ``cli.invoke(main, [...])``)."""
    return CliRunner(env=env)
