"""Small helpers shared by tests."""

from __future__ import annotations

import socket
from pathlib import Path

from paperwire.config import Settings
from paperwire.services import catalog
from paperwire.storage import Store

REPO = Path(__file__).resolve().parent.parent
# The demo corpus shipped with the package: a real HF papers search response and the text of a
# real Daily Papers page.
HF_RESPONSE = REPO / "src" / "paperwire" / "data" / "demo-hf.json"
DAILY_PAGE = REPO / "src" / "paperwire" / "data" / "demo-page.txt"


def load_demo(store: Store, settings: Settings) -> None:
    """The real demo corpus: the HF search response and the Daily Papers page (year 2025)."""
    catalog.import_file(store, settings, "hf", HF_RESPONSE)
    catalog.import_file(store, settings, "hf-page", DAILY_PAGE,
                        year=2025)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
