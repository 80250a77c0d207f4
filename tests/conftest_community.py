"""Fixtures of the community tests: an app whose submissions fetch papers from a loopback fake
arXiv through the real API source, and whose password resets go through the real SMTP mailer
to a loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services
from paperwire.config import Settings
from paperwire.mail import SmtpMailer
from paperwire.sources.arxiv_api import ArxivApiSource
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.fake_arxiv import FakeArxiv, FakePaper
from tests.smtp_sink import SmtpSink

ARXIV_PAPERS = [FakePaper("2502.01234", "Fetched from arXiv", datetime(2025, 2, 3, tzinfo=UTC),
                          versions=2, authors=("Grace Hopper",))]


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv(ARXIV_PAPERS) as fake:
        yield fake


@pytest.fixture
def cc(settings: Settings, store: SqliteStore, fake_arxiv: FakeArxiv,
       smtp_server: SmtpSink) -> Iterator[TestClient]:
    """A client of an app that has the arXiv API source and an SMTP mailer."""
    wired = replace(settings, arxiv_api_url=fake_arxiv.api_url, arxiv_min_interval=0.01,
                    arxiv_max_retries=1, arxiv_timeout=5, smtp_host="127.0.0.1",
                    smtp_port=smtp_server.port)
    source, mailer = ArxivApiSource(wired), SmtpMailer(wired)
    services = build_services(settings, store=store, paper_fetcher=source, mailer=mailer)
    with TestClient(create_app(services), base_url="http://testserver") as client:
        yield client
    services.close()
