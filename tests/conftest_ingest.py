"""Fixtures of the ingest tests: a fake arXiv on loopback and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paperwire.bootstrap import open_store
from paperwire.config import Settings, load_settings
from paperwire.storage.sqlite import SqliteStore
from tests.fake_arxiv import FakeArxiv, sample_papers

INTERVAL = 0.2


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv(sample_papers()) as server:
        yield server


@pytest.fixture
def ingest_env(env: dict[str, str], fake: FakeArxiv) -> dict[str, str]:
    return {**env, "PAPERWIRE_ARXIV_OAI_URL": fake.oai_url,
            "PAPERWIRE_ARXIV_API_URL": fake.api_url,
            "PAPERWIRE_ARXIV_MIN_INTERVAL": str(INTERVAL),
            "PAPERWIRE_ARXIV_MAX_RETRIES": "3", "PAPERWIRE_ARXIV_TIMEOUT": "2",
            "PAPERWIRE_CONTACT_EMAIL": "ops@paperwire.test"}


@pytest.fixture
def isettings(ingest_env: dict[str, str]) -> Settings:
    return load_settings(ingest_env)


@pytest.fixture
def istore(isettings: Settings) -> Iterator[SqliteStore]:
    s = open_store(isettings)
    yield s  # type: ignore[misc]
    s.close()
