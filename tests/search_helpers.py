"""Small helpers for the search tests."""

from __future__ import annotations

from pathlib import Path


def search_env(folder: Path) -> dict[str, str]:
    """Environment for a data dir in ``folder`` (no background index refresher)."""
    return {"PAPERWIRE_DATA_DIR": str(folder),
            "PAPERWIRE_SECRET_KEY": "test-secret-key-0123456789-abcdefghijkl",
            "PAPERWIRE_BASE_URL": "http://testserver", "PAPERWIRE_SEARCH_REFRESH": "0"}
