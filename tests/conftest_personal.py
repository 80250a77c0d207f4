"""Personal-relevance fixtures: a small catalog of speech and vision papers, indexed with
the packaged MiniLM."""

from __future__ import annotations

import pytest

from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.personal_helpers import SPEECH, VISION, put_paper


@pytest.fixture
def catalog(store: SqliteStore, settings: Settings, embedder: OnnxEmbedder) -> SqliteStore:
    for n, title in enumerate(SPEECH):
        put_paper(store, settings, f"2601.0{n:04d}", title, categories=("eess.AS",),
                  summary=title + ". We study audio and speech.", age_days=n / 10,
                  authors=("Sam Speech",), upvotes=10 - n)
    for n, title in enumerate(VISION):
        put_paper(store, settings, f"2601.1{n:04d}", title, categories=("cs.CV",),
                  summary=title + ". We study images and pixels.", age_days=n / 10 + 0.05,
                  authors=("Vic Vision",), upvotes=n)
    put_paper(store, settings, "2301.00001", "Old segmentation paper", categories=("cs.CV",),
              age_days=400)
    SearchService(settings, store, embedder).index()
    return store
