"""Fixtures of the community tests: an app with a paper fetcher and a loopback SMTP mailer,
sign-up helpers, papers on today's daily list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.community_helpers import CatalogFetcher, Inbox, LoopbackMailer
from tests.helpers import free_port


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, LoopbackMailer]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, LoopbackMailer(port)
    finally:
        controller.stop()


@pytest.fixture
def fetcher() -> CatalogFetcher:
    return CatalogFetcher()


@pytest.fixture
def cc(settings: Settings, store: SqliteStore, fetcher: CatalogFetcher,
       smtp_inbox: tuple[Inbox, LoopbackMailer]) -> Iterator[TestClient]:
    """A client of an app that has a paper fetcher and a mailer."""
    app = create_app(settings, store, paper_fetcher=fetcher, mailer=smtp_inbox[1])
    with TestClient(app, base_url="http://testserver") as client:
        yield client


