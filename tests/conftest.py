"""Shared fixtures: settings, a real SQLite store, an app client, a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.config import Settings, load_settings
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app

pytest_plugins = ["tests.conftest_ingest", "tests.conftest_search", "tests.conftest_community",
                  "tests.conftest_digests"]

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = next((path for path in (REPO.parent / "shared" / "data", REPO / "shared" / "data")
                    if path.is_dir()), REPO.parent / "shared" / "data")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment variables for a fresh data dir (what the CLI and settings read)."""
    return {
        "PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
        "PAPERWIRE_SECRET_KEY": "test-secret-key-0123456789",
        "PAPERWIRE_BASE_URL": "http://testserver",
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def store(settings: Settings) -> Iterator[SqliteStore]:
    s = SqliteStore(settings.database_path)
    yield s
    s.close()


@pytest.fixture
def client(settings: Settings, store: SqliteStore) -> Iterator[TestClient]:
    app = create_app(settings, store)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def cli(env: dict[str, str]) -> CliRunner:
    """A Click runner whose invocations see ``env`` (use ``cli.invoke(main, [...])``)."""
    return CliRunner(env=env)
