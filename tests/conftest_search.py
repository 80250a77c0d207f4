"""Search fixtures: one embedder per test session, one indexed demo catalog per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paperwire.config import Settings, load_settings
from paperwire.search.embedder import OnnxEmbedder, load_embedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.helpers import load_demo
from tests.search_helpers import search_env


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    return load_embedder("package", None, tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(search_env(tmp_path_factory.mktemp("demo")))


@pytest.fixture(scope="session")
def demo_store(demo_settings: Settings, embedder: OnnxEmbedder) -> Iterator[SqliteStore]:
    store = SqliteStore(demo_settings.database_path)
    load_demo(store, demo_settings)
    SearchService(demo_settings, store, embedder).index()
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_service(demo_settings: Settings, demo_store: SqliteStore,
                 embedder: OnnxEmbedder) -> SearchService:
    return SearchService(demo_settings, demo_store, embedder)


@pytest.fixture(scope="session")
def demo_client(demo_settings: Settings, demo_store: SqliteStore,
                demo_service: SearchService) -> Iterator[TestClient]:
    app = create_app(demo_settings, demo_store, search=demo_service)
    with TestClient(app, base_url="http://testserver") as client:
        yield client
