"""Search fixtures: one embedder per test session, one indexed demo catalog per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paperwire.bootstrap import Services, build_services, open_store
from paperwire.config import Settings, load_settings
from paperwire.search.embedder import OnnxEmbedder, load_embedder
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.helpers import load_demo
from tests.search_helpers import search_env


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    return load_embedder("package", None, tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory,
                  session_database_url: str | None) -> Settings:
    env = search_env(tmp_path_factory.mktemp("demo"))
    if session_database_url is not None:
        env["PAPERWIRE_DATABASE_URL"] = session_database_url
    return load_settings(env)


@pytest.fixture(scope="session")
def demo_store(demo_settings: Settings) -> Iterator[SqliteStore]:
    store = open_store(demo_settings)
    load_demo(store, demo_settings)
    yield store  # type: ignore[misc]
    store.close()


@pytest.fixture(scope="session")
def demo_services(demo_settings: Settings, demo_store: SqliteStore,
                  embedder: OnnxEmbedder) -> Iterator[Services]:
    built = build_services(demo_settings, store=demo_store, embedder=embedder)
    built.search.index()
    yield built
    built.close()


@pytest.fixture(scope="session")
def demo_client(demo_services: Services) -> Iterator[TestClient]:
    """A client over the demo corpus, indexed for search (one per test session)."""
    with TestClient(create_app(demo_services), base_url="http://testserver") as client:
        yield client
