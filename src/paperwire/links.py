"""The one rule for outside links (pure): only absolute ``http``/``https`` URLs with a host.

Importers keep only such URLs (a bad one is reported, its record still lands); pages, feeds
and the JSON API pass every stored link through ``safe_link`` again, so a value stored before
this rule (``javascript:``, ``data:``, ``vbscript:``…) is never emitted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000
_CONTROL = {chr(c) for c in range(0x21)} | {"\x7f"}


def safe_link(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL with a host and no spaces or control characters."""
    if not value or len(value) > MAX_LENGTH or any(c in _CONTROL for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value
