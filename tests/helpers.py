"""Small helpers shared by tests."""

from __future__ import annotations

import socket

from paperwire.config import Settings
from paperwire.services import catalog
from paperwire.storage import Store
from tests.conftest import SHARED_DATA


def load_demo(store: Store, settings: Settings) -> None:
    """The real demo corpus: the HF search response and the Daily Papers page (year 2025)."""
    catalog.import_file(store, settings, "hf", SHARED_DATA / "hf-papers-search-response.json")
    catalog.import_file(store, settings, "hf-page", SHARED_DATA / "daily-papers-page.txt",
                        year=2025)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
