"""Small helpers shared by tests."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

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


def _integrity_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    import psycopg

    return (sqlite3.IntegrityError, psycopg.IntegrityError)


# What a broken uniqueness or reference rule raises, on either engine.
INTEGRITY_ERRORS = _integrity_errors()


def dump_tables(store: Any) -> list[str]:
    """Every row of every table as ``table: (values)`` lines, in a fixed order (either engine)."""
    if store.engine == "sqlite":
        tables = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " ORDER BY name")]
    else:
        tables = [r[0] for r in store.query("SELECT table_name FROM information_schema.tables"
                                            " WHERE table_schema = current_schema()"
                                            " ORDER BY table_name")]
    lines = []
    for table in tables:
        rows = store.query(f"SELECT * FROM {table}")
        lines.extend(sorted(f"{table}: {tuple(row)!r}" for row in rows))
    return lines
